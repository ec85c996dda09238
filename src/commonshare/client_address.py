"""The address a request came from, seen through the proxies this site trusts.

Behind nginx every request's direct peer (``REMOTE_ADDR``) is the proxy, and the client's
own address is in ``X-Forwarded-For``, which anyone can also write themselves. So the header
is believed only when the direct peer is one of ``COMMONSHARE_TRUSTED_PROXIES`` (addresses
or networks, comma-separated; none by default), and then only as far as trusted proxies
wrote it: reading from the right, the first address that is not a trusted proxy is the
client. Whatever a client put at the left of the header itself is never reached.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_trusted_proxies(text: str) -> tuple[IPNetwork, ...]:
    """``"10.0.0.1, 192.168.0.0/24"`` as networks; a bad entry is named in the error."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"COMMONSHARE_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a "
                "network such as 10.0.0.0/8."
            ) from None
    return tuple(networks)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5555"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPAddress | None, proxies: Iterable[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in proxies)


def address_from(remote_addr: str, forwarded_for: str | None, proxies: Sequence[IPNetwork]) -> str:
    """The client's address given the direct peer, the ``X-Forwarded-For`` header, and the
    trusted proxies."""
    peer = _address(remote_addr)
    if not forwarded_for or not _trusted(peer, proxies):
        return str(peer) if peer is not None else remote_addr
    hops = [part for part in forwarded_for.split(",") if part.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage where a proxy should have written an address: stop believing there.
            break
        if not _trusted(address, proxies):
            return str(address)
        peer = address
    # Every hop was a trusted proxy (or the chain broke): the last one we trust is all we know.
    return str(peer)


def client_address(request: Any) -> str:
    """The address of whoever sent ``request`` (a Django request), for the sign-in lockout
    and anything else that must count clients, not proxies."""
    return address_from(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.COMMONSHARE_TRUSTED_PROXIES,
    )
