"""The tRPC wire protocol (v10/v11), pure: error codes, envelopes, HTTP and WebSocket requests.

No Django here: transports hand in what arrived (method, path, query, body) and get dataclasses
back; ``api.dispatch`` runs the calls. See ``docs/protocols/trpc-http.md``.
"""

import json
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard
from urllib.parse import unquote

import orjson

from api import superjson
from api.superjson import UNDEFINED, SuperjsonError

Kind = Literal["query", "mutation"]
Transformer = Literal["auto", "json", "superjson"]
TRANSFORMERS: tuple[Transformer, ...] = ("auto", "json", "superjson")


def is_transformer(name: str) -> TypeGuard[Transformer]:
    """Whether ``name`` (a header's or setting's value) names a transformer."""
    return name in TRANSFORMERS


# NAME: (JSON-RPC code, HTTP status), as tRPC's TRPC_ERROR_CODES_BY_KEY and getHTTPStatusCode.
ERROR_CODES: dict[str, tuple[int, int]] = {
    "PARSE_ERROR": (-32700, 400),
    "BAD_REQUEST": (-32600, 400),
    "INTERNAL_SERVER_ERROR": (-32603, 500),
    "NOT_IMPLEMENTED": (-32603, 501),
    "BAD_GATEWAY": (-32603, 502),
    "SERVICE_UNAVAILABLE": (-32603, 503),
    "GATEWAY_TIMEOUT": (-32603, 504),
    "UNAUTHORIZED": (-32001, 401),
    "PAYMENT_REQUIRED": (-32002, 402),
    "FORBIDDEN": (-32003, 403),
    "NOT_FOUND": (-32004, 404),
    "METHOD_NOT_SUPPORTED": (-32005, 405),
    "TIMEOUT": (-32008, 408),
    "CONFLICT": (-32009, 409),
    "PRECONDITION_FAILED": (-32012, 412),
    "PAYLOAD_TOO_LARGE": (-32013, 413),
    "UNSUPPORTED_MEDIA_TYPE": (-32015, 415),
    "UNPROCESSABLE_CONTENT": (-32022, 422),
    "PRECONDITION_REQUIRED": (-32028, 428),
    "TOO_MANY_REQUESTS": (-32029, 429),
    "CLIENT_CLOSED_REQUEST": (-32099, 499),
}
MULTI_STATUS = 207
MAX_BATCH_SIZE = 20


@dataclass(frozen=True)
class TrpcError:
    """A failed call as the protocol describes it; ``data`` adds to ``error.data``
    (``fieldErrors``, ``stack``); ``retry_after`` (seconds) is for the transport to pass on
    (HTTP's Retry-After), never part of the envelope, and so is ``replayed`` (the answer kept
    from a first call with the same idempotency key, ``api.idempotency``)."""

    code: str
    message: str
    path: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    retry_after: int | None = None
    replayed: bool = False

    def __post_init__(self) -> None:
        if self.code not in ERROR_CODES:
            raise ValueError(f"Unknown tRPC error code {self.code!r}")

    @property
    def json_rpc_code(self) -> int:
        return ERROR_CODES[self.code][0]

    @property
    def http_status(self) -> int:
        return ERROR_CODES[self.code][1]

    def at(self, path: str) -> "TrpcError":
        return TrpcError(self.code, self.message, path, self.data, self.retry_after, self.replayed)

    def shape(self) -> dict[str, Any]:
        """The ``error`` object: message, numeric code, and ``data`` with the name and status."""
        data = {"code": self.code, "httpStatus": self.http_status, "path": self.path}
        return {"message": self.message, "code": self.json_rpc_code, "data": {**data, **self.data}}


@dataclass(frozen=True)
class Success:
    data: Any
    path: str | None = None
    replayed: bool = False  # as TrpcError's


Outcome = Success | TrpcError


@dataclass(frozen=True)
class Call:
    """One procedure call: its path and its input (decoded, ``UNDEFINED``, or the TrpcError
    that reading it raised)."""

    path: str
    input: Any


@dataclass(frozen=True)
class HttpRequest:
    kind: Kind
    calls: list[Call]
    is_batch: bool
    uses_superjson: bool


# --- envelopes ------------------------------------------------------------------------------


def envelope(outcome: Outcome, *, uses_superjson: bool) -> dict[str, Any]:
    """``{"result": {"data"}}`` or ``{"error"}``; under SuperJSON the data, or the whole error
    object, is wrapped."""
    if isinstance(outcome, Success):
        if uses_superjson:
            return {"result": {"data": superjson.serialize(outcome.data)}}
        return {"result": {"data": superjson.to_plain_json(outcome.data)}}
    if uses_superjson:
        return {"error": superjson.serialize(outcome.shape())}
    return {"error": outcome.shape()}


