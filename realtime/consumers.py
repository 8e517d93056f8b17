"""The ``/event/realtime`` consumer: AppSync Events on the wire, Inkwell's namespaces behind it.

The consumer routes and never decides: frames are read by ``realtime.protocol``, channels
named by ``realtime.namespaces``, users by ``realtime.identity``; what is published on the
``trpc/`` namespace (session requests, procedure calls and their chunks) goes to
``realtime.session_channel``. Every ORM use crosses to a thread through a named
``database_sync_to_async`` function.

Channels hands a consumer its messages one at a time, websocket frames and channel-layer
deliveries alike, so the consumer awaits nothing slow itself. Connection_init, subscribe and
unsubscribe are carried out in the order they come. A publish of procedure calls on a session
channel (whole calls or chunks) runs as a task of its own, its crossings to the ORM on a thread
of its own (asgiref's default sends every crossing of every socket to one shared thread): a slow
call holds neither the socket's other frames, nor broadcasts to it, nor any other call. Answers
are matched by the call's ``id``, and a chunked answer by its ``messageId``, so they may
interleave. A connection has at most REALTIME_MAX_CALLS_IN_FLIGHT such publishes running; one
more is refused whole, before anything of it is read, run or stored, with a ``publish_error``
``LimitExceededException`` (429): nothing happened, so the client may publish it again once an
answer comes, or send the call another way (the browser's link falls back to HTTP). When the
socket closes, the calls in flight run to their end (their answers still reach the channel's
other subscribers) and nothing more is written to the socket.
"""

import asyncio
import json
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import close_old_connections

from accounts.models import User
from lib import metrics
from lib.account_connections import account_group
from lib.client_address import address_of
from lib.errors import ServiceError, Unauthorized
from lib.reused_threads import ReusedThreads
from realtime import protocol, public_readers, relay, session_channel
from realtime.broadcast import logged_event_of
from realtime.delivery_order import DeliveryOrder
from realtime.event_log import aevents_after, ahead
from realtime.groups import ChannelPath, group_name
from realtime.identity import authenticate
from realtime.namespaces import (
    BroadcastChannel,
    SessionChannel,
    SessionRequestChannel,
    SubscriberCheck,
    classify,
    subscriber_check,
)
from realtime.positions import BEFORE_HISTORY, InvalidPosition, NotRecovered, Position
from realtime.protocol import error_type_for
from realtime.session_channel import aowned_session
from realtime.subscriptions import FollowedSubscriptions

logger = logging.getLogger(__name__)

_INTERNAL_MESSAGE = "The server could not carry this out; try again."
# The close code of a socket whose account was suspended (4401: its token was refused).
ACCOUNT_ENDED_CLOSE_CODE = 4403
_GAP_MESSAGE = "Events were missed and could not be read now; reconnect and subscribe with since."
_LAYER_DOWN_MESSAGE = "Live delivery is unavailable for a moment; subscribe again shortly."


# --- The crossings to the ORM ------------------------------------------------------------

# Channels types its wrapper loosely; these say what each crossing gives back.
aauthenticate: Callable[..., Awaitable[User]] = database_sync_to_async(authenticate)
aadmit_public_reader: Callable[..., Awaitable[public_readers.Admission]] = database_sync_to_async(
    public_readers.admit
)


@database_sync_to_async
def amay_subscribe(check: SubscriberCheck, user: User) -> bool:
    """A restricted channel's check of its subscriber (it may read groups and permissions)."""
    return check(user)


