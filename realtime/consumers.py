"""The ``/event/realtime`` consumer: AppSync Events on the wire, Inkwell's namespaces behind it.

The consumer routes and never decides: frames are read by ``realtime.protocol``, channels
named by ``realtime.namespaces``, users by ``realtime.identity``, sessions and chunks by
their apps' services, procedure calls by ``realtime.calls``. Every ORM use crosses to a
thread through one of the named ``database_sync_to_async`` functions below.
"""

import asyncio
import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import User
from chunking import codec, store
from lib.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    Unauthorized,
)
from realtime import protocol
from realtime.broadcast import asend_event
from realtime.calls import answer_call
from realtime.groups import ChannelPath, group_name
from realtime.identity import authenticate
from realtime.namespaces import (
    BroadcastChannel,
    SessionChannel,
    SessionRequestChannel,
    classify,
)
from sessions_app import selectors as session_selectors
from sessions_app import services as session_services
from sessions_app.models import ClientSession

logger = logging.getLogger(__name__)

# The one mapping of service errors to AppSync errorTypes.
_ERROR_TYPES: dict[type[ServiceError], str] = {
    Unauthorized: protocol.UNAUTHORIZED,
    Forbidden: protocol.UNAUTHORIZED,  # a channel that is not yours
    NotFound: protocol.RESOURCE_NOT_FOUND,
    InvalidInput: protocol.BAD_REQUEST,
    Conflict: protocol.BAD_REQUEST,
    PayloadTooLarge: protocol.LIMIT_EXCEEDED,
}
_INTERNAL_MESSAGE = "The server could not carry this out; try again."
_LAYER_DOWN_MESSAGE = "Live delivery is unavailable for a moment; subscribe again shortly."


def error_type_for(error: ServiceError) -> str:
    for cls in type(error).__mro__:
        if cls in _ERROR_TYPES:
            return _ERROR_TYPES[cls]
    return protocol.INTERNAL_FAILURE


def _as_protocol_error(error: ServiceError) -> protocol.ProtocolError:
    return protocol.ProtocolError(error_type_for(error), error.message)


# --- The crossings to the ORM ------------------------------------------------------------

# Channels types its wrapper loosely; these say what each crossing gives back.
aauthenticate: Callable[..., Awaitable[User]] = database_sync_to_async(authenticate)
aopen_session: Callable[..., Awaitable[ClientSession]] = database_sync_to_async(
    session_services.open_session
)
aadd_chunk: Callable[..., Awaitable[bytes | None]] = database_sync_to_async(store.add_chunk)
aanswer_call: Callable[..., Awaitable[dict[str, Any]]] = database_sync_to_async(answer_call)


@database_sync_to_async
def aowned_session(*, user: User, session_id: str) -> ClientSession:
    """The user's session, marked used (a write at most once a minute)."""
    session = session_selectors.owned_session(user=user, session_id=session_id)
    session_services.touch_session(session=session)
    return session


