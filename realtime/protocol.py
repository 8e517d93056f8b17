"""The AppSync Events WebSocket protocol: reading client frames and building server frames.

Pure: no Django. Parsed frames are dataclasses; server frames are JSON-ready dicts shaped as
in ``docs/protocols/appsync-events.md``. the service errors of ``lib.errors`` become AppSync
``errorType`` values here, once. Where AWS's documentation and this module disagree, AWS wins.
"""

import base64
import binascii
import functools
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lib import errors
from realtime.groups import ChannelPath, InvalidChannelPath, parse_channel_path
from realtime.positions import InvalidPosition, Position

SUBPROTOCOL = "aws-appsync-event-ws"
AUTH_SUBPROTOCOL_PREFIX = "header-"
CONNECTION_TIMEOUT_MS = 300_000
MAX_FRAME_BYTES = 240 * 1024
MAX_EVENTS_PER_PUBLISH = 5
_OPERATION_ID = re.compile(r"^[A-Za-z0-9_+-]{1,128}$")

# errorType values, with the HTTP-like errorCode clients use to decide whether to retry.
UNAUTHORIZED = "UnauthorizedException"
BAD_REQUEST = "BadRequestException"
RESOURCE_NOT_FOUND = "ResourceNotFoundException"
LIMIT_EXCEEDED = "LimitExceededException"
INTERNAL_FAILURE = "InternalFailureException"
ERROR_CODES = {
    UNAUTHORIZED: 401,
    BAD_REQUEST: 400,
    RESOURCE_NOT_FOUND: 404,
    LIMIT_EXCEEDED: 429,
    INTERNAL_FAILURE: 500,
}

# The one mapping of service errors to errorTypes; a subclass takes its nearest listed base.
# AppSync has no "unavailable" type: what cannot serve now is an internal failure (errorCode 500,
# which clients retry), with the service's message saying to try again.
_ERROR_TYPES: dict[type[errors.ServiceError], str] = {
    errors.Unauthorized: UNAUTHORIZED,
    errors.Forbidden: UNAUTHORIZED,  # a channel that is not yours
    errors.NotFound: RESOURCE_NOT_FOUND,
    errors.InvalidInput: BAD_REQUEST,
    errors.Conflict: BAD_REQUEST,
    errors.PayloadTooLarge: LIMIT_EXCEEDED,
    errors.TooManyRequests: LIMIT_EXCEEDED,
    errors.ServiceUnavailable: INTERNAL_FAILURE,
}

# The answer type for a failed operation of each kind; anything else gets a bare ``error``.
_ERROR_ANSWERS = {
    "subscribe": "subscribe_error",
    "unsubscribe": "unsubscribe_error",
    "publish": "publish_error",
}

Frame = dict[str, Any]


class ProtocolError(Exception):
    """A frame or an operation that must be refused with ``error_type`` and ``message``."""

    def __init__(self, error_type: str, message: str) -> None:
        self.error_type = error_type
        self.message = message
        super().__init__(message)


def error_type_for(error: errors.ServiceError) -> str:
    """The errorType of a service error; an unlisted one is an internal failure."""
    for cls in type(error).__mro__:
        if cls in _ERROR_TYPES:
            return _ERROR_TYPES[cls]
    return INTERNAL_FAILURE


def protocol_error_for(error: errors.ServiceError) -> ProtocolError:
    return ProtocolError(error_type_for(error), error.message)


class EventError(ProtocolError):
    """One published event that was refused; the other events of its publish still go out."""

    def __init__(self, index: int, error_type: str, message: str) -> None:
        super().__init__(error_type, message)
        self.index = index


class FrameError(ProtocolError):
    """A client frame that cannot be carried out; ``answer()`` is what to send back."""

    def __init__(self, error_type: str, message: str, *, kind: str = "", op_id: str = "") -> None:
        super().__init__(error_type, message)
        self.kind = kind
        self.op_id = op_id

    def answer(self) -> Frame:
        answer_type = _ERROR_ANSWERS.get(self.kind)
        if answer_type and self.op_id:
            return operation_error(answer_type, self.op_id, self.error_type, self.message)
        return error_frame(self.error_type, self.message)


@dataclass(frozen=True)
class ConnectionInit:
    pass


@dataclass(frozen=True)
class Subscribe:
    """A subscribe frame; ``since`` is Inkwell's extension: the position of the last event the
    client saw, to be sent what it missed (standard AppSync clients never send it)."""

    id: str
    channel: ChannelPath
    authorization: Mapping[str, str] | None = None
    since: Position | None = None


