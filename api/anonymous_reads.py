"""The HTTP door for tRPC queries from anonymous callers: most of the site's reads, answered
without the work that only signed-in callers and pages need.

An ASGI application in front of Django's (``config.asgi``). A ``GET /api/trpc/...`` that
carries no credentials (no ``Authorization``, no session cookie) and accepts JSON (not a
streamed batch, nor a subscription's event stream) is answered here; every other request goes
to Django as before.

- **The usual path, shortened.** The request still runs through Django's middleware, minus the
  page-only ones (``PAGE_ONLY_MIDDLEWARE``: each has nothing to do for such a request), and
  through the same tRPC code as ``api.views`` (``trpc_answer``), in one worker thread, with
  Django's request signals (which hand the database connection back). DRF is not involved:
  its part for these requests (authentication, which finds nobody) has nothing to decide.
- **Replays.** When every call of the answer was served by a read cache as the same for every
  anonymous caller (``lib.shared_answers``), the whole answer (status, headers, body) is kept
  and sent as it is to the next anonymous caller asking the same thing, while its read versions
  are current, after one round trip to the cache that also counts the caller's calls
  (``api.answer_replays``). Nothing else runs: no thread, no middleware.

Both give the answer Django would give (tests/api/test_anonymous_reads.py compares the two,
headers included). The request's key holds every part of it that can change the answer: the
path and query, and the headers the middleware reads (host, the proxy's scheme and host, the
transformer).
"""

import io
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.urls import ResolverMatch, resolve, reverse
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

from api.answer_replays import (
    Replay,
    ReplayStore,
    refund,
    replay_of,
    still_true,
    version_reader,
)
from api.rate_limits import Budget, budget_of
from api.sse import is_subscription
from api.views import TRANSFORMER_HEADER, TrpcView, trpc_answer
from lib import metrics, shared_answers
from lib.client_address import address_of

Scope = dict[str, Any]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

# Middleware with nothing to do for a GET without credentials to /api/trpc/, and why.
PAGE_ONLY_MIDDLEWARE = {
    # Static files live elsewhere.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # No session cookie: no session, no signed-in user, no messages.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # GET is a safe method (nothing to check), and these answers never set the CSRF cookie.
    "django.middleware.csrf.CsrfViewMiddleware",
}

# Request headers that can change such an answer (besides path and query): the host (allowed
# hosts, the Content-Security-Policy's socket URL), the proxy's scheme and host (HSTS, the
# scheme of that URL) and the tRPC transformer. A replay is kept per combination.
_KEY_HEADERS = (
    b"host",
    b"x-forwarded-host",
    b"x-forwarded-proto",
    TRANSFORMER_HEADER.lower().encode(),
)
# Vary and Allow as TrpcView's answers carry them (DRF's two renderers: Accept; the session its
# authentication reads: Cookie).
_VARY = ("Accept", "Cookie")
_ALLOW = ", ".join(TrpcView().allowed_methods)
_ANONYMOUS = AnonymousUser()
_REPLAYS_SENT = metrics.ANSWER_REPLAYS.labels("sent")
_REPLAYS_NOT_SENT = metrics.ANSWER_REPLAYS.labels("not sent")


