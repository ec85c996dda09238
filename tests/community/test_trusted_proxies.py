"""X-Forwarded-For is believed only from trusted proxies, so the lockout counts real clients."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import PASSWORD

from commonshare.client_address import address_from, parse_trusted_proxies

NGINX = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert address_from("203.0.113.7", "198.51.100.1", ()) == "203.0.113.7"


def test_from_an_untrusted_peer_the_header_is_ignored() -> None:
    # A client talking to the app directly cannot name another address.
    assert address_from("203.0.113.7", "198.51.100.1", NGINX) == "203.0.113.7"


def test_from_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop() -> None:
    assert address_from("127.0.0.1", "198.51.100.1", NGINX) == "198.51.100.1"
    # The client wrote "1.2.3.4" itself; nginx appended the address it really saw.
    assert address_from("127.0.0.1", "1.2.3.4, 198.51.100.1", NGINX) == "198.51.100.1"
    # Two trusted proxies in a row (a load balancer, then nginx) are walked past.
    assert address_from("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3", NGINX) == "198.51.100.1"


def test_garbage_in_the_header_stops_the_walk_at_the_last_trusted_hop() -> None:
    assert address_from("127.0.0.1", "198.51.100.1, not-an-address", NGINX) == "127.0.0.1"
    assert address_from("127.0.0.1", "", NGINX) == "127.0.0.1"


def test_ports_and_ipv6_are_read() -> None:
    proxies = parse_trusted_proxies("::1")
    assert address_from("::1", "[2001:db8::5]:4711", proxies) == "2001:db8::5"
    assert address_from("::1", "203.0.113.9:80", proxies) == "203.0.113.9"


def test_a_bad_setting_is_named() -> None:
    with pytest.raises(ValueError, match=r"COMMONSHARE_TRUSTED_PROXIES: 'nginx' is neither"):
        parse_trusted_proxies("127.0.0.1, nginx")
    assert parse_trusted_proxies(" , ") == ()


# Proxies' addresses often, so that chains of trusted hops come up.
addresses = st.one_of(
    st.sampled_from(["127.0.0.1", "10.0.0.2", "10.200.1.1"]),
    st.integers(min_value=0, max_value=2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n))),
)


def _is_proxy(address: str) -> bool:
    return any(ipaddress.ip_address(address) in network for network in NGINX)


@given(peer=addresses, hops=st.lists(addresses, max_size=5))
def test_a_client_can_never_choose_an_address_that_no_proxy_saw(peer: str, hops: list[str]) -> None:
    """Whatever the header says, the answer is the peer, or the first hop that is no proxy
    reading from the right: what a client wrote left of that is out of its reach."""
    found = address_from(peer, ", ".join(hops), NGINX)
    if not _is_proxy(peer) or not hops:
        assert found == peer
        return
    chain = [peer, *reversed(hops)]
    assert found == next((a for a in chain if not _is_proxy(a)), chain[-1])


def _login(client: Client, email: str, password: str, forwarded_for: str) -> Any:
    return client.post(
        "/login/", {"username": email, "password": password}, HTTP_X_FORWARDED_FOR=forwarded_for
    )


@pytest.mark.django_db
@override_settings(COMMONSHARE_TRUSTED_PROXIES=NGINX)
def test_behind_the_proxy_the_lockout_counts_the_real_client(make_member: Any) -> None:
    ada = make_member("Ada")
    behind_nginx = Client(REMOTE_ADDR="127.0.0.1")
    for attempt in range(10):
        # The guesser makes up a new "client address" each time: in vain.
        response = _login(behind_nginx, ada.email, "wrong", f"10.9.9.{attempt}, 203.0.113.7")
    assert response.status_code == 429
    # Ada herself, from another address behind the same proxy, still signs in.
    assert _login(behind_nginx, ada.email, PASSWORD, "198.51.100.4").status_code == 302


@pytest.mark.django_db
@override_settings(COMMONSHARE_TRUSTED_PROXIES=())
def test_a_spoofed_header_neither_escapes_nor_aims_the_lockout(make_member: Any) -> None:
    ada = make_member("Ada")
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(10):
        response = _login(guesser, ada.email, "wrong", f"198.51.100.{attempt}")
    assert response.status_code == 429  # ten new "addresses" were all one: the peer's
    # The address the guesser named last was not locked out: Ada signs in from it.
    ada_client = Client(REMOTE_ADDR="198.51.100.9")
    assert (
        ada_client.post("/login/", {"username": ada.email, "password": PASSWORD}).status_code == 302
    )
