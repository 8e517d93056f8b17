"""The AppSync session channel as a transport of procedure calls: the twin of ``api.views``.

Session requests on ``/trpc/session-request-<ts>``, and on ``/trpc/<session-id>`` procedure
calls (whole, or chunks reassembled by ``chunking.store``) run through
``api.dispatch.call_procedure``, answered in ``api.trpc``'s envelopes and JSON: written straight
to the asking connection, then through the channel layer to the channel's other subscribers
(the browser's other tabs, on any process). A publish crosses to the ORM once, to know who
publishes, their session and the calls its events carry, and to answer the whole calls; a
chunked call completed by its last chunk runs in a second crossing, after the acknowledgement.
A chunked call is recorded before its last chunk is acknowledged and runs once, with its
answer kept: the client that re-sends it after a lost connection gets that answer.
"""

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from api import trpc
from api.dispatch import call_procedure, error_for_exception, open_subscription
from chunking import codec, store
from lib.errors import ServiceError
from realtime import protocol, subscriptions
from realtime.broadcast import asend_event
from realtime.groups import ChannelPath
from realtime.identity import authenticate
from sessions_app import selectors as session_selectors
from sessions_app import services as session_services
from sessions_app.models import ClientSession

logger = logging.getLogger(__name__)


class Connection(Protocol):
    """What the session channel needs of the socket it serves."""

    channel_name: str

    async def send_frame(self, frame: protocol.Frame) -> None: ...

    def subscription_ids(self, channel: ChannelPath, user_id: uuid.UUID) -> list[str]:
        """The ids of this connection's subscriptions to ``channel`` made by ``user_id``."""
        ...

    @property
    def followed(self) -> "subscriptions.FollowedSubscriptions":
        """The subscription procedures this connection follows."""
        ...


# --- Calls ---------------------------------------------------------------------------------


def answer_call(message: object, *, user: User) -> dict[str, Any]:
    """Answer one decoded tRPC WebSocket request
    (``{"id", "method": "query"|"mutation", "params": {"path", "input"}}``, with
    ``"idempotencyKey"`` for a mutation to run at most once per user and key: its retries,
    whatever their id, get the first answer under their own id).

    Synchronous (it touches the ORM): call it as ``aanswer_call``. Returns the whole answer,
    ``{"id", "result": {"type": "data", "data"}}`` or ``{"id", "error"}``, with the same codes,
    rate limits and transformer rule as over HTTP; a malformed request gets a BAD_REQUEST
    answer, never an exception.
    """
    parsed = _parsed(message)
    if isinstance(parsed, dict):
        return parsed
    if parsed.kind == "subscription":
        error = trpc.TrpcError(
            "BAD_REQUEST", "A subscription is sent whole, not in chunks.", parsed.call.path
        )
        return trpc.ws_answer(parsed.id, error, uses_superjson=parsed.uses_superjson)
    outcome = call_procedure(
        path=parsed.call.path,
        kind=parsed.kind,
        raw_input=parsed.call.input,
        user=user,
        idempotency_key=parsed.idempotency_key,
    )
    return trpc.ws_answer(parsed.id, outcome, uses_superjson=parsed.uses_superjson)


def _parsed(message: object) -> trpc.WsRequest | dict[str, Any]:
    """The request ``message`` holds, or the answer refusing it."""
    parsed = trpc.parse_ws_request(message, transformer=settings.API_TRPC_TRANSFORMER)
    if isinstance(parsed, tuple):
        request_id, error = parsed
        uses_superjson = settings.API_TRPC_TRANSFORMER == "superjson"
        return trpc.ws_answer(request_id, error, uses_superjson=uses_superjson)
    return parsed


def answer_chunked_call(
    *, session: ClientSession, message_id: str, call: object, user: User
) -> str:
    """The answer text of the chunked call ``message_id``, recorded by ``chunking.store``: the
    stored one when it has run, else ``call`` run now, its answer stored with its writes.

    Synchronous (it touches the ORM): call it as ``aanswer_chunked_call``.
    """
    return store.answer_once(
        session=session, message_id=message_id, run=lambda: _json(answer_call(call, user=user))
    )


@dataclass(frozen=True)
class _Call:
    """A procedure call published on the channel: a whole one, with its ``answer`` (it ran in
    the crossing that read it), or a chunked one, named by ``message_id``, that runs once
    its last chunk is acknowledged. A subscription's start comes ``opened`` (its checks passed
    in the crossing), its stop as ``stop_id``: the connection follows them
    (``subscriptions.FollowedSubscriptions``)."""

    message: object
    message_id: str | None = None
    answer: str | None = None
    opened: "subscriptions.Start | None" = None
    stop_id: int | str | None = None