# --- The consumer --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """A live subscription: its channel, the group delivering it (None: answered directly),
    and the identity that made it."""

    id: str
    channel: ChannelPath
    group: str | None
    user_id: uuid.UUID


class RealtimeConsumer(AsyncWebsocketConsumer):
    """One client connection: subscriptions, publishes and deliveries.

    Events a client publishes on its session channel are **not** delivered back to the
    channel's subscribers: the server takes AppSync Events' ``onPublish`` handler role, which
    may replace what is broadcast, and replaces each procedure call (or chunk of one) by its
    answer. Echoing would send every request, and every 200 KB chunk of a large one, back to
    all the browser's tabs, which could only discard it. ``publish_success`` acknowledges the
    request; the answer, matched by ``id``, goes to every subscriber of the channel on any
    server process.
    """

    async def connect(self) -> None:
        offered = list(self.scope.get("subprotocols") or [])
        self.connection_headers = protocol.headers_from_subprotocols(offered) or _upgrade_headers(
            self.scope
        )
        self.session_user = await get_user(self.scope) if "session" in self.scope else None
        self.subscriptions: dict[str, Subscription] = {}
        self.group_members: Counter[str] = Counter()
        # Select exactly the AppSync subprotocol, never echoing the header- one.
        await self.accept(
            subprotocol=protocol.SUBPROTOCOL if protocol.SUBPROTOCOL in offered else None
        )
        self.keep_alive = asyncio.create_task(self._keep_alive())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "keep_alive"):
            self.keep_alive.cancel()
        for group in list(getattr(self, "group_members", {})):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # Redis is away; its memberships expire (core) or die with the connection
                # (pub/sub), so a goodbye that cannot be said is only logged.
                logger.warning("Leaving %s failed", group, exc_info=True)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections before every message (a thread hop each);
        # here every ORM use already goes through database_sync_to_async, which does it in its
        # own hop, so deliveries (the bulk of the traffic) skip it.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_frame(self, frame: protocol.Frame) -> None:
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
        except protocol.FrameError as error:
            await self.send_frame(error.answer())
        except Exception:
            # Whatever broke (a database or Redis hiccup), the connection and the process
            # stay up and the client gets the protocol's error, for its operation, without
            # internals.
            logger.exception("Realtime frame failed")
            await self.send_frame(_internal_failure(frame))

    async def connection_init(self) -> None:
        if protocol.bearer_token(self.connection_headers) is not None:
            try:
                await aauthenticate(self.connection_headers, None)
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

    async def _user_for(
        self, authorization: Mapping[str, str] | None, kind: str, op_id: str
    ) -> User:
        """The identity of one operation: its own headers, else the connection's, else the
        page's session."""
        has_own_token = authorization is not None and "authorization" in authorization
        headers = authorization if has_own_token else self.connection_headers
        try:
            return await aauthenticate(headers or {}, self.session_user)
        except ServiceError as error:
            raise protocol.FrameError(
                error_type_for(error), error.message, kind=kind, op_id=op_id
            ) from None

    async def subscribe(self, frame: protocol.Subscribe) -> None:
        def refuse(error_type: str, message: str) -> protocol.FrameError:
            return protocol.FrameError(error_type, message, kind="subscribe", op_id=frame.id)

        if frame.id in self.subscriptions:
            raise refuse(protocol.BAD_REQUEST, f"A subscription with id {frame.id!r} is live.")
        if len(self.subscriptions) >= settings.REALTIME_MAX_SUBSCRIPTIONS:
            raise refuse(
                protocol.LIMIT_EXCEEDED,
                f"A connection has at most {settings.REALTIME_MAX_SUBSCRIPTIONS} subscriptions.",
            )
        try:
            kind = classify(frame.channel)
        except protocol.ProtocolError as error:
            raise refuse(error.error_type, error.message) from None
        user = await self._user_for(frame.authorization, "subscribe", frame.id)
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
        self.subscriptions[frame.id] = Subscription(frame.id, frame.channel, group, user.id)
        await self.send_frame(protocol.subscribe_success(frame.id))

    async def unsubscribe(self, frame: protocol.Unsubscribe) -> None:
        subscription = self.subscriptions.pop(frame.id, None)
        if subscription is None:
            raise protocol.FrameError(
                protocol.BAD_REQUEST,
                f"There is no subscription with id {frame.id!r}.",
                kind="unsubscribe",
                op_id=frame.id,
            )
        group = subscription.group
        if group is not None:
            self.group_members[group] -= 1
            if not self.group_members[group]:
                del self.group_members[group]
                await self.channel_layer.group_discard(group, self.channel_name)
        await self.send_frame(protocol.unsubscribe_success(frame.id))

    async def publish(self, frame: protocol.Publish) -> None:
        try:
            kind = classify(frame.channel)
        except protocol.ProtocolError as error:
            raise protocol.FrameError(
                error.error_type, error.message, kind="publish", op_id=frame.id
            ) from None
        if isinstance(kind, BroadcastChannel):
            raise protocol.FrameError(
                protocol.UNAUTHORIZED,
                f"Only the server publishes on {frame.channel}.",
                kind="publish",
                op_id=frame.id,
            )
        user = await self._user_for(frame.authorization, "publish", frame.id)
        if isinstance(kind, SessionRequestChannel):
            await self.publish_session_request(frame, user)
        else:
            await self.publish_calls(frame, user, kind)

    async def publish_session_request(self, frame: protocol.Publish, user: User) -> None:
        """Answer each session request to this connection's subscriptions of the channel that
        belong to the same user: never through a group, so no one else can receive it."""
        targets = [
            subscription
            for subscription in self.subscriptions.values()
            if subscription.channel == frame.channel and subscription.user_id == user.id
        ]
        if not targets:
            raise protocol.FrameError(
                protocol.BAD_REQUEST,
                f"Subscribe to {frame.channel} first: the session id is sent to that subscription.",
                kind="publish",
                op_id=frame.id,
            )
        accepted: list[int] = []
        failed: list[protocol.EventError] = []
        answers: list[str] = []
        for index, event in enumerate(frame.events):
            try:
                client_uuid = protocol.session_request_client_uuid(protocol.decode_event(event))
                session = await aopen_session(user=user, client_uuid=client_uuid)
            except protocol.ProtocolError as error:
                failed.append(protocol.EventError(index, error.error_type, error.message))
                continue
            except ServiceError as error:
                failed.append(protocol.EventError(index, error_type_for(error), error.message))
                continue
            accepted.append(index)
            answers.append(json.dumps({"type": "session.created", "sessionId": session.session_id}))
        await self.send_frame(protocol.publish_success(frame.id, accepted=accepted, failed=failed))
        for answer in answers:
            for subscription in targets:
                await self.send_frame(protocol.data(subscription.id, answer))

    async def publish_calls(
        self, frame: protocol.Publish, user: User, kind: SessionChannel
    ) -> None:
        """Procedure calls (whole, or chunks of one) on the user's own session channel; the
        answers go to every subscriber of the channel: all tabs of the browser."""
        try:
            session = await aowned_session(user=user, session_id=kind.session_id)
        except ServiceError as error:
            raise protocol.FrameError(
                error_type_for(error), error.message, kind="publish", op_id=frame.id
            ) from None
        accepted: list[int] = []
        failed: list[protocol.EventError] = []
        calls: list[object] = []
        for index, event in enumerate(frame.events):
            try:
                call = await self._call_of(session, protocol.decode_event(event))
            except protocol.ProtocolError as error:
                failed.append(protocol.EventError(index, error.error_type, error.message))
                continue
            accepted.append(index)
            if call is not None:
                calls.append(call)
        await self.send_frame(protocol.publish_success(frame.id, accepted=accepted, failed=failed))
        for call in calls:
            answer = await self._answer(call, user)
            await self._send_on_channel(frame.channel, answer, user)

    async def _call_of(self, session: ClientSession, payload: object) -> object | None:
        """The procedure call an event carries: itself, or once its last chunk is in, the
        whole chunked message (None while chunks are missing)."""
        if not codec.is_chunk(payload):
            return payload
        try:
            whole = await aadd_chunk(session=session, payload=payload)
        except ServiceError as error:
            raise _as_protocol_error(error) from None
        if whole is None:
            return None
        try:
            message: object = json.loads(whole)
        except ValueError:
            raise protocol.ProtocolError(
                protocol.BAD_REQUEST, "The reassembled message is not UTF-8 JSON."
            ) from None
        return message

    async def _answer(self, call: object, user: User) -> dict[str, Any]:
        try:
            return await aanswer_call(call, user=user)
        except Exception:
            logger.exception("Procedure call over the session channel failed")
            call_id = call.get("id") if isinstance(call, dict) else None
            return {
                "id": call_id,
                "error": {
                    "message": "Internal server error",
                    "code": -32603,
                    "data": {"code": "INTERNAL_SERVER_ERROR", "httpStatus": 500},
                },
            }

    async def _send_on_channel(
        self, channel: ChannelPath, answer: dict[str, Any], user: User
    ) -> None:
        """Send an answer to the channel's subscribers, in chunks when it is too large.

        If the channel layer fails, the connection that asked still gets the answer directly
        (other tabs miss it, and the failure is logged): a mutation that committed is never
        answered by silence.
        """
        text = json.dumps(answer, cls=DjangoJSONEncoder, ensure_ascii=False)
        events = (
            [json.dumps(chunk.to_event()) for chunk in codec.split(text)]
            if codec.needs_chunking(text)
            else [text]
        )
        for index, event in enumerate(events):
            try:
                await asend_event(channel, event)
            except Exception:
                logger.exception("Answer on %s could not go through the channel layer", channel)
                await self._send_directly(channel, events[index:], user)
                return

    async def _send_directly(self, channel: ChannelPath, events: list[str], user: User) -> None:
        targets = [
            subscription
            for subscription in self.subscriptions.values()
            if subscription.channel == channel and subscription.user_id == user.id
        ]
        for event in events:
            for subscription in targets:
                await self.send_frame(protocol.data(subscription.id, event))

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

    async def broadcast_event(self, message: dict[str, Any]) -> None:
        """One event from the layer: a ``data`` frame for each subscription of its group."""
        group = message.get("group")
        event = message["event"]
        for subscription in list(self.subscriptions.values()):
            if subscription.group == group:
                await self.send_frame(protocol.data(subscription.id, event))


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
