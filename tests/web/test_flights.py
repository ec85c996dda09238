"""One request draws a missing page while the others wait for it; an out-of-date copy is
served while one request draws the fresh one (web/flights.py, web/pagecache.py,
web/memberpages.py).

The middlewares are driven directly, around a view that counts how often it is drawn, from
threads that ask at the same moment: the same as gunicorn's threads in one process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils.cache import patch_vary_headers

from commonshare.web import memberpages, pagecache
from commonshare.web.flights import FLIGHTS, Flights

READERS = 6


class CountedView:
    """A view that takes ``seconds`` to draw and says which drawing a copy is."""

    def __init__(self, seconds: float = 0.2, cookie: bool = False) -> None:
        self.seconds = seconds
        self.cookie = cookie
        self.drawn = 0
        self.at_once = 0
        self.most_at_once = 0
        self.hold: threading.Event | None = None
        self.fail = False
        self._lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with self._lock:
            self.drawn += 1
            number = self.drawn
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            if self.hold is not None:
                self.hold.wait(5)
            time.sleep(self.seconds)
            if self.fail:
                raise RuntimeError("the drawing failed")
            response = HttpResponse(f"drawing {number}")
            if self.cookie:
                # as Django's CSRF middleware does when it hands out its cookie
                response.set_cookie("csrftoken", f"token {number}")
                patch_vary_headers(response, ("Cookie",))
            return response
        finally:
            with self._lock:
                self.at_once -= 1


def _visitor_chain(view: CountedView) -> Callable[[HttpRequest], Any]:
    return pagecache.KeepVisitorPages(pagecache.ServeVisitorPages(view))


def _all_at_once(ask: Callable[[], str], count: int = READERS) -> list[str]:
    start = threading.Barrier(count)
    answers: list[str] = []
    lock = threading.Lock()

    def one() -> None:
        start.wait()
        answer = ask()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return answers


@pytest.fixture
def visitors_kept(settings: Any) -> None:
    settings.COMMONSHARE_PAGE_CACHE_SECONDS = 5
    caches[pagecache.CACHE].clear()


def _ask_as_visitor(chain: Callable[[HttpRequest], Any], path: str = "/books/") -> str:
    return chain(RequestFactory().get(path)).content.decode()


def test_a_flight_is_led_by_the_first_and_joined_by_the_rest() -> None:
    flights = Flights()
    assert flights.join("books") is None  # the first leads
    under_way = flights.join("books")
    assert under_way is not None and not under_way.is_set()
    assert flights.join("tasks") is None  # another key is its own flight
    flights.land("books")
    assert under_way.is_set()
    assert flights.join("books") is None  # landed: the next one leads again
    assert flights.under_way() == 2


@pytest.mark.usefixtures("visitors_kept")
def test_visitors_asking_at_once_for_a_missing_page_get_one_drawing() -> None:
    view = CountedView()
    chain = _visitor_chain(view)
    answers = _all_at_once(lambda: _ask_as_visitor(chain))
    assert answers == ["drawing 1"] * READERS
    assert view.drawn == 1
    assert FLIGHTS.under_way() == 0


@pytest.mark.usefixtures("visitors_kept")
def test_an_out_of_date_copy_is_served_while_one_request_draws_the_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = CountedView(seconds=0)
    chain = _visitor_chain(view)
    assert _ask_as_visitor(chain) == "drawing 1"
    assert _ask_as_visitor(chain) == "drawing 1"  # fresh: served as kept
    later = time.time() + 6  # the page's five seconds are up
    monkeypatch.setattr(pagecache, "_now", lambda: later)

    view.hold = threading.Event()
    redrawing = threading.Thread(target=_ask_as_visitor, args=(chain,))
    redrawing.start()
    _wait_for(lambda: view.drawn == 2)  # the first visitor after is drawing it afresh
    assert _all_at_once(lambda: _ask_as_visitor(chain)) == ["drawing 1"] * READERS
    assert view.drawn == 2  # nobody else drew it

    view.hold.set()
    redrawing.join(5)
    assert _ask_as_visitor(chain) == "drawing 2"
    assert FLIGHTS.under_way() == 0


@pytest.mark.usefixtures("visitors_kept")
def test_a_copy_past_its_grace_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    view = CountedView(seconds=0)
    chain = _visitor_chain(view)
    assert _ask_as_visitor(chain) == "drawing 1"
    caches[pagecache.CACHE].clear()  # as when its seconds and its grace are up
    assert _ask_as_visitor(chain) == "drawing 2"


@pytest.mark.usefixtures("visitors_kept")
def test_pages_that_are_never_kept_are_drawn_side_by_side() -> None:
    view = CountedView(cookie=True)  # sets a cookie, like the sign-in form: never kept
    chain = _visitor_chain(view)
    answers = _all_at_once(lambda: _ask_as_visitor(chain, "/login/"))
    assert view.drawn == READERS
    assert len(set(answers)) == READERS  # each visitor got their own copy and cookie
    assert view.most_at_once >= 2  # the waiters drew theirs at the same time
    assert FLIGHTS.under_way() == 0


@pytest.mark.usefixtures("visitors_kept")
def test_a_failed_drawing_lands_its_flight() -> None:
    view = CountedView(seconds=0)
    view.fail = True
    chain = _visitor_chain(view)
    with pytest.raises(RuntimeError):
        _ask_as_visitor(chain)
    assert FLIGHTS.under_way() == 0
    view.fail = False
    assert _ask_as_visitor(chain) == "drawing 2"


class _Session(dict[str, Any]):
    modified = False


class _SignedIn:
    is_authenticated = True


def _as_member(view: CountedView) -> Callable[[HttpRequest], HttpResponse]:
    def signed_in_view(request: HttpRequest) -> HttpResponse:
        request.user = _SignedIn()  # type: ignore[assignment]
        request.session = _Session()  # type: ignore[assignment]
        return view(request)

    return signed_in_view


def test_one_browser_asking_at_once_for_a_missing_page_gets_one_drawing(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.COMMONSHARE_MEMBER_PAGE_SECONDS = 60
    caches[memberpages.CACHE].clear()
    monkeypatch.setattr(memberpages, "newest_ids", lambda: (7, 3))  # nothing changes
    view = CountedView()
    chain = memberpages.KeepMemberPages(_as_member(view))

    def ask() -> str:
        request = RequestFactory().get("/me/")
        request.COOKIES[settings.SESSION_COOKIE_NAME] = "one browser"
        return chain(request).content.decode()

    assert _all_at_once(ask) == ["drawing 1"] * READERS
    assert view.drawn == 1
    assert FLIGHTS.under_way() == 0


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)