@dataclass(frozen=True)
class CallsPublished:
    """What a publish on a session channel carries, as one crossing to the ORM found it."""

    user: User
    session: ClientSession
    accepted: list[int]
    failed: list[protocol.EventError]
    calls: list[_Call]


def calls_published(
    *,
    headers: Mapping[str, str],
    session_user: User | AnonymousUser | None,
    session_id: str,
    events: list[object],
) -> CallsPublished:
    """Who publishes (``realtime.identity``), their session ``session_id`` (marked used), and
    the calls ``events`` carry, each chunk recorded and each whole call answered: one
    crossing to the ORM before the publish is acknowledged (a chunked call runs after).

    Synchronous: call it as ``acalls_published``. Raises the ServiceError refusing the whole
    publish; an event that is not a call is listed in ``failed``.
    """
    user = authenticate(headers, session_user)
    session = owned_session(user=user, session_id=session_id)
    accepted: list[int] = []
    failed: list[protocol.EventError] = []
    calls: list[_Call] = []
    for index, event in enumerate(events):
        try:
            call = _call_of(session, protocol.decode_event(event))
        except protocol.ProtocolError as error:
            failed.append(protocol.EventError(index, error.error_type, error.message))
            continue
        accepted.append(index)
        if call is not None and call.message_id is None:
            call = _whole_call(call.message, user=user)
        if call is not None:
            calls.append(call)
    return CallsPublished(user, session, accepted, failed, calls)


def _whole_call(message: object, *, user: User) -> _Call:
    """A whole call, answered now; or a subscription's start, checked now, or its stop."""
    stop_id = trpc.ws_stop_id(message)
    if stop_id is not None:
        return _Call(message, stop_id=stop_id)
    parsed = _parsed(message)
    if isinstance(parsed, dict) or parsed.kind != "subscription" or parsed.id is None:
        return _Call(message, answer=_answer_whole(message, user=user))
    try:
        opened = open_subscription(path=parsed.call.path, raw_input=parsed.call.input, user=user)
    except Exception as error:
        return _Call(message, answer=_failure_answer(message, error))
    if isinstance(opened, trpc.TrpcError):
        answer = trpc.ws_answer(parsed.id, opened, uses_superjson=parsed.uses_superjson)
        return _Call(message, answer=_json(answer))
    start = subscriptions.Start(parsed.id, opened, uses_superjson=parsed.uses_superjson)
    return _Call(message, opened=start)


def _answer_whole(message: object, *, user: User) -> str:
    """The answer text of a whole call, run now: when the database fails under it, the tRPC
    error for that failure, as for a chunked call whose crossing fails."""
    try:
        return _json(answer_call(message, user=user))
    except Exception as error:
        return _failure_answer(message, error)


def owned_session(*, user: User, session_id: str) -> ClientSession:
    """The user's session, marked used (a write at most once a minute)."""
    session = session_selectors.owned_session(user=user, session_id=session_id)
    session_services.touch_session(session=session)
    return session


def _call_of(session: ClientSession, payload: object) -> _Call | None:
    """The procedure call an event carries: itself, or once its last chunk is in, the
    whole chunked message (None while chunks are missing)."""
    if not codec.is_chunk(payload):
        return _Call(payload)
    try:
        whole = store.add_chunk(session=session, payload=payload)
    except ServiceError as error:
        raise protocol.protocol_error_for(error) from None
    if whole is None:
        return None
    message: object = protocol.decode_json(whole, what="reassembled message")
    return _Call(message, message_id=codec.parse_chunk(payload).message_id)


# --- The crossings to the ORM ----------------------------------------------------------------

# Channels types its wrapper loosely; these say what each crossing gives back.
aopen_session: Callable[..., Awaitable[ClientSession]] = database_sync_to_async(
    session_services.open_session
)
acalls_published: Callable[..., Awaitable[CallsPublished]] = database_sync_to_async(calls_published)
aanswer_chunked_call: Callable[..., Awaitable[str]] = database_sync_to_async(answer_chunked_call)
aowned_session: Callable[..., Awaitable[ClientSession]] = database_sync_to_async(owned_session)


# --- Publishes -----------------------------------------------------------------------------