# --- The consumer --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """A live subscription: its channel, the group delivering it (None: answered directly),
    the identity that made it (None: a public read key), and for a broadcast channel the order
    of its logged events."""

    id: str
    channel: ChannelPath
    group: str | None
    user_id: uuid.UUID | None
    order: DeliveryOrder | None = None


class RealtimeConsumer(AsyncWebsocketConsumer):
    """One client connection: subscriptions, publishes and deliveries.

    Events a client publishes on its session channel are **not** delivered back to the
    channel's subscribers: the server takes AppSync Events' ``onPublish`` handler role, which
    may replace what is broadcast, and replaces each procedure call (or chunk of one) by its
    answer. Echoing would send every request, and every 200 KB chunk of a large one, back to
    all the browser's tabs, which could only discard it. ``publish_success`` acknowledges the
    request; the answer, matched by ``id``, goes to every subscriber of the channel on any
    server process. A subscription procedure started on the channel is the exception: its
    messages go to this connection alone (``realtime.subscriptions``), which asked for them.
    """

    # Set when the socket has closed: nothing more is written to it.
    is_closed = False

    async def connect(self) -> None:
        offered = list(self.scope.get("subprotocols") or [])
        self.connection_headers = protocol.headers_from_subprotocols(offered) or _upgrade_headers(
            self.scope
        )
        self.session_user = await get_user(self.scope) if "session" in self.scope else None
        self.subscriptions: dict[str, Subscription] = {}
        # Subscription procedures on the session channel share the subscriptions' allowance.
        self.followed = FollowedSubscriptions(room=self._has_room_for_subscription)
        self.group_members: Counter[str] = Counter()
        self.calls_in_flight: set[asyncio.Task[None]] = set()
        self.calls_unanswered: set[asyncio.Task[None]] = set()
        # Public read keys used here: each holds one place in its key's connection cap.
        self.public_key_places = public_readers.HeldPlaces()
        # Select exactly the AppSync subprotocol, never echoing the header- one.
        await self.accept(
            subprotocol=protocol.SUBPROTOCOL if protocol.SUBPROTOCOL in offered else None
        )
        self.keep_alive = asyncio.create_task(self._keep_alive())
        relay.ensure_running()
        metrics.connection_opened("websocket", self)

    async def disconnect(self, code: int) -> None:
        self.is_closed = True
        metrics.connection_closed("websocket", self)
        if hasattr(self, "keep_alive"):
            self.keep_alive.cancel()
        if hasattr(self, "public_key_places"):
            await self.public_key_places.release_all()
        if hasattr(self, "followed"):
            await self.followed.close()
        for group in list(getattr(self, "group_members", {})):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # Redis is away; its memberships expire (core) or die with the connection
                # (pub/sub), so a goodbye that cannot be said is only logged.
                logger.warning("Leaving %s failed", group, exc_info=True)
        # A call already published runs to its end rather than stopping between its steps;
        # asyncio.wait, unlike gather, leaves the calls running if this wait is cancelled
        # (Daphne stops a consumer still closing after its application_close_timeout).
        calls: set[asyncio.Task[None]] = getattr(self, "calls_in_flight", set())
        if calls:
            await asyncio.wait(list(calls))

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections before every message (a thread hop each);
        # here every ORM use already goes through database_sync_to_async, which does it in its
        # own hop, so deliveries (the bulk of the traffic) skip it.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_frame(self, frame: protocol.Frame) -> None:
        if self.is_closed:
            return  # a call that finished after the socket closed
        await self.send(text_data=json.dumps(frame, ensure_ascii=False, separators=(",", ":")))

    async def _keep_alive(self) -> None:
        """``ka`` every REALTIME_KEEPALIVE_SECONDS; close when the connection's lifetime is up."""
        loop = asyncio.get_running_loop()
        closes_at = loop.time() + settings.REALTIME_MAX_CONNECTION_SECONDS
        while (remaining := closes_at - loop.time()) > 0:
            await asyncio.sleep(min(settings.REALTIME_KEEPALIVE_SECONDS, remaining))
            if loop.time() < closes_at:
                await self.send_frame(protocol.keep_alive())
        await self.close(code=1000, reason="Connection lifetime reached; reconnect.")

    # --- Client frames -------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_frame(
                protocol.error_frame(protocol.BAD_REQUEST, "Frames are JSON text, not binary.")
            )
            return
        frame: protocol.ClientFrame | None = None
        try:
            frame = protocol.parse_frame(text_data)
            if isinstance(frame, protocol.ConnectionInit):
                await self.connection_init()
            elif isinstance(frame, protocol.Subscribe):
                await self.subscribe(frame)
            elif isinstance(frame, protocol.Unsubscribe):
                await self.unsubscribe(frame)
            else:
                await self.publish(frame)
        except Exception as error:
            await self._refuse(frame, error)

    async def _refuse(self, frame: protocol.ClientFrame | None, error: Exception) -> None:
        """Answer an operation that failed with ``error``: its own error frame."""
        if isinstance(error, protocol.FrameError):
            await self.send_frame(error.answer())
            return
        # Whatever broke (a database or Redis hiccup), the connection and the process stay up
        # and the client gets the protocol's error, for its operation, without internals.
        logger.error("Realtime frame failed", exc_info=error)
        await self.send_frame(_internal_failure(frame))

    async def connection_init(self) -> None:
        key = public_readers.api_key(self.connection_headers)
        if key is not None:
            try:
                await self._admit_public_reader(key)
            except ServiceError as error:
                # A bad key is refused as a bad token is; a key over its cap or rates closes
                # too, and the page stays readable without live updates.
                await self.send_frame(
                    protocol.connection_error(error_type_for(error), error.message)
                )
                await self.close(code=4401 if isinstance(error, Unauthorized) else 4429)
                return
        elif protocol.bearer_token(self.connection_headers) is not None:
            try:
                await self._watch_account(await aauthenticate(self.connection_headers, None))
            except ServiceError as error:
                await self.send_frame(
                    protocol.connection_error(error_type_for(error), error.message)
                )
                if not error.retryable:
                    await self.close(code=4401)
                # Keys that could not be fetched say nothing about the token: the socket stays
                # open and each operation is authorized again when it comes.
                return
        await self.send_frame(protocol.connection_ack())
        await self.send_frame(protocol.keep_alive())

    def _identity_headers(self, authorization: Mapping[str, str] | None) -> Mapping[str, str]:
        """The headers naming an operation's identity: its own, else the connection's (and
        without a token or a key in either, the page's session is the identity)."""
        has_own_identity = authorization is not None and (
            "authorization" in authorization or public_readers.API_KEY_HEADER in authorization
        )
        return (authorization if has_own_identity else self.connection_headers) or {}

    async def _admit_public_reader(
        self, key: str, *, channel: ChannelPath | None = None
    ) -> public_readers.PublicReader:
        """The public reader of one operation made with ``key`` (see ``public_readers.admit``);
        the first operation with a key takes this connection's place in its cap."""
        admission = await aadmit_public_reader(
            key,
            client_address=self.client_address,
            held_key_ids=self.public_key_places.key_ids,
            channel=channel,
        )
        await self.public_key_places.keep(admission)
        return admission.reader

    @property
    def client_address(self) -> str | None:
        """The caller's address for the public keys' rates, as for HTTP (AUTH_PROXY_COUNT)."""
        forwarded_for = ""
        for name, value in self.scope.get("headers", []):
            if name.lower() == b"x-forwarded-for":
                forwarded_for = value.decode("latin-1")
        peer = (self.scope.get("client") or [""])[0]
        return address_of(peer=peer or "", forwarded_for=forwarded_for) or None

    async def _user_for(
        self, authorization: Mapping[str, str] | None, kind: str, op_id: str
    ) -> User:
        """The identity of one operation: its own headers, else the connection's, else the
        page's session."""
        try:
            user = await aauthenticate(self._identity_headers(authorization), self.session_user)
        except ServiceError as error:
            raise protocol.FrameError(
                error_type_for(error), error.message, kind=kind, op_id=op_id
            ) from None
        await self._watch_account(user)
        return user

    async def _watch_account(self, user: User) -> None:
        """Join the group of each account that speaks here, so that suspending it closes the
        socket (``account_ended``)."""
        group = account_group(user.pk)
        if not self.group_members[group]:
            try:
                await self.channel_layer.group_add(group, self.channel_name)
            except Exception:
                # Redis is away: every operation's identity is still checked as it comes.
                logger.warning("Could not watch account %s", user.pk, exc_info=True)
                return
            self.group_members[group] += 1

    async def account_ended(self, message: dict[str, Any]) -> None:
        """An account that spoke on this socket was suspended: close it; the client's next
        connection is refused with the reason."""
        await self.close(code=ACCOUNT_ENDED_CLOSE_CODE, reason="This account is suspended.")

    async def subscribe(self, frame: protocol.Subscribe) -> None:
        def refuse(error_type: str, message: str) -> protocol.FrameError:
            return protocol.FrameError(error_type, message, kind="subscribe", op_id=frame.id)

        if frame.id in self.subscriptions:
            raise refuse(protocol.BAD_REQUEST, f"A subscription with id {frame.id!r} is live.")
        if not self._has_room_for_subscription():
            raise refuse(
                protocol.LIMIT_EXCEEDED,
                f"A connection has at most {settings.REALTIME_MAX_SUBSCRIPTIONS} subscriptions.",
            )
        try:
            kind = classify(frame.channel)
        except protocol.ProtocolError as error:
            raise refuse(error.error_type, error.message) from None
        if frame.since is not None and not (
            isinstance(kind, BroadcastChannel) and not frame.channel.is_wildcard
        ):
            raise refuse(
                protocol.BAD_REQUEST, "since recovers one /subscriptions/… channel, not a wildcard."
            )
        key = public_readers.api_key(self._identity_headers(frame.authorization))
        if key is not None:
            # A public read key: concrete broadcast channels anyone may read, nothing else.
            try:
                if not isinstance(kind, BroadcastChannel):
                    raise Unauthorized(public_readers.CHANNEL_MESSAGE)
                await self._admit_public_reader(key, channel=frame.channel)
            except ServiceError as error:
                raise refuse(error_type_for(error), error.message) from None
            user_id = None
        else:
            user = await self._user_for(frame.authorization, "subscribe", frame.id)
            check = subscriber_check(frame.channel)
            if check is not None and not await amay_subscribe(check, user):
                raise refuse(protocol.UNAUTHORIZED, f"You may not subscribe to {frame.channel}.")
            user_id = user.id
        if isinstance(kind, SessionChannel):
            try:
                await aowned_session(user=user, session_id=kind.session_id)
            except ServiceError as error:
                raise refuse(error_type_for(error), error.message) from None
        # Session requests are answered to this connection directly, never through a group.
        group = None if isinstance(kind, SessionRequestChannel) else group_name(frame.channel)
        if group is not None:
            if not self.group_members[group]:
                try:
                    await self.channel_layer.group_add(group, self.channel_name)
                except Exception:
                    logger.exception("Joining %s failed", group)
                    raise refuse(protocol.INTERNAL_FAILURE, _LAYER_DOWN_MESSAGE) from None
            self.group_members[group] += 1
        if not isinstance(kind, BroadcastChannel):
            self.subscriptions[frame.id] = Subscription(frame.id, frame.channel, group, user_id)
            await self.send_frame(protocol.subscribe_success(frame.id))
            return
        order = DeliveryOrder()
        self.subscriptions[frame.id] = Subscription(frame.id, frame.channel, group, user_id, order)
        if frame.channel.is_wildcard:
            await self.send_frame(protocol.subscribe_success(frame.id))
        else:
            await self._start(self.subscriptions[frame.id], order, frame.since)

    async def _start(
        self, subscription: Subscription, order: DeliveryOrder, since: Position | None
    ) -> None:
        """Where a broadcast subscription starts, read after joining its group so no event
        falls between: the channel's head; or, asked to recover, ``since``, with the events
        after it sent now (live ones wait in the layer's queue, and repeats are dropped)."""
        channel = str(subscription.channel)
        try:
            head = await ahead(channel)
            backlog = [] if since is None else await aevents_after(channel, since)
        except NotRecovered as error:
            order.start(channel, error.head)
            await self.send_frame(
                protocol.recovery_success(
                    subscription.id,
                    recovered=False,
                    position=error.head or BEFORE_HISTORY,
                    message=error.message,
                )
            )
            return
        except Exception as error:
            await self._drop(subscription)
            if isinstance(error, InvalidPosition):
                raise protocol.FrameError(
                    protocol.BAD_REQUEST, f"since: {error}", kind="subscribe", op_id=subscription.id
                ) from None
            raise
        order.start(
            channel, backlog[-1].position if backlog else (head if since is None else since)
        )
        position = head or BEFORE_HISTORY
        if since is None:
            await self.send_frame(protocol.subscribe_success(subscription.id, position=position))
            return
        await self.send_frame(
            protocol.recovery_success(subscription.id, recovered=True, position=position)
        )
        for logged in backlog:
            await self.send(text_data=protocol.data_text(subscription.id, logged.event))

    async def unsubscribe(self, frame: protocol.Unsubscribe) -> None:
        subscription = self.subscriptions.get(frame.id)
        if subscription is None:
            raise protocol.FrameError(
                protocol.BAD_REQUEST,
                f"There is no subscription with id {frame.id!r}.",
                kind="unsubscribe",
                op_id=frame.id,
            )
        await self._drop(subscription)
        await self.send_frame(protocol.unsubscribe_success(frame.id))

    async def _drop(self, subscription: Subscription) -> None:
        """Forget ``subscription``, leaving its group if no other subscription here uses it."""
        del self.subscriptions[subscription.id]
        group = subscription.group
        if group is not None:
            self.group_members[group] -= 1
            if not self.group_members[group]:
                del self.group_members[group]
                await self.channel_layer.group_discard(group, self.channel_name)

    async def publish(self, frame: protocol.Publish) -> None:
        try:
            kind = classify(frame.channel)
        except protocol.ProtocolError as error:
            raise protocol.FrameError(
                error.error_type, error.message, kind="publish", op_id=frame.id
            ) from None
        key = public_readers.api_key(self._identity_headers(frame.authorization))
        if key is not None:
            # Read-only whatever the channel; the attempt still counts against the rates.
            try:
                await self._admit_public_reader(key)
                raise Unauthorized(public_readers.READ_ONLY_MESSAGE)
            except ServiceError as error:
                raise protocol.FrameError(
                    error_type_for(error), error.message, kind="publish", op_id=frame.id
                ) from None
        if isinstance(kind, BroadcastChannel):
            raise protocol.FrameError(
                protocol.UNAUTHORIZED,
                f"Only the server publishes on {frame.channel}.",
                kind="publish",
                op_id=frame.id,
            )
        if isinstance(kind, SessionRequestChannel):
            user = await self._user_for(frame.authorization, "publish", frame.id)
            await session_channel.publish_session_request(self, frame, user)
        else:
            self._start_calls(frame, kind.session_id)

    def _start_calls(self, frame: protocol.Publish, session_id: str) -> None:
        """Run the calls ``frame`` publishes on session ``session_id`` as a task, unless
        REALTIME_MAX_CALLS_IN_FLIGHT publishes of this connection wait for their answers."""
        limit = settings.REALTIME_MAX_CALLS_IN_FLIGHT
        if len(self.calls_unanswered) >= limit:
            raise protocol.FrameError(
                protocol.LIMIT_EXCEEDED,
                f"A connection has at most {limit} publishes of calls running; publish again "
                "once one is answered.",
                kind="publish",
                op_id=frame.id,
            )
        task = asyncio.create_task(self._publish_calls(frame, session_id))
        # In flight until done; unanswered until this connection has its answers (the other
        # subscribers of the channel may still be owed theirs).
        for tasks in (self.calls_in_flight, self.calls_unanswered):
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def _publish_calls(self, frame: protocol.Publish, session_id: str) -> None:
        task = asyncio.current_task()
        try:
            async with _call_thread():
                # Identified in the same crossing to the ORM as the session and the calls.
                await session_channel.publish_calls(
                    self,
                    frame,
                    headers=self._identity_headers(frame.authorization),
                    session_user=self.session_user,
                    session_id=session_id,
                    answered=lambda: self.calls_unanswered.discard(task),
                )
        except Exception as error:
            await self._refuse(frame, error)

    def _has_room_for_subscription(self) -> bool:
        return len(self.subscriptions) + len(self.followed) < settings.REALTIME_MAX_SUBSCRIPTIONS

    def subscription_ids(self, channel: ChannelPath, user_id: uuid.UUID) -> list[str]:
        """This connection's subscriptions to ``channel`` made by ``user_id``: where answers
        meant for that identity alone may go."""
        return [
            subscription.id
            for subscription in self.subscriptions.values()
            if subscription.channel == channel and subscription.user_id == user_id
        ]

    # --- Channel-layer messages ----------------------------------------------------------

    async def layer_overflow(self, message: dict[str, Any]) -> None:
        """This connection fell so far behind that the layer dropped its messages (see
        realtime.layers): say so and close, so the client reconnects and reloads its state
        instead of silently missing events."""
        await self.send_frame(
            protocol.error_frame(
                protocol.LIMIT_EXCEEDED,
                f"This connection fell behind and {message.get('dropped', 0)} events were "
                "dropped; reconnect and reload.",
            )
        )
        await self.close(code=1013, reason="Fell behind; reconnect.")

    async def layer_resumed(self, message: dict[str, Any]) -> None:
        """The layer's connection to Redis broke and is back (see realtime.layers): each
        broadcast subscription is sent, from the log, what was published in between."""
        for subscription in list(self.subscriptions.values()):
            if subscription.order is None:
                continue
            for event in await subscription.order.catch_up(message["resumption"]):
                await self.send(text_data=protocol.data_text(subscription.id, event.event))

    async def broadcast_event(self, message: dict[str, Any]) -> None:
        """One event from the layer: a ``data`` frame for each subscription of its group,
        unless this connection was given the event directly (``skip``)."""
        if message.get("skip") == self.channel_name:
            return
        group = message.get("group")
        logged = logged_event_of(message)
        for subscription in list(self.subscriptions.values()):
            if subscription.group != group:
                continue
            if logged is None or subscription.order is None:
                await self.send(text_data=protocol.data_text(subscription.id, message["event"]))
                continue
            try:
                events = await subscription.order.admit(logged)
            except Exception:
                # The events before this one could not be read from the log (the database is
                # away): rather than a silent gap, the client reconnects and recovers with since.
                logger.warning("Could not fill a gap on %s", logged.channel, exc_info=True)
                await self.send_frame(protocol.error_frame(protocol.INTERNAL_FAILURE, _GAP_MESSAGE))
                await self.close(code=1013, reason="Missed events; reconnect.")
                return
            for event in events:
                await self.send(text_data=protocol.data_text(subscription.id, event.event))


