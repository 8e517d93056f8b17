"""Subscriptions over Server-Sent Events (tRPC's ``httpSubscriptionLink``):
``GET /api/trpc/<subscription>?input=…``, routed here by ``api.views`` when the path names one.

Opening is a call (``api.dispatch.open_subscription``: rate, input, access), made in the
request's thread; what is refused then, and a ``connectionParams`` that is not an object of
strings, or a caller over ``API_SSE_MAX_STREAMS_PER_USER`` (``…_PER_ADDRESS`` when anonymous,
counted by ``api.open_streams``), is an ordinary JSON error: EventSource gives up on it. The
request's database connection is then given back: a stream holds none.

The stream itself (``api.trpc_sse``'s events) is an async iterator that Django's handler sends
as it yields: ``connected`` once the feed has joined live delivery (so nothing published after
it is missed), each event with its ``id:``, ``ping`` when nothing was sent for
``API_SSE_PING_MS``. An error ends it with ``serialized-error``: retryable (-32603) when live
delivery is away or the server failed, fatal otherwise (a resume position no longer kept is
PRECONDITION_FAILED: retrying the same one cannot help). After ``API_SSE_MAX_DURATION_MS`` it
ends without ``return``, so the client reconnects from its last id (tRPC's ``maxDurationMs``),
and is checked and authenticated again. When the client goes, Django's handler cancels the
stream, which leaves the feed (and its channel-layer membership) and gives its lease back.

Who is calling: the view's DRF authentication (Bearer header, the site's session cookie), which
also reads ``connectionParams={"token": "<jwt>"}`` as a Bearer header, for an EventSource that
cannot set headers (``connection_token``).
"""

import asyncio
import collections
import hashlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest, StreamingHttpResponse
from rest_framework.request import Request

from api import open_streams, trpc, trpc_sse
from api.dispatch import OpenSubscription, error_for_exception, open_subscription
from api.registry import Delivery, Kind, get_procedure
from lib import metrics
from lib.account_connections import watch_account
from lib.client_address import client_ip
from lib.errors import Unauthorized

if TYPE_CHECKING:  # the user model's app registers procedures in api: no import at run time
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The connectionParams key whose value signs the stream in, as a Bearer header would.
TOKEN_PARAM = "token"  # noqa: S105 (a key's name, not a secret)


def asks_for_events(accept: str | None) -> bool:
    """Whether an ``Accept`` header lists ``text/event-stream`` (EventSource sends only it)."""
    return any(
        token.split(";")[0].strip() == trpc_sse.STREAM_MEDIA_TYPE
        for token in (accept or "").split(",")
    )


def connection_token(request: HttpRequest, path: str) -> str | None:
    """The token of a subscription request's ``connectionParams`` (an EventSource cannot send
    headers), to be authenticated as a Bearer header would be; None when there is none, or
    when the request has an Authorization header of its own, which wins."""
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return None
    if not is_subscription(path):
        return None
    params = trpc_sse.connection_params(request.GET.get("connectionParams"))
    if not isinstance(params, dict):
        return None
    return params.get(TOKEN_PARAM)


def is_subscription(path: str) -> bool:
    """Whether ``path`` (as in the URL) names a subscription procedure."""
    procedure = get_procedure(unquote(path))
    return procedure is not None and procedure.kind == Kind.SUBSCRIPTION


def subscription_stream(
    request: HttpRequest | Request,
    path: str,
    user: "User | AnonymousUser",
    *,
    transformer: trpc.Transformer,
) -> StreamingHttpResponse | trpc.TrpcError:
    """The stream of the subscription at ``path`` for ``user``, or why it cannot be opened."""
    query = request.GET.dict()
    params = trpc_sse.connection_params(query.get("connectionParams"))
    if isinstance(params, trpc.TrpcError):
        return params
    parsed = trpc.parse_http_request(
        method="GET", path=path, query=query, body=None, content_type="", transformer=transformer
    )
    if isinstance(parsed, trpc.TrpcError):
        return parsed
    (call,) = parsed.calls
    resume_after = trpc_sse.last_event_id(header=request.headers.get("Last-Event-ID"), query=query)
    raw_input = trpc_sse.with_last_event_id(call.input, resume_after)
    address = client_ip(request._request if isinstance(request, Request) else request)
    opened = open_subscription(
        path=call.path, raw_input=raw_input, user=user, client_address=address
    )
    if isinstance(opened, trpc.TrpcError):
        return opened
    lease = open_streams.take(caller=_caller(user, address), limit=_stream_limit(user))
    if lease is None:
        return trpc.TrpcError(
            "TOO_MANY_REQUESTS", "Too many open streams: close one first.", call.path
        )
    # The stream outlives the request's thread work: its database connection goes back to the
    # pool now, not when the stream ends.
    close_old_connections()
    stream = EventStream(
        opened,
        lease,
        uses_superjson=parsed.uses_superjson,
        account_id=user.pk if user.is_authenticated else None,
    )
    response = StreamingHttpResponse(stream.body())
    for name, value in trpc_sse.HEADERS.items():
        response[name] = value
    return response


