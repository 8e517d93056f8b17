"""The HTTP door for subscription streams (``GET /api/trpc/<subscription>``, ``api.sse``): Django's
handler makes the answer as it makes any other, in one hop on a request thread, but the thread
goes back to the pool once the answer is made, not when the stream ends.

An ASGI application in front of Django's (``config.asgi``). An open stream needs no thread of
its own: it waits on the channel layer, and its few crossings to sync code take one as they
go (the event log's reads on the shared ORM thread, as a WebSocket consumer's do; its lease on
the worker pool). Held for as long as the client stays, as Django's handler holds it, the
request's thread made each open stream an OS thread: ~155 KiB of server memory per stream with
it, ~60 without (``bench/results/sse.md``). Everything else is Django's own: the middleware
chain and view, the signals, sending the stream (``ASGIHandler.send_response``), ending it when
the client goes (``listen_for_disconnect``), and closing the answer (``request_finished``), on a
request thread again. A refusal (plain JSON) is sent and closed in the request's thread, as
Django does.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections
from django.http import HttpResponseBase, QueryDict, StreamingHttpResponse
from django.urls import reverse, set_script_prefix

from api.sse import is_subscription
from lib.reused_threads import ReusedThreads

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SubscriptionStreams:
    """ASGI application: subscription requests by ``django``, on a thread of ``threads`` (its
    request threads) until their answer is made; everything else to ``application``."""

    def __init__(
        self, application: ASGIApp, *, django: ASGIHandler, threads: ReusedThreads
    ) -> None:
        self.application = application
        self.django = django
        self.threads = threads
        self._prefix = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._takes(scope):
            await self.application(scope, receive, send)
            return
        try:
            body = await self.django.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        async with self.threads.thread_of_its_own():
            response = await self._response(scope, body)
            if not (isinstance(response, StreamingHttpResponse) and response.is_async):
                await self.django.send_response(response, send)
                await sync_to_async(response.close)()
                return
            # Whatever ran after the view (middleware) gives its connection back here: the
            # answer is closed on another thread.
            await sync_to_async(close_old_connections)()
        try:
            await self._stream(response, receive, send)
        finally:
            async with self.threads.thread_of_its_own():
                await sync_to_async(response.close)()

    def _takes(self, scope: Scope) -> bool:
        """A subscription's request, as ``api.views`` routes it to ``api.sse``."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        if not self._prefix:
            self._prefix = reverse("api:trpc", kwargs={"path": ""})
        if not scope["path"].startswith(self._prefix):
            return False
        query = QueryDict(scope.get("query_string", b""))
        return query.get("batch") != "1" and is_subscription(scope["path"][len(self._prefix) :])

    async def _response(self, scope: Scope, body: Any) -> HttpResponseBase:
        """Django's answer to the request, as its handler makes it (run in the request's
        thread)."""
        await signals.request_started.asend(sender=type(self.django), scope=scope)
        request, error_response = self.django.create_request(scope, body)
        if request is None:
            body.close()
            assert error_response is not None
            return error_response
        return await self.django.run_get_response(request)

    async def _stream(self, response: HttpResponseBase, receive: Receive, send: Send) -> None:
        """Send ``response`` until it ends or the client goes, as Django's handler does: the
        client going cancels the sending, which closes the stream's iterator."""
        listening = asyncio.create_task(self.django.listen_for_disconnect(receive))
        sending = asyncio.create_task(self.django.send_response(response, send))
        await asyncio.wait({listening, sending}, return_when=asyncio.FIRST_COMPLETED)
        for task in (listening, sending):
            if task.done():
                with contextlib.suppress(RequestAborted):  # the client went: that is the end
                    task.result()
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