def http_status(outcomes: list[Outcome]) -> int:
    """The common status of the calls, or 207 when they differ (tRPC's getHTTPStatusCode)."""
    statuses = {
        200 if isinstance(outcome, Success) else outcome.http_status for outcome in outcomes
    }
    return statuses.pop() if len(statuses) == 1 else MULTI_STATUS


def retry_after(outcomes: list[Outcome]) -> int | None:
    """The longest wait any failed call asked for, in seconds; None when none asked."""
    waits = [
        outcome.retry_after
        for outcome in outcomes
        if isinstance(outcome, TrpcError) and outcome.retry_after is not None
    ]
    return max(waits, default=None)


def http_body(
    outcomes: list[Outcome], *, is_batch: bool, uses_superjson: bool
) -> list[dict[str, Any]] | dict[str, Any]:
    envelopes = [envelope(outcome, uses_superjson=uses_superjson) for outcome in outcomes]
    return envelopes if is_batch else envelopes[0]


# Dates and dataclasses are the transformer's to write (a stray one fails, as it always has);
# orjson would write its own forms of them.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _python_float(value: object) -> orjson.Fragment:
    """orjson's hook for what it cannot write itself: the transformer's floats, spelled as the
    standard library spells them (orjson writes ``1e-05`` as ``0.00001``)."""
    if isinstance(value, superjson.PythonFloat):
        return orjson.Fragment(float.__repr__(value))
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(body: Any) -> bytes:
    """A body as compact UTF-8 JSON, by orjson, in the bytes the standard library's encoder
    wrote before it. What orjson refuses (integers past 64 bits, keys that are not strings,
    nesting past 254 levels) the standard library writes; a value neither can write raises
    ``TypeError``. Floats keep Python's spelling once the transformer has seen them."""
    try:
        return orjson.dumps(body, default=_python_float, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


# --- inputs ---------------------------------------------------------------------------------


def _load_json(text: str | bytes) -> Any:
    """JSON as JavaScript's JSON.parse reads it (no NaN/Infinity); TrpcError when it isn't."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        # tRPC 11 answers unreadable input with BAD_REQUEST for each call (v10 said PARSE_ERROR).
        return TrpcError("BAD_REQUEST", f"The input is not valid JSON: {error}")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_input(raw: Any, *, transformer: Transformer) -> tuple[Any, bool]:
    """(the call's input, whether it came as SuperJSON). ``auto`` reads an object whose only keys
    are ``json`` and ``meta`` as SuperJSON; ``json`` never does; ``superjson`` always does."""
    if raw is UNDEFINED or isinstance(raw, TrpcError):
        return raw, transformer == "superjson"
    wrapped = transformer == "superjson" or (transformer == "auto" and superjson.is_wrapped(raw))
    if not wrapped:
        return raw, False
    try:
        return superjson.deserialize(raw), True
    except (SuperjsonError, RecursionError) as error:
        return TrpcError("BAD_REQUEST", f"The input is not valid SuperJSON: {error}"), True


def parse_http_request(
    *,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes | None,
    content_type: str,
    transformer: Transformer = "auto",
    streams: bool = False,
) -> HttpRequest | TrpcError:
    """Read a ``/api/trpc/<path>`` request into calls; a TrpcError when no call can run at all.
    ``streams``: the request asks for a streamed answer (``api.trpc_jsonl``), which only a
    batch can have."""
    kind: Kind
    if method == "GET":
        kind = "query"
    elif method == "POST":
        kind = "mutation"
        if not content_type.lower().startswith("application/json"):
            return TrpcError(
                "UNSUPPORTED_MEDIA_TYPE",
                f"Unsupported content-type {content_type or 'none'!r}: send application/json.",
            )
    else:
        return TrpcError("METHOD_NOT_SUPPORTED", f"Unsupported method {method}.")
    is_batch = query.get("batch") == "1"
    paths = unquote(path).split(",") if is_batch else [unquote(path)]
    if len(paths) > MAX_BATCH_SIZE:
        return TrpcError("BAD_REQUEST", f"A batch holds at most {MAX_BATCH_SIZE} calls.")
    if streams and not is_batch:
        return TrpcError(
            "BAD_REQUEST", "Streaming requests must be batched (you can do a batch of 1)"
        )

    raw: Any = UNDEFINED
    if kind == "query" and query.get("input"):
        raw = _load_json(query["input"])
    elif kind == "mutation" and body:
        raw = _load_json(body)

    raw_inputs: list[Any]
    if not is_batch:
        raw_inputs = [raw]
    elif raw is UNDEFINED or isinstance(raw, TrpcError):
        raw_inputs = [raw] * len(paths)
    elif not isinstance(raw, dict):
        return TrpcError("BAD_REQUEST", '"input" needs to be an object when doing a batch call')
    else:
        raw_inputs = [raw.get(str(index), UNDEFINED) for index in range(len(paths))]

    decoded = [decode_input(item, transformer=transformer) for item in raw_inputs]
    uses_superjson = transformer == "superjson" or (
        transformer == "auto" and any(wrapped for _, wrapped in decoded)
    )
    calls = [
        Call(call_path, value.at(call_path) if isinstance(value, TrpcError) else value)
        for call_path, (value, _) in zip(paths, decoded, strict=True)
    ]
    return HttpRequest(kind, calls, is_batch, uses_superjson)


def refusal_uses_superjson(
    *, method: str, query: dict[str, str], body: bytes | None, transformer: Transformer
) -> bool:
    """Whether the answer to a request refused before its calls ran (``parse_http_request``'s
    error) is SuperJSON: as the transformer says, and under ``auto`` when the inputs are
    SuperJSON-shaped, as the calls' answers would have been. A client with a transformer reads
    every error through it, so a batch too large is only readable in its own form."""
    if transformer != "auto":
        return transformer == "superjson"
    text = query.get("input") if method == "GET" else body
    raw = _load_json(text) if text else UNDEFINED
    inputs = list(raw.values()) if query.get("batch") == "1" and isinstance(raw, dict) else [raw]
    return any(superjson.is_wrapped(item) for item in inputs)


# --- WebSocket ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WsRequest:
    id: int | str | None
    kind: Kind | Literal["subscription"]
    call: Call
    uses_superjson: bool
    idempotency_key: str | None = None


# Inkwell's own field of a request, beside tRPC's (``id``, ``jsonrpc``, ``method``, ``params``
# with ``path``, ``input`` and ``lastEventId``): the mutation's idempotency key.
IDEMPOTENCY_KEY_FIELD = "idempotencyKey"


def parse_ws_request(
    message: object, *, transformer: Transformer = "auto"
) -> WsRequest | tuple[int | str | None, TrpcError]:
    """One ``{"id", "method", "params": {"path", "input"}, "idempotencyKey"?}`` request, or
    (its id, the error)."""
    if not isinstance(message, dict):
        return None, TrpcError("BAD_REQUEST", "A request is a JSON object.")
    request_id = message.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, int | str):
        return None, TrpcError("BAD_REQUEST", "A request needs an 'id' (a number or a string).")
    method = message.get("method")
    if method not in ("query", "mutation", "subscription"):
        return request_id, TrpcError(
            "METHOD_NOT_SUPPORTED",
            "'method' must be 'query', 'mutation', 'subscription' or 'subscription.stop'.",
        )
    params = message.get("params")
    if not isinstance(params, dict) or not isinstance(params.get("path"), str):
        return request_id, TrpcError("BAD_REQUEST", "'params' must hold a 'path' string.")
    path = params["path"]
    key = message.get(IDEMPOTENCY_KEY_FIELD)
    if key is not None and not isinstance(key, str):
        return request_id, TrpcError(
            "BAD_REQUEST", f"'{IDEMPOTENCY_KEY_FIELD}' must be a string.", path
        )
    value, wrapped = decode_input(params.get("input", UNDEFINED), transformer=transformer)
    if isinstance(value, TrpcError):
        return request_id, value.at(path)
    return WsRequest(request_id, method, Call(path, value), wrapped, key)


def ws_answer(
    request_id: int | str | None,
    outcome: Outcome,
    *,
    uses_superjson: bool,
    event_id: str | None = None,
) -> dict[str, Any]:
    """``{"id", "result": {"type": "data", "data"}}`` or ``{"id", "error"}``; a subscription's
    event carries the id a client resumes after (``"result": {"type": "data", "id", "data"}``,
    tRPC's tracked event)."""
    wrapped = envelope(outcome, uses_superjson=uses_superjson)
    if "result" in wrapped:
        tracked = {} if event_id is None else {"id": event_id}
        return {"id": request_id, "result": {"type": "data", **tracked, **wrapped["result"]}}
    return {"id": request_id, "error": wrapped["error"]}


def ws_subscription_state(
    request_id: int | str, state: Literal["started", "stopped"]
) -> dict[str, Any]:
    """A subscription's ``{"id", "result": {"type": "started" | "stopped"}}``."""
    return {"id": request_id, "result": {"type": state}}


def ws_stop_id(message: object) -> int | str | None:
    """The id of a ``{"id", "method": "subscription.stop"}`` request; None for any other."""
    if not isinstance(message, dict) or message.get("method") != "subscription.stop":
        return None
    request_id = message.get("id")
    return (
        None
        if isinstance(request_id, bool) or not isinstance(request_id, int | str)
        else request_id
    )