# The threads of publishes of calls, each taken by one publish while it runs.
_CALL_THREADS = ReusedThreads(max_idle=32, name="realtime-call")


@asynccontextmanager
async def _call_thread() -> AsyncIterator[None]:
    """A thread of its own for the crossings to the ORM made inside the block."""
    async with _CALL_THREADS.thread_of_its_own() as executor:
        try:
            yield
        finally:
            # An idle thread holds no pooled database connection. The crossings hand theirs
            # back, but a plain sync_to_async in the block would not, nor do crossings while
            # Channels' test communicator turns that off; queued on the thread, this costs the
            # loop nothing.
            executor.submit(close_old_connections)


def _internal_failure(frame: protocol.ClientFrame | None) -> protocol.Frame:
    """The answer to an operation that failed inside the server: its own error frame."""
    if isinstance(frame, protocol.Subscribe | protocol.Unsubscribe | protocol.Publish):
        kind = {protocol.Subscribe: "subscribe", protocol.Unsubscribe: "unsubscribe"}.get(
            type(frame), "publish"
        )
        error = protocol.FrameError(
            protocol.INTERNAL_FAILURE, _INTERNAL_MESSAGE, kind=kind, op_id=frame.id
        )
        return error.answer()
    return protocol.error_frame(protocol.INTERNAL_FAILURE, _INTERNAL_MESSAGE)


def _upgrade_headers(scope: Mapping[str, Any]) -> dict[str, str]:
    """Authorization sent as a plain upgrade header (clients without the header- protocol)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            return {"authorization": value.decode("latin-1")}
    return {}
