"""OpenAPI 3 from the procedure registry: one operation per procedure, typed by its serializers.

drf-spectacular walks URL patterns; here it walks the registry instead, so the document lists
exactly what ``/api/trpc/<name>`` answers (queries as GET with ``?input=<JSON>``, mutations
as POST, with the ``Idempotency-Key`` header they accept), with the tRPC result and error
envelopes around the output. Subscriptions are GETs answered with ``text/event-stream``
(``api.sse``): the events and the resume rules are in the operation, each message's data typed
by the output serializer.
"""

from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import trpc, trpc_sse
from api.idempotency import MAX_KEY_LENGTH
from api.registry import Access, Kind, Procedure, all_procedures
from api.views import IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER

TRPC_PREFIX = "/api/trpc/"
_ERROR_SCHEMA = {
    "type": "object",
    "description": "The tRPC error envelope (SuperJSON clients get the error object wrapped).",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "integer", "description": "JSON-RPC code"},
                "data": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string", "enum": sorted(trpc.ERROR_CODES)},
                        "httpStatus": {"type": "integer"},
                        "path": {"type": "string", "nullable": True},
                        "fieldErrors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "formErrors": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["code", "httpStatus"],
                },
            },
            "required": ["message", "code", "data"],
        }
    },
    "required": ["error"],
}
_SUBSCRIPTION_NOTES = """\
Served as Server-Sent Events (tRPC's `httpSubscriptionLink`): status 200 and
`Content-Type: text/event-stream`. Each event ends with a blank line; its fields come in the
order `event:`, `data:`, `id:`.

- `event: connected` first, `data:` the client options as JSON (`reconnectAfterInactivityMs`).
- A message event (no `event:` line) per value: `data:` the value as JSON (SuperJSON-wrapped
  for such clients: see the 200 response's `x-message-data`), `id:` its position,
  `<epoch>:<offset>`.
- `event: ping`, empty `data:`, when nothing else was sent for a while.
- `event: serialized-error`, `data:` the error object (`TrpcErrorEnvelope`'s `error`), ends a
  stream that failed: code -32603 (the server, or live delivery, failed) may be retried,
  resuming; any other may not (PRECONDITION_FAILED: the events since the position asked for
  are no longer kept; reload, then subscribe without one).
- `event: return`, empty `data:`, ends a stream that is over. A stream that ends without it
  (the server ends each after a while) is to be reconnected, resuming.

Resuming: send the last `id:` received as the `Last-Event-ID` header (EventSource does), or the
`lastEventId` query parameter, or as `lastEventId` in the input (tRPC's client does); the events
after it are sent first, none twice. Sign in with a Bearer header, the site's session cookie,
or `connectionParams={"token": "<jwt>"}`. Refused before streaming (unknown procedure, bad
input, access, too many open streams, bad `connectionParams`): a JSON error envelope."""

_ACCESS_NOTES = {
    Access.PUBLIC: "Anyone may call it.",
    Access.AUTHENTICATED: "Signed-in callers only (UNAUTHORIZED otherwise).",
    Access.OWNER_OR_STAFF: "The row's author or staff only (UNAUTHORIZED, FORBIDDEN otherwise).",
}


class ProcedureSchema(AutoSchema):
    """The operation of one procedure (the view it describes carries it as ``procedure``)."""

    @property
    def procedure(self) -> Procedure:
        view = self.view
        if not isinstance(view, ProcedureDocView) or view.procedure is None:
            raise TypeError("ProcedureSchema describes the views ProcedureSchemaGenerator makes.")
        return view.procedure

    def get_operation_id(self) -> str:
        return self.procedure.name

    def map_parsers(self) -> list[str]:
        # A procedure taking a file is called with FormData (api.form_data), not JSON.
        return ["multipart/form-data"] if self.procedure.takes_files else super().map_parsers()

    def get_tags(self) -> list[str]:
        return [self.procedure.name.split(".", 1)[0]]

    def get_summary(self) -> str:
        return f"{self.procedure.name} ({self.procedure.kind})"

    # drf-spectacular's AutoSchema takes no arguments here, unlike DRF's ViewInspector as
    # djangorestframework-stubs declare it (drf-spectacular ignores the same clash).
    def get_description(self) -> str:  # type: ignore[override]
        description = f"{self.procedure.description}\n\n{_ACCESS_NOTES[self.procedure.access]}"
        if self.procedure.kind == Kind.SUBSCRIPTION:
            description += f"\n\n{_SUBSCRIPTION_NOTES}"
        return description

    def get_response_serializers(self) -> Any:
        return self.procedure.output

    def get_request_serializer(self) -> Any:
        return self.procedure.input if self.procedure.kind == Kind.MUTATION else None

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        parameters = operation.setdefault("parameters", [])
        if self.procedure.kind == Kind.MUTATION:
            if not self.procedure.takes_files:  # a FormData call takes no key (api.form_data)
                parameters.append(_IDEMPOTENCY_KEY_PARAMETER)
            return operation
        if self.procedure.input:
            component = self.resolve_serializer(self.procedure.input, "request")
            parameters.append(
                {
                    "name": "input",
                    "in": "query",
                    "required": False,
                    "description": "The input as JSON (SuperJSON-wrapped for such clients).",
                    "content": {"application/json": {"schema": component.ref}},
                }
            )
        if self.procedure.kind == Kind.SUBSCRIPTION:
            parameters.extend(_SUBSCRIPTION_PARAMETERS)
        return operation

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        output = force_instance(self.procedure.output)
        data = self._unwrap_list_serializer(output, "response")
        error = self._error_component()
        refused = {
            "description": "The error envelope; the status is the error's httpStatus.",
            "content": {"application/json": {"schema": error.ref}},
        }
        if self.procedure.kind == Kind.SUBSCRIPTION:
            events = {
                "schema": {"type": "string", "description": "Server-Sent Events (above)."},
                "x-message-data": data,
            }
            return {
                "200": {
                    "description": "The stream of events.",
                    "content": {trpc_sse.STREAM_MEDIA_TYPE: events},
                },
                "default": refused,
            }
        success = {
            "type": "object",
            "properties": {
                "result": {
                    "type": "object",
                    "properties": {"data": data},
                    "required": ["data"],
                }
            },
            "required": ["result"],
        }
        return {
            "200": {
                "description": "The result envelope.",
                "content": {"application/json": {"schema": success}},
            },
            "default": refused,
        }

    def _error_component(self) -> ResolvedComponent:
        error = ResolvedComponent(
            name="TrpcErrorEnvelope",
            type=ResolvedComponent.SCHEMA,
            object="TrpcErrorEnvelope",
            schema=_ERROR_SCHEMA,
        )
        self.registry.register_on_missing(error)
        return error


_IDEMPOTENCY_KEY_PARAMETER = {
    "name": IDEMPOTENCY_KEY_HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Runs the mutation at most once per signed-in user and key within "
        "IDEMPOTENCY_WINDOW_SECONDS: a retry with the same key gets the first answer, errors "
        f"included, marked `{REPLAYED_HEADER}: true`. The same key with another procedure or "
        "input is CONFLICT. A UUID is a good key; the quoted Structured Field form is accepted."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}

_SUBSCRIPTION_PARAMETERS = [
    {
        "name": "Last-Event-ID",
        "in": "header",
        "required": False,
        "description": "The last `id:` received: resume after it (wins over the others).",
        "schema": {"type": "string"},
    },
    {
        "name": "lastEventId",
        "in": "query",
        "required": False,
        "description": "The last `id:` received, when no header can be sent.",
        "schema": {"type": "string"},
    },
    {
        "name": "connectionParams",
        "in": "query",
        "required": False,
        "description": 'A JSON object of strings; `{"token": "<jwt>"}` signs the stream in.',
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        },
    },
]


class ProcedureDocView(APIView):
    """Stands for one procedure while the document is generated; never routed."""

    procedure: Procedure | None = None
    parser_classes = [JSONParser]
    schema = ProcedureSchema()

    def get(self, request: Request) -> Response:
        raise AssertionError("ProcedureDocView only describes; it is not routed.")

    post = get


class ProcedureSchemaGenerator(SchemaGenerator):
    """Generates the paths from the registry instead of from the URL patterns."""

    def _initialise_endpoints(self) -> None:
        if self.endpoints is None:
            endpoints = [
                (
                    f"{TRPC_PREFIX}{procedure.name}",
                    f"^{TRPC_PREFIX}{procedure.name}$",
                    "POST" if procedure.kind == Kind.MUTATION else "GET",
                    ProcedureDocView.as_view(procedure=procedure),
                )
                for procedure in all_procedures()
            ]
            # drf-spectacular's endpoints are (path, regex, method, view); djangorestframework-
            # stubs type the attribute with DRF's own (path, method, view) triples.
            self.endpoints = endpoints  # type: ignore[assignment]