class AnonymousReads:
    """ASGI application: anonymous tRPC queries here, everything else to ``django``."""

    def __init__(self, django: ASGIHandler) -> None:
        self.django = django
        self._handler = _ShortHandler(self._view)
        self._replays = ReplayStore()
        self._reader = version_reader()
        self._prefix = ""
        self._route: ResolverMatch

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if not self._takes(scope):
            await self.django(scope, receive, send)
            return
        headers = {name: value for name, value in scope["headers"] if name in _KEY_HEADERS}
        key = (
            scope.get("scheme", "http"),
            scope["path"],
            scope.get("query_string", b"").decode("latin1"),
            *(headers.get(name, b"").decode("latin1") for name in _KEY_HEADERS),
        )
        replay = self._replays.get(key) if self._reader is not None else None
        counted: tuple[Replay, Budget | None] | None = None
        if replay is not None:
            started = time.perf_counter()
            budget = budget_of(user=_ANONYMOUS, client_address=_address(scope))
            verdict = await self._may_replay(replay, budget)
            if verdict:
                await send({"type": "http.response.start", "status": replay.status,
                            "headers": list(replay.headers)})  # fmt: skip
                await send({"type": "http.response.body", "body": replay.body})
                _REPLAYS_SENT.inc()
                metrics.observe_route(
                    self._route.view_name, replay.status, time.perf_counter() - started
                )
                return
            _REPLAYS_NOT_SENT.inc()
            # Calls the check counted are refunded before the usual path counts them; a check
            # that failed (the cache away) counted nothing.
            counted = (replay, budget) if verdict is not None else None
        respond = sync_to_async(self._respond, thread_sensitive=False)
        response, shared, calls = await respond(scope, counted)
        sent: list[Mapping[str, Any]] = []

        async def send_and_keep(message: Mapping[str, Any]) -> None:
            sent.append(message)
            await send(message)

        await self.django.send_response(response, send_and_keep)
        if self._reader is None or response.status_code != 200 or response.cookies:
            return
        new = replay_of(
            shared,
            calls=calls,
            status=response.status_code,
            headers=sent[0]["headers"],
            body=b"".join(message.get("body", b"") for message in sent[1:]),
        )
        if new is not None:
            self._replays.put(key, new)

    def _takes(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        if not self._prefix:
            self._prefix = reverse("api:trpc", kwargs={"path": ""})
            self._route = resolve(self._prefix)
        if not scope["path"].startswith(self._prefix):
            return False
        # A subscription streams for as long as its client stays (api.sse): Django's to serve.
        if is_subscription(scope["path"][len(self._prefix) :]):
            return False
        session_cookie = f"{settings.SESSION_COOKIE_NAME}=".encode()
        for name, value in scope["headers"]:
            if name == b"authorization" or (name == b"cookie" and session_cookie in value):
                return False
            # DRF refuses what its renderers cannot give (406): such requests go to Django.
            if name == b"accept" and value and b"json" not in value and b"*/*" not in value:
                return False
            # A batch that may ask for a stream (api.streamed_batches) is Django's to answer.
            if name == b"trpc-accept" or (name == b"accept" and b"application/jsonl" in value):
                return False
        return True

    async def _may_replay(self, replay: Replay, budget: Budget | None) -> bool | None:
        """Whether ``replay`` may be sent (the caller's calls counted either way); None when
        the cache could not be asked."""
        assert self._reader is not None
        try:
            return await still_true(self._reader, replay, budget)
        except (RedisError, OSError):
            return None  # the usual path answers, with its own way round the outage

    def _respond(
        self, scope: Scope, counted: tuple[Replay, Budget | None] | None
    ) -> tuple[HttpResponseBase, list[shared_answers.SharedAnswer], int]:
        """The answer through the short chain, in a worker thread, as Django's handler runs a
        request: the signals that take and give back the database connection around it.
        ``counted``: a replay not sent, whose calls were counted for this caller."""
        if counted is not None:
            refund(*counted)
        signals.request_started.send(sender=type(self), scope=scope)
        request = ASGIRequest(scope, io.BytesIO())
        # The route it would have matched (what the page metrics and logs name it by).
        request.resolver_match = self._route
        with shared_answers.collecting() as shared:
            response = self._handler.get_response(request)
        # The body is in memory: closing now (the request too) sends request_finished from
        # this thread.
        response.close()
        return response, shared, getattr(request, "trpc_calls", 0)

    def _view(self, request: HttpRequest) -> HttpResponseBase:
        response, calls = trpc_answer(request, request.path[len(self._prefix) :], _ANONYMOUS)
        request.trpc_calls = calls  # type: ignore[attr-defined]
        response["Allow"] = _ALLOW
        patch_vary_headers(response, _VARY)
        return response


def _address(scope: Scope) -> str:
    """``lib.client_address.client_ip`` of the request in ``scope``."""
    forwarded_for = next(
        (value for name, value in scope["headers"] if name == b"x-forwarded-for"), b""
    )
    client = scope.get("client") or ("", 0)
    return address_of(peer=client[0], forwarded_for=forwarded_for.decode("latin1"))


class _ShortHandler(BaseHandler):
    """Django's request handling with the site's middleware minus ``PAGE_ONLY_MIDDLEWARE``,
    around ``view`` (no URL resolving: the door already knows the view)."""

    def __init__(self, view: Callable[[HttpRequest], HttpResponseBase]) -> None:
        super().__init__()
        handler = convert_exception_to_response(view)
        for path in reversed(settings.MIDDLEWARE):
            if path in PAGE_ONLY_MIDDLEWARE:
                continue
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler
