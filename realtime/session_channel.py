"""The AppSync session channel as a transport of procedure calls: the twin of ``api.views``.

Session requests on ``/trpc/session-request-<ts>``, and on ``/trpc/<session-id>`` procedure
calls (whole, or chunks reassembled by ``chunking.store``) run through
``api.dispatch.call_procedure``, answered in ``api.trpc``'s envelopes and JSON to every
subscriber of the channel, or straight to the asking connection when the channel layer fails.
A chunked call is recorded before its last chunk is acknowledged and runs once, with its
answer kept: the client that re-sends it after a lost connection gets that answer.
"""

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from accounts.models import User
from api import trpc
from api.dispatch import call_procedure, error_for_exception
from chunking import codec, store
from lib.errors import ServiceError
from realtime import protocol
from realtime.broadcast import asend_event
from realtime.groups import ChannelPath
from sessions_app import selectors as session_selectors
from sessions_app import services as session_services
from sessions_app.models import ClientSession

logger = logging.getLogger(__name__)


class Connection(Protocol):
    """What the session channel needs of the socket it serves."""

    async def send_frame(self, frame: protocol.Frame) -> None: ...

    def subscription_ids(self, channel: ChannelPath, user_id: uuid.UUID) -> list[str]:
        """The ids of this connection's subscriptions to ``channel`` made by ``user_id``."""
        ...


# --- Calls ---------------------------------------------------------------------------------


def answer_call(message: object, *, user: User) -> dict[str, Any]:
    """Answer one decoded tRPC WebSocket request
    (``{"id", "method": "query"|"mutation", "params": {"path", "input"}}``).

    Synchronous (it touches the ORM): call it as ``aanswer_call``. Returns the whole answer,
    ``{"id", "result": {"type": "data", "data"}}`` or ``{"id", "error"}``, with the same codes,
    rate limits and transformer rule as over HTTP; a malformed request gets a BAD_REQUEST
    answer, never an exception.
    """
    parsed = trpc.parse_ws_request(message, transformer=settings.API_TRPC_TRANSFORMER)
    if isinstance(parsed, tuple):
        request_id, error = parsed
        uses_superjson = settings.API_TRPC_TRANSFORMER == "superjson"
        return trpc.ws_answer(request_id, error, uses_superjson=uses_superjson)
    outcome = call_procedure(
        path=parsed.call.path, kind=parsed.kind, raw_input=parsed.call.input, user=user
    )
    return trpc.ws_answer(parsed.id, outcome, uses_superjson=parsed.uses_superjson)


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


# --- The crossings to the ORM ----------------------------------------------------------------

# Channels types its wrapper loosely; these say what each crossing gives back.
aanswer_call: Callable[..., Awaitable[dict[str, Any]]] = database_sync_to_async(answer_call)
aopen_session: Callable[..., Awaitable[ClientSession]] = database_sync_to_async(
    session_services.open_session
)
aadd_chunk: Callable[..., Awaitable[bytes | None]] = database_sync_to_async(store.add_chunk)
aanswer_chunked_call: Callable[..., Awaitable[str]] = database_sync_to_async(answer_chunked_call)


@database_sync_to_async
def aowned_session(*, user: User, session_id: str) -> ClientSession:
    """The user's session, marked used (a write at most once a minute)."""
    session = session_selectors.owned_session(user=user, session_id=session_id)
    session_services.touch_session(session=session)
    return session


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
    for answer in answers:
        for subscription_id in targets:
            await connection.send_frame(protocol.data(subscription_id, answer))


async def publish_calls(
    connection: Connection, frame: protocol.Publish, user: User, session_id: str
) -> None:
    """Procedure calls (whole, or chunks of one) on the user's own session channel; the
    answers go to every subscriber of the channel: all tabs of the browser."""
    try:
        session = await aowned_session(user=user, session_id=session_id)
    except ServiceError as error:
        raise protocol.FrameError(
            protocol.error_type_for(error), error.message, kind="publish", op_id=frame.id
        ) from None
    accepted: list[int] = []
    failed: list[protocol.EventError] = []
    calls: list[_Call] = []
    for index, event in enumerate(frame.events):
        try:
            call = await _call_of(session, protocol.decode_event(event))
        except protocol.ProtocolError as error:
            failed.append(protocol.EventError(index, error.error_type, error.message))
            continue
        accepted.append(index)
        if call is not None:
            calls.append(call)
    # A chunked call is recorded by now: once acknowledged, it survives this process.
    await connection.send_frame(
        protocol.publish_success(frame.id, accepted=accepted, failed=failed)
    )
    for call in calls:
        answer = await _answer(call, session, user)
        await _send_on_channel(connection, frame.channel, answer, user)


@dataclass(frozen=True)
class _Call:
    """A procedure call published on the channel; ``message_id`` names a chunked one."""

    message: object
    message_id: str | None = None


async def _call_of(session: ClientSession, payload: object) -> _Call | None:
    """The procedure call an event carries: itself, or once its last chunk is in, the
    whole chunked message (None while chunks are missing)."""
    if not codec.is_chunk(payload):
        return _Call(payload)
    try:
        whole = await aadd_chunk(session=session, payload=payload)
    except ServiceError as error:
        raise protocol.protocol_error_for(error) from None
    if whole is None:
        return None
    message: object = protocol.decode_json(whole, what="reassembled message")
    return _Call(message, message_id=codec.parse_chunk(payload).message_id)


async def _answer(call: _Call, session: ClientSession, user: User) -> str:
    """The answer to ``call``; when the crossing itself fails (the database is away before the
    call could run), the tRPC error for that failure, so the caller is never left waiting."""
    try:
        if call.message_id is not None:
            return await aanswer_chunked_call(
                session=session, message_id=call.message_id, call=call.message, user=user
            )
        return _json(await aanswer_call(call.message, user=user))
    except Exception as error:
        call_id = call.message.get("id") if isinstance(call.message, dict) else None
        request_id = call_id if isinstance(call_id, int | str) else None
        return _json(
            trpc.ws_answer(request_id, error_for_exception(error, None), uses_superjson=False)
        )


async def _send_on_channel(
    connection: Connection, channel: ChannelPath, text: str, user: User
) -> None:
    """Send an answer's text to the channel's subscribers, in chunks when it is too large.

    If the channel layer fails, the connection that asked still gets the answer directly
    (other tabs miss it, and the failure is logged): a mutation that committed is never
    answered by silence.
    """
    events = (
        [_json(chunk.to_event()) for chunk in codec.split(text)]
        if codec.needs_chunking(text)
        else [text]
    )
    for index, event in enumerate(events):
        try:
            await asend_event(channel, event)
        except Exception:
            logger.exception("Answer on %s could not go through the channel layer", channel)
            await _send_directly(connection, channel, events[index:], user)
            return


async def _send_directly(
    connection: Connection, channel: ChannelPath, events: list[str], user: User
) -> None:
    targets = connection.subscription_ids(channel, user.id)
    for event in events:
        for subscription_id in targets:
            await connection.send_frame(protocol.data(subscription_id, event))


def _json(value: object) -> str:
    """An event's text: JSON as the HTTP transport writes it."""
    return trpc.dumps(value).decode()