async def publish_session_request(
    connection: Connection, frame: protocol.Publish, user: User
) -> None:
    """Answer each session request to this connection's subscriptions of the channel that
    belong to the same user: never through a group, so no one else can receive it."""
    targets = connection.subscription_ids(frame.channel, user.id)
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
            failed.append(protocol.EventError(index, protocol.error_type_for(error), error.message))
            continue
        accepted.append(index)
        answers.append(_json({"type": "session.created", "sessionId": session.session_id}))
    await connection.send_frame(
        protocol.publish_success(frame.id, accepted=accepted, failed=failed)
    )
    await _send_directly(connection, targets, answers)


async def publish_calls(
    connection: Connection,
    frame: protocol.Publish,
    *,
    headers: Mapping[str, str],
    session_user: User | AnonymousUser | None,
    session_id: str,
    answered: Callable[[], None],
) -> None:
    """Procedure calls (whole, or chunks of one) on the publisher's own session channel; the
    answers go to every subscriber of the channel: all tabs of the browser.

    This connection is given all its answers first; then ``answered`` is called, and the other
    subscribers are sent theirs.
    """
    try:
        published = await acalls_published(
            headers=headers, session_user=session_user, session_id=session_id, events=frame.events
        )
    except ServiceError as error:
        raise protocol.FrameError(
            protocol.error_type_for(error), error.message, kind="publish", op_id=frame.id
        ) from None
    # A chunked call is recorded by now: once acknowledged, it survives this process.
    await connection.send_frame(
        protocol.publish_success(frame.id, accepted=published.accepted, failed=published.failed)
    )
    answers: list[list[str]] = []
    for call in published.calls:
        if call.opened is not None or call.stop_id is not None:
            # Only this connection asked: its subscription's messages go to it alone.
            sender = subscriptions.Sender(
                functools.partial(_send_to_asker, connection, frame.channel, user=published.user)
            )
            if call.opened is not None:
                await connection.followed.start(call.opened, sender)
            else:
                assert call.stop_id is not None
                await connection.followed.stop(call.stop_id, sender)
            continue
        answer = call.answer
        if answer is None:
            answer = await _answer_chunked(call, published.session, published.user)
        events = _answer_events(answer)
        targets = connection.subscription_ids(frame.channel, published.user.id)
        await _send_directly(connection, targets, events)
        answers.append(events)
    answered()
    for events in answers:
        await _send_to_others(connection, frame.channel, events)


async def _answer_chunked(call: _Call, session: ClientSession, user: User) -> str:
    """The answer to the chunked ``call``; when the crossing itself fails (the database is away
    before the call could run), the tRPC error for that failure, so the caller is never left
    waiting."""
    assert call.message_id is not None
    try:
        return await aanswer_chunked_call(
            session=session, message_id=call.message_id, call=call.message, user=user
        )
    except Exception as error:
        return _failure_answer(call.message, error)


def _failure_answer(message: object, error: Exception) -> str:
    """The tRPC error answer (text) to the call ``message`` whose run failed with ``error``."""
    call_id = message.get("id") if isinstance(message, dict) else None
    request_id = call_id if isinstance(call_id, int | str) else None
    return _json(trpc.ws_answer(request_id, error_for_exception(error, None), uses_superjson=False))


def _answer_events(text: str) -> list[str]:
    """The events carrying an answer's text: itself, or its chunks when it is too large."""
    if codec.needs_chunking(text):
        return [_json(chunk.to_event()) for chunk in codec.split(text)]
    return [text]


async def _send_to_asker(
    connection: Connection, channel: ChannelPath, text: str, *, user: User
) -> None:
    """An answer's text to this connection's subscriptions of ``channel`` by ``user``, in
    chunks when it is too large."""
    await _send_directly(
        connection, connection.subscription_ids(channel, user.id), _answer_events(text)
    )


async def _send_to_others(connection: Connection, channel: ChannelPath, events: list[str]) -> None:
    """Send an answer's events to the channel's other subscribers, through the channel layer,
    which skips this connection (it has them already, written straight to its socket, never
    waiting for a trip through Redis). If the layer fails they miss it, and the failure is
    logged."""
    for event in events:
        try:
            await asend_event(channel, event, skip_channel=connection.channel_name)
        except Exception:
            logger.exception("Answer on %s could not reach its other subscribers", channel)
            return


async def _send_directly(connection: Connection, targets: list[str], events: list[str]) -> None:
    for event in events:
        for subscription_id in targets:
            await connection.send_frame(protocol.data(subscription_id, event))


def _json(value: object) -> str:
    """An event's text: JSON as the HTTP transport writes it."""
    return trpc.dumps(value).decode()
