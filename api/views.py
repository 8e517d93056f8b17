"""The HTTP transport: ``/api/trpc/<path>`` speaking tRPC's wire protocol, on DRF.

DRF brings authentication (the settings' classes: Bearer token, browser session with its CSRF
check); everything else is ``api.trpc`` (the protocol) and ``api.dispatch`` (the calls, their
rate limits and their errors). HTTP's own part of the error table: a failed call that says when
to come back (TOO_MANY_REQUESTS, SERVICE_UNAVAILABLE) answers with ``Retry-After``.

A batch that asks for a stream (``trpc-accept: application/jsonl``, or ``Accept`` listing it)
is answered with tRPC's JSON Lines as its calls finish (``api.streamed_batches``); a GET of a
subscription, with Server-Sent Events (``api.sse``). What is refused before any call runs is an
ordinary JSON error, as for any request.

A mutation may carry an ``Idempotency-Key`` header (``api.idempotency``: at most one run per
user and key); its retries' answers say ``Idempotent-Replayed: true``, as Stripe's do. A key
names one call: a batch of one takes it, a batch of several or a streamed batch is refused
(BAD_REQUEST, nothing runs), since one key cannot tell their calls' answers apart. A GET is a
query, which writes nothing however often it runs: its key is ignored, and the anonymous read
fast path (``api.anonymous_reads``) never looks.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework import exceptions
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from api import form_data, idempotency, sse, trpc, trpc_jsonl
from api.dispatch import call_procedure, error_for_exception, is_database_unavailable
from api.streamed_batches import streamed_answers
from lib.client_address import client_ip

if TYPE_CHECKING:  # the user model's app registers procedures in api: no import at run time
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

TRANSFORMER_HEADER = "X-Trpc-Transformer"
STREAM_HEADER = "trpc-accept"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Every answer depends on these headers (a stream or not), as tRPC says on each of its answers.
_VARY = (STREAM_HEADER, "Accept")


class BodyLeftUnread(BaseParser):
    """Lets DRF (its CSRF check looks at ``request.POST``) past the body without reading it:
    the view reads the body itself, as the protocol says, and answers a wrong type with 415."""

    media_type = "*/*"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> dict[str, Any]:
        return {}


# DRF's exceptions (raised before any call runs) as tRPC codes.
_API_EXCEPTION_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.NotAuthenticated, "UNAUTHORIZED"),
    (exceptions.AuthenticationFailed, "UNAUTHORIZED"),
    (exceptions.PermissionDenied, "FORBIDDEN"),
    (exceptions.MethodNotAllowed, "METHOD_NOT_SUPPORTED"),
    (exceptions.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
    (exceptions.ParseError, "BAD_REQUEST"),
    (form_data.PayloadTooLarge, "PAYLOAD_TOO_LARGE"),
]


class TrpcView(APIView):
    """Queries by GET, mutations by POST, batches of either; answers in tRPC envelopes."""

    permission_classes: list[type] = []  # each procedure has its own access rule
    throttle_classes: list[type] = []  # each call counts against its caller's rate (dispatch)
    # FormData inputs are parsed (bounded) when a file-taking procedure reads them.
    parser_classes = [form_data.FormDataParser, BodyLeftUnread]
    schema = None  # OpenAPI describes the procedures, not this door (api.openapi)

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # A subscription's connectionParams token signs the caller in as a Bearer header does.
        token = sse.connection_token(request, kwargs.get("path", ""))
        if token is not None:
            request.META["HTTP_AUTHORIZATION"] = f"Bearer {token}"
            # ``request.headers`` (which DRF's authentication reads) is made from META once.
            request.__dict__.pop("headers", None)
        return super().initialize_request(request, *args, **kwargs)

    def get(self, request: Request, path: str) -> HttpResponseBase:
        return self._answer(request, path)

    def post(self, request: Request, path: str) -> HttpResponseBase:
        return self._answer(request, path)

    def head(self, request: Request, path: str) -> HttpResponse:
        # tRPC clients warm the connection up with a HEAD.
        return HttpResponse(status=204)

    def _answer(self, request: Request, path: str) -> HttpResponseBase:
        return trpc_answer(request, path, request.user)[0]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # ``Accept: application/jsonl`` (the stream link's ``streamHeader: "accept"``) and
        # EventSource's ``text/event-stream`` name no DRF renderer; the answer is tRPC's own
        # body (a stream, or a JSON error an EventSource gives up on), not a rendered one.
        streams = _asks_for_stream(request) or sse.asks_for_events(request.headers.get("Accept"))
        return super().perform_content_negotiation(request, force=force or streams)

    # DRF's finalize_response takes any HttpResponseBase, but djangorestframework-stubs narrow
    # handle_exception's answer to a DRF Response; this view answers plain HttpResponses.
    def handle_exception(self, exc: Exception) -> HttpResponse:  # type: ignore[override]
        """DRF's own failures (authentication, CSRF) in the tRPC error envelope; a database pool
        with no connection to spare while signing the caller in is SERVICE_UNAVAILABLE."""
        uses_superjson = _transformer(self.request) == "superjson"
        if is_database_unavailable(exc):
            return _error_response(
                error_for_exception(exc, _path(self.kwargs)), uses_superjson=uses_superjson
            )
        for exception_class, code in _API_EXCEPTION_CODES:
            if isinstance(exc, exception_class):
                assert isinstance(exc, exceptions.APIException)
                error = trpc.TrpcError(code, str(exc.detail), _path(self.kwargs))
                response = _error_response(error, uses_superjson=uses_superjson)
                if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                    header = self.get_authenticate_header(self.request)
                    if header:
                        response["WWW-Authenticate"] = header
                return response
        return super().handle_exception(exc)


def trpc_answer(
    request: HttpRequest | Request, path: str, user: "User | AnonymousUser"
) -> tuple[HttpResponseBase, int]:
    """The answer to the tRPC request at ``path`` made by ``user``, and the number of calls it
    runs (0 when the request was refused before any)."""
    response, calls = _answer(request, path, user)
    patch_vary_headers(response, _VARY)
    return response, calls


def _answer(
    request: HttpRequest | Request, path: str, user: "User | AnonymousUser"
) -> tuple[HttpResponseBase, int]:
    transformer = _transformer(request)
    if (
        request.method == "POST"
        and isinstance(request, Request)
        and form_data.is_form_data(request.content_type or "")
    ):
        return _form_data_answer(request, path, user, transformer), 1
    try:
        body = request.body if request.method == "POST" else None
    except RequestDataTooBig:
        error = trpc.TrpcError(
            "PAYLOAD_TOO_LARGE", f"The body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
        return _error_response(error, uses_superjson=transformer == "superjson"), 0
    if request.method == "GET" and request.GET.get("batch") != "1" and sse.is_subscription(path):
        stream = sse.subscription_stream(request, path, user, transformer=transformer)
        if isinstance(stream, trpc.TrpcError):
            uses_superjson = trpc.refusal_uses_superjson(
                method="GET", query=request.GET.dict(), body=None, transformer=transformer
            )
            return _error_response(stream, uses_superjson=uses_superjson), 0
        return stream, 1
    streams = _asks_for_stream(request)
    query = request.GET.dict()
    parsed = trpc.parse_http_request(
        method=request.method or "",
        path=path,
        query=query,
        body=body,
        content_type=request.content_type or "",
        transformer=transformer,
        streams=streams,
    )
    if isinstance(parsed, trpc.TrpcError):
        uses_superjson = trpc.refusal_uses_superjson(
            method=request.method or "", query=query, body=body, transformer=transformer
        )
        return _error_response(parsed, uses_superjson=uses_superjson), 0
    if parsed.is_batch and any(sse.is_subscription(call.path) for call in parsed.calls):
        # tRPC's own answer: a subscription is one stream of its own.
        error = trpc.TrpcError("BAD_REQUEST", "Cannot batch subscription calls")
        return _error_response(error, uses_superjson=parsed.uses_superjson), 0
    header = request.headers.get(IDEMPOTENCY_KEY_HEADER) if parsed.kind == "mutation" else None
    key = None if header is None else idempotency.key_from_header(header)
    if key is not None and (streams or len(parsed.calls) > 1):
        error = trpc.TrpcError(
            "BAD_REQUEST",
            f"An {IDEMPOTENCY_KEY_HEADER} names one call: send its mutation alone, unstreamed "
            "(a batch of one is fine).",
        )
        return _error_response(error, uses_superjson=parsed.uses_superjson), 0
    address = client_ip(request._request if isinstance(request, Request) else request)
    if streams:
        # Status 200 and no Retry-After: the calls' outcomes are only known once it is sent.
        answers = streamed_answers(parsed, user=user, client_address=address)
        streamed = StreamingHttpResponse(answers, content_type="application/json")
        # A proxy that buffers answers (nginx does by default) would hold every line back
        # until the last call finished.
        streamed["X-Accel-Buffering"] = "no"
        return streamed, len(parsed.calls)
    outcomes = [
        call_procedure(
            path=call.path,
            kind=parsed.kind,
            raw_input=call.input,
            user=user,
            client_address=address,
            idempotency_key=key,
        )
        for call in parsed.calls
    ]
    body_out = trpc.http_body(
        outcomes, is_batch=parsed.is_batch, uses_superjson=parsed.uses_superjson
    )
    response = _json_response(body_out, trpc.http_status(outcomes), trpc.retry_after(outcomes))
    if any(outcome.replayed for outcome in outcomes):
        response[REPLAYED_HEADER] = "true"
    return response, len(outcomes)


def _form_data_answer(
    request: Request, path: str, user: "User | AnonymousUser", transformer: trpc.Transformer
) -> HttpResponse:
    """A FormData mutation (``api.form_data``): one call, answered as a non-batched JSON one."""
    uses_superjson = transformer == "superjson"
    if request.headers.get(IDEMPOTENCY_KEY_HEADER) is not None:
        error = trpc.TrpcError(
            "BAD_REQUEST", f"An {IDEMPOTENCY_KEY_HEADER} cannot name a FormData call."
        )
        return _error_response(error, uses_superjson=uses_superjson)
    raw_input = form_data.form_data_input(request, path, is_batch=request.GET.get("batch") == "1")
    if isinstance(raw_input, trpc.TrpcError):
        return _error_response(raw_input, uses_superjson=uses_superjson)
    outcome = call_procedure(
        path=path,
        kind="mutation",
        raw_input=raw_input,
        user=user,
        client_address=client_ip(request._request),
    )
    body = trpc.http_body([outcome], is_batch=False, uses_superjson=uses_superjson)
    return _json_response(body, trpc.http_status([outcome]), trpc.retry_after([outcome]))


def _asks_for_stream(request: HttpRequest | Request) -> bool:
    return trpc_jsonl.asks_for_stream(
        trpc_accept=request.headers.get(STREAM_HEADER), accept=request.headers.get("Accept")
    )


def _path(kwargs: dict[str, Any]) -> str | None:
    return kwargs.get("path")


def _transformer(request: HttpRequest | Request) -> trpc.Transformer:
    """The per-request header wins over the setting; both are auto, json or superjson."""
    asked = request.headers.get(TRANSFORMER_HEADER, "").strip().lower()
    if trpc.is_transformer(asked):
        return asked
    return settings.API_TRPC_TRANSFORMER


def _error_response(error: trpc.TrpcError, *, uses_superjson: bool) -> HttpResponse:
    return _json_response(
        trpc.envelope(error, uses_superjson=uses_superjson), error.http_status, error.retry_after
    )


def _json_response(body: Any, status: int, retry_after: int | None = None) -> HttpResponse:
    response = HttpResponse(trpc.dumps(body), status=status, content_type="application/json")
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
