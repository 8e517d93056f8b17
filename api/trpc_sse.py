"""tRPC's Server-Sent Events (``httpSubscriptionLink``), pure: the events, the headers, and what a
subscription request carries besides its input (the resume id, ``connectionParams``).

As ``@trpc/server`` 11.25.2 writes them (``stream/sse.ts``, ``http/contentType.ts``,
``http/parseConnectionParams.ts``): each event is its field lines in the order ``event:``,
``data:``, ``id:``, then ``\\n\\n`` (so a blank line and one more end it). ``connected`` comes
first, its data the client options as plain JSON; each value is a message event whose data is
the transformer's form of the value (SuperJSON: ``{"json", "meta"}``) and whose ``id:`` is the
position to resume after; ``ping`` keeps the line alive; ``serialized-error`` (the error shape,
transformed) ends a stream that failed, ``return`` one that is over. See
``docs/protocols/trpc-streaming.md``.
"""

import json
from collections.abc import Mapping
from typing import Any

from api import superjson
from api.superjson import UNDEFINED
from api.trpc import TrpcError, dumps

STREAM_MEDIA_TYPE = "text/event-stream"
# tRPC's sseHeaders, on every stream. Connection is HTTP/1.1's to manage; tRPC sends it anyway.
HEADERS = {
    "Content-Type": STREAM_MEDIA_TYPE,
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
    "Connection": "keep-alive",
}
# The input key a subscription's resume id is merged into, as tRPC merges it.
LAST_EVENT_ID = "lastEventId"
PING = b"event: ping\ndata: \n\n\n"
RETURN = b"event: return\ndata: \n\n\n"


def connected(client_options: Mapping[str, int]) -> bytes:
    """The first event: the options the client applies (``reconnectAfterInactivityMs``)."""
    return _event(event="connected", data=json.dumps(dict(client_options), separators=(",", ":")))


def message(value: Any, event_id: str, *, uses_superjson: bool) -> bytes:
    """A value of the subscription, tracked by ``event_id`` (tRPC's ``tracked(id, value)``)."""
    if not event_id or any(character in event_id for character in "\0\r\n"):
        raise ValueError(f"An event id is a non-empty line, not {event_id!r}.")
    return _event(data=_text(value, uses_superjson=uses_superjson), event_id=event_id)


def serialized_error(error: TrpcError, *, uses_superjson: bool) -> bytes:
    """The event that ends a failed stream: the error's shape, as the transformer writes it. The
    client retries an INTERNAL_SERVER_ERROR-class code (-32603) and gives up on any other."""
    return _event(
        event="serialized-error", data=_text(error.shape(), uses_superjson=uses_superjson)
    )


def last_event_id(*, header: str | None, query: Mapping[str, str]) -> str | None:
    """The id a client resumes after: the ``Last-Event-ID`` header (EventSource's own
    reconnection), else the ``lastEventId`` query parameter, else ``Last-Event-Id``."""
    for candidate in (header, query.get("lastEventId"), query.get("Last-Event-Id")):
        if candidate is not None:
            return candidate
    return None


def with_last_event_id(raw_input: Any, event_id: str | None) -> Any:
    """The input with ``event_id`` merged in as ``lastEventId``, as tRPC merges it: into an
    object input (over a ``lastEventId`` it held), or as the whole input when there was none;
    any other input is left as it is."""
    if not event_id:
        return raw_input
    if isinstance(raw_input, dict):
        return {**raw_input, LAST_EVENT_ID: event_id}
    if raw_input is UNDEFINED or raw_input is None:
        return {LAST_EVENT_ID: event_id}
    return raw_input


def connection_params(text: str | None) -> dict[str, str] | TrpcError | None:
    """The ``connectionParams`` query parameter: a JSON object of strings, or null; absent is
    None. Anything else is PARSE_ERROR, as tRPC answers it, for the whole request."""
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return TrpcError("PARSE_ERROR", "Not JSON-parsable query params")
    if parsed is None:
        return None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        return TrpcError("PARSE_ERROR", "Invalid connection params shape")
    return parsed


def _text(value: Any, *, uses_superjson: bool) -> str:
    encoded = superjson.serialize(value) if uses_superjson else superjson.to_plain_json(value)
    return dumps(encoded).decode()


def _event(*, data: str, event: str | None = None, event_id: str | None = None) -> bytes:
    lines = [] if event is None else [f"event: {event}\n"]
    lines.append(f"data: {data}\n")
    if event_id is not None:
        lines.append(f"id: {event_id}\n")
    lines.append("\n\n")
    return "".join(lines).encode()