@dataclass(frozen=True)
class Unsubscribe:
    id: str


@dataclass(frozen=True)
class Publish:
    id: str
    channel: ChannelPath
    events: list[Any] = field(default_factory=list)
    authorization: Mapping[str, str] | None = None


ClientFrame = ConnectionInit | Subscribe | Unsubscribe | Publish


# --- Authorization headers ---------------------------------------------------------------


def headers_from_subprotocols(subprotocols: list[str]) -> dict[str, str]:
    """The headers inside a ``header-<base64url JSON>`` subprotocol (lower-cased names).

    Clients strip the ``=`` padding, so it is put back before decoding. A value that is not
    base64url JSON of an object counts as no headers at all.
    """
    for offered in subprotocols:
        if not offered.startswith(AUTH_SUBPROTOCOL_PREFIX):
            continue
        encoded = offered[len(AUTH_SUBPROTOCOL_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            return normalise_headers(json.loads(raw))
        except (binascii.Error, ValueError, RecursionError):
            return {}
    return {}


def normalise_headers(raw: object) -> dict[str, str]:
    """Header names lower-cased, keeping only string values; anything but an object is empty."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(k).lower(): v for k, v in raw.items() if isinstance(v, str)}


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The JWT in ``Authorization``: ``Bearer <JWT>`` or the bare JWT."""
    value = headers.get("authorization", "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


# --- Client frames -----------------------------------------------------------------------


def parse_frame(text: str) -> ClientFrame:
    """Read one client frame; raise FrameError with the answer the protocol gives otherwise."""
    try:
        content = json.loads(text)
    except ValueError:
        raise FrameError(BAD_REQUEST, "The frame is not valid JSON.") from None
    except RecursionError:
        raise FrameError(BAD_REQUEST, "The frame is nested too deeply.") from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise FrameError(BAD_REQUEST, "The frame has no type.")
    kind = content["type"]
    raw_id = content.get("id")
    op_id = raw_id if isinstance(raw_id, str) and _OPERATION_ID.match(raw_id) else ""
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise FrameError(
            LIMIT_EXCEEDED,
            f"The frame is larger than {MAX_FRAME_BYTES // 1024} KB; send large messages "
            "in chunks.",
            kind=kind,
            op_id=op_id,
        )
    if kind == "connection_init":
        return ConnectionInit()
    if kind not in _ERROR_ANSWERS:
        raise FrameError(BAD_REQUEST, f"Unknown message type {kind[:40]!r}.")
    if not op_id:
        raise FrameError(
            BAD_REQUEST,
            "An operation needs an id of 1-128 letters, digits, '_', '+' or '-'.",
            kind=kind,
        )
    if kind == "unsubscribe":
        return Unsubscribe(op_id)
    try:
        channel = parse_channel_path(content.get("channel"))
    except InvalidChannelPath as error:
        raise FrameError(BAD_REQUEST, str(error), kind=kind, op_id=op_id) from None
    authorization = content.get("authorization")
    headers = normalise_headers(authorization) if isinstance(authorization, Mapping) else None
    if kind == "subscribe":
        return Subscribe(op_id, channel, headers, _since(content, op_id))
    events = content.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS_PER_PUBLISH:
        raise FrameError(
            BAD_REQUEST,
            f"A publish carries 1 to {MAX_EVENTS_PER_PUBLISH} events.",
            kind=kind,
            op_id=op_id,
        )
    if channel.is_wildcard:
        raise FrameError(
            BAD_REQUEST, "Events cannot be published to a wildcard channel.", kind=kind, op_id=op_id
        )
    return Publish(op_id, channel, events, headers)


def _since(content: dict[str, Any], op_id: str) -> Position | None:
    """The ``since`` of a subscribe frame: absent, or a position on a concrete channel."""
    if "since" not in content:
        return None
    try:
        return Position.parse(content["since"])
    except InvalidPosition as error:
        raise FrameError(BAD_REQUEST, f"since: {error}", kind="subscribe", op_id=op_id) from None


def decode_event(event: object) -> Any:
    """The JSON value inside one published event, which must be a string holding JSON."""
    if not isinstance(event, str):
        raise ProtocolError(BAD_REQUEST, "An event must be a string holding JSON.")
    return decode_json(event, what="event")


def decode_json(text: str | bytes, *, what: str) -> Any:
    """The JSON value of ``text`` (an event, a reassembled message); BAD_REQUEST if it is not
    JSON or nests deeper than the parser goes."""
    try:
        return json.loads(text)
    except ValueError:
        raise ProtocolError(BAD_REQUEST, f"The {what} is not valid JSON.") from None
    except RecursionError:
        raise ProtocolError(BAD_REQUEST, f"The {what} is nested too deeply.") from None


def session_request_client_uuid(payload: object) -> uuid.UUID:
    """The ``clientUuid`` of a ``{"type": "session.request", "clientUuid": …}`` event."""
    if not isinstance(payload, dict) or payload.get("type") != "session.request":
        raise ProtocolError(
            BAD_REQUEST, 'A session request is {"type": "session.request", "clientUuid": …}.'
        )
    raw = payload.get("clientUuid")
    try:
        return uuid.UUID(raw)
    except (TypeError, ValueError, AttributeError):
        raise ProtocolError(BAD_REQUEST, "clientUuid must be a UUID.") from None


# --- Server frames -----------------------------------------------------------------------


def error_object(error_type: str, message: str) -> dict[str, Any]:
    return {"errorType": error_type, "errorCode": ERROR_CODES[error_type], "message": message}


def error_frame(error_type: str, message: str) -> Frame:
    return {"type": "error", "errors": [error_object(error_type, message)]}


def operation_error(answer_type: str, op_id: str, error_type: str, message: str) -> Frame:
    return {"type": answer_type, "id": op_id, "errors": [error_object(error_type, message)]}


def connection_ack() -> Frame:
    return {"type": "connection_ack", "connectionTimeoutMs": CONNECTION_TIMEOUT_MS}


def connection_error(error_type: str, message: str) -> Frame:
    return {"type": "connection_error", "errors": [error_object(error_type, message)]}


def keep_alive() -> Frame:
    return {"type": "ka"}


def subscribe_success(op_id: str, *, position: Position | None = None) -> Frame:
    """A subscription is live. On a concrete ``/subscriptions/…`` channel, Inkwell adds where
    it starts (``position``: the channel's head, ``{"epoch": "", "offset": 0}`` before its first
    event), which a client hands back as ``since`` after a drop."""
    frame: Frame = {"type": "subscribe_success", "id": op_id}
    if position is not None:
        frame["position"] = position.as_json()
    return frame


def recovery_success(
    op_id: str, *, recovered: bool, position: Position, message: str = ""
) -> Frame:
    """The answer to a subscribe that asked to recover (``since``): whether the events after it
    follow (``recovered``; then they come next, before any live one), or the client must reload
    its state (and ``message`` says why); ``position`` as for any subscription."""
    frame = subscribe_success(op_id, position=position) | {"recovered": recovered}
    if message:
        frame["message"] = message
    return frame


def unsubscribe_success(op_id: str) -> Frame:
    return {"type": "unsubscribe_success", "id": op_id}


def publish_success(op_id: str, *, accepted: list[int], failed: list[EventError]) -> Frame:
    """The answer to a publish: the indices of the events that went out and those refused."""
    return {
        "type": "publish_success",
        "id": op_id,
        "successful": [{"identifier": f"{op_id}-{index}", "index": index} for index in accepted],
        "failed": [
            {
                "identifier": f"{op_id}-{error.index}",
                "index": error.index,
                "code": ERROR_CODES[error.error_type],
                "message": error.message,
            }
            for error in failed
        ],
    }


def data(op_id: str, event: str) -> Frame:
    """One event for one subscription; the event is always a string holding JSON."""
    return {"type": "data", "id": op_id, "event": event}


def data_text(op_id: str, event: str) -> str:
    """``data(op_id, event)`` as the text of its frame (compact JSON, not ASCII-escaped).

    A broadcast reaches thousands of subscriptions with the same event string: it is escaped
    as JSON once, not once per subscription.
    """
    escaped_id = json.dumps(op_id, ensure_ascii=False)
    return '{"type":"data","id":' + escaped_id + ',"event":' + _escaped_event(event) + "}"


# A few: the subscriptions of one broadcast are served one after another; a chunked answer's
# events (up to 200 KB each) must not stay here long.
@functools.lru_cache(maxsize=4)
def _escaped_event(event: str) -> str:
    return json.dumps(event, ensure_ascii=False)
