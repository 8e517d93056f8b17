"""Under ASGI, a request's middleware chain and view run in one thread hop, on a request thread
that later requests reuse, and the response is closed (request_finished, which returns the
database connection) on that same thread."""

import asyncio
import threading
import time

import pytest
from asgiref import sync
from asgiref.sync import async_to_sync
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.urls import path

from api.anonymous_reads import AnonymousReads
from api.subscription_streams import SubscriptionStreams
from config.asgi import application
from config.http_handler import SyncChainASGIHandler
from config.request_size import BodySizeLimit
from tests.asgi_http import asgi_exchange, asgi_request

view_threads: list[threading.Thread] = []
together = threading.Barrier(3, timeout=5)


def where_am_i(request: HttpRequest) -> HttpResponse:
    view_threads.append(threading.current_thread())
    return HttpResponse("here")


def all_together(request: HttpRequest) -> HttpResponse:
    """Answers once three requests are in their views at the same time."""
    view_threads.append(threading.current_thread())
    together.wait()
    return HttpResponse("together")


urlpatterns = [path("where/", where_am_i), path("together/", all_together)]


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = __name__
    view_threads.clear()
    return SyncChainASGIHandler()


def test_the_site_serves_http_with_the_sync_chain_handler():
    # Behind the doors for oversized bodies, subscription streams and anonymous tRPC queries,
    # which hand everything else to it.
    sizes = application.application_mapping["http"]
    assert isinstance(sizes, BodySizeLimit)
    streams = sizes.application
    assert isinstance(streams, SubscriptionStreams)
    assert isinstance(streams.django, SyncChainASGIHandler)
    assert streams.threads is streams.django.request_threads
    reads = streams.application
    assert isinstance(reads, AnonymousReads)
    assert reads.django is streams.django


def test_the_middleware_chain_and_view_cross_to_a_thread_once(handler, monkeypatch):
    hops: list[str] = []
    counted = sync.SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await counted(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counting)
    answer = asgi_request(handler, "GET", "/where/")
    assert answer.status == 200
    # request_started's receivers, the whole chain (10 middleware and the view), closing the
    # response; Django's own handler makes 16 hops here, one per middleware method.
    assert len(hops) == 3, hops
    assert not any("Middleware" in hop or "as_view" in hop for hop in hops), hops


def test_requests_in_turn_reuse_one_thread_and_start_none(handler, monkeypatch):
    asgi_request(handler, "GET", "/where/")
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    asgi_request(handler, "GET", "/where/")
    asgi_request(handler, "GET", "/where/")
    assert len(set(view_threads)) == 1
    assert view_threads[0] is not threading.current_thread()
    # The test's own event loop thread (async_to_sync) is the only thread started.
    assert not [thread for thread in started if thread.name.startswith("django-request")]


def test_the_response_is_closed_on_the_thread_that_ran_the_view(handler):
    finished_threads: list[threading.Thread] = []

    def finished(**kwargs: object) -> None:
        finished_threads.append(threading.current_thread())

    request_finished.connect(finished)
    try:
        asgi_request(handler, "GET", "/where/")
    finally:
        request_finished.disconnect(finished)
    assert finished_threads == view_threads


def test_a_burst_gets_a_thread_per_request_and_keeps_only_the_idle_allowance(handler, monkeypatch):
    monkeypatch.setattr(handler.request_threads, "max_idle", 1)

    async def burst() -> list[int]:
        answers = await asyncio.gather(
            *(asgi_exchange(handler, "GET", "/together/") for _ in range(3))
        )
        return [answer.status for answer in answers]

    assert async_to_sync(burst)() == [200, 200, 200]
    assert len(set(view_threads)) == 3

    def alive() -> set[threading.Thread]:
        return {thread for thread in view_threads if thread.is_alive()}

    # The two threads over the allowance end once their request is done (not waited for).
    deadline = time.monotonic() + 5
    while len(alive()) > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(alive()) == 1
    asgi_request(handler, "GET", "/where/")
    assert alive() == {view_threads[-1]}