def _caller(user: "User | AnonymousUser", address: str) -> str:
    if user.is_authenticated:
        return f"user.{user.pk}"
    # Hashed: an IPv6 address (or a proxy's odd value) is no cache-key character set.
    return f"address.{hashlib.sha256(address.encode()).hexdigest()}"


def _stream_limit(user: "User | AnonymousUser") -> int:
    if user.is_authenticated:
        return int(settings.API_SSE_MAX_STREAMS_PER_USER)
    return int(settings.API_SSE_MAX_STREAMS_PER_ADDRESS)


def _client_options() -> dict[str, int]:
    inactivity = settings.API_SSE_RECONNECT_AFTER_INACTIVITY_MS
    return {"reconnectAfterInactivityMs": inactivity} if inactivity else {}


# The latest events as written for their streams, by procedure, event id and transformer.
_WRITTEN_KEPT = 256
_written: collections.OrderedDict[tuple[str, str, bool], bytes] = collections.OrderedDict()


class EventStream:
    """One open stream: its subscription, its lease (given back when it ends), and the bytes
    it sends (``body()``)."""

    def __init__(
        self,
        opened: OpenSubscription,
        lease: open_streams.Lease,
        *,
        uses_superjson: bool,
        account_id: UUID | None = None,
    ) -> None:
        self.opened = opened
        self.lease = lease
        self.uses_superjson = uses_superjson
        # The signed-in account the stream was opened for: it ends if the account is suspended.
        self.account_id = account_id

    def _message(self, delivery: Delivery) -> bytes:
        """A delivery's event, written once for every stream of its procedure in this process:
        an event's value depends on the event alone (who may follow was checked on opening),
        and a thousand streams of one post would otherwise each run the output serializer."""
        key = (self.opened.path, delivery.event_id, self.uses_superjson)
        message = _written.get(key)
        if message is None:
            message = trpc_sse.message(
                self.opened.data(delivery), delivery.event_id, uses_superjson=self.uses_superjson
            )
            _written[key] = message
            if len(_written) > _WRITTEN_KEPT:
                _written.popitem(last=False)
        return message

    async def body(self) -> AsyncIterator[bytes]:
        metrics.connection_opened("sse", self)
        try:
            async for part in self._events():
                yield part
        finally:
            metrics.connection_closed("sse", self)
            await sync_to_async(open_streams.release, thread_sensitive=False)(self.lease)

    async def _events(self) -> AsyncIterator[bytes]:
        is_connected = False
        try:
            async with (
                watch_account(self.account_id) as account_ended,
                self.opened.feed.open() as deliveries,
            ):
                yield trpc_sse.connected(_client_options())
                is_connected = True
                async for part in self._follow(deliveries, account_ended):
                    yield part
        except Exception as error:  # the stream's end, told as tRPC tells it
            if not is_connected:
                yield trpc_sse.connected(_client_options())
            failure = error_for_exception(error, self.opened.path)
            yield trpc_sse.serialized_error(failure, uses_superjson=self.uses_superjson)

    async def _follow(
        self, deliveries: AsyncIterator[Delivery], account_ended: asyncio.Event
    ) -> AsyncIterator[bytes]:
        """Each delivery as it comes, pings between them, the lease renewed, until the feed
        ends (``return``), the stream's time is up (no ``return``: the client reconnects), or
        its account is suspended (an UNAUTHORIZED error, and its reconnection is refused)."""
        loop = asyncio.get_running_loop()
        ping_seconds = settings.API_SSE_PING_MS / 1000
        max_seconds = settings.API_SSE_MAX_DURATION_MS / 1000
        ends_at = loop.time() + max_seconds if max_seconds else None
        renew_at = loop.time() + open_streams.RENEW_SECONDS
        last_sent = loop.time()
        upcoming = aiter(deliveries)
        # The next delivery is awaited in a task of its own, kept across pings: cancelling a
        # wait on the feed would end the feed.
        next_delivery: asyncio.Future[Delivery] | None = None
        ended = asyncio.ensure_future(account_ended.wait())
        try:
            while True:
                if next_delivery is None:
                    next_delivery = asyncio.ensure_future(anext(upcoming))
                wake_at = min(
                    renew_at,
                    *([last_sent + ping_seconds] if ping_seconds else []),
                    *([ends_at] if ends_at is not None else []),
                )
                waits: set[asyncio.Future[Any]] = {next_delivery, ended}
                await asyncio.wait(
                    waits,
                    timeout=max(0.0, wake_at - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if ended.done():
                    raise Unauthorized("This account is suspended.")
                if next_delivery.done():
                    finished, next_delivery = next_delivery, None
                    try:
                        delivery = finished.result()
                    except StopAsyncIteration:
                        yield trpc_sse.RETURN
                        return
                    yield self._message(delivery)
                    last_sent = loop.time()
                    continue
                now = loop.time()
                if ends_at is not None and now >= ends_at:
                    return
                if now >= renew_at:
                    await sync_to_async(open_streams.renew, thread_sensitive=False)(self.lease)
                    renew_at = now + open_streams.RENEW_SECONDS
                if ping_seconds and now >= last_sent + ping_seconds:
                    yield trpc_sse.PING
                    last_sent = now
        finally:
            ended.cancel()
            if next_delivery is not None:
                next_delivery.cancel()
                await asyncio.wait({next_delivery})
