"""Running one procedure call, whatever carried it: the single code path of every transport.

Validates the input, checks the access rule, runs the function (a mutation in one
transaction), serialises the output, and maps every failure to a tRPC error, once.
"""

import logging
import traceback
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from rest_framework.exceptions import ErrorDetail, ValidationError

from api import trpc
from api.registry import Access, Context, Kind, Procedure, SignedInContext, get_procedure
from api.superjson import UNDEFINED
from api.throttling import seconds_until_allowed
from lib import errors

if TYPE_CHECKING:  # the user model's app registers procedures here: no import at run time
    from accounts.models import User

logger = logging.getLogger(__name__)

# Each service error's tRPC code; the first matching class wins.
_SERVICE_ERROR_CODES: list[tuple[type[errors.ServiceError], str]] = [
    (errors.InvalidInput, "BAD_REQUEST"),
    (errors.Unauthorized, "UNAUTHORIZED"),
    (errors.Forbidden, "FORBIDDEN"),
    (errors.NotFound, "NOT_FOUND"),
    (errors.Conflict, "CONFLICT"),
    (errors.PayloadTooLarge, "PAYLOAD_TOO_LARGE"),
]


def call_procedure(
    *, path: str, kind: str, raw_input: Any, user: "User | AnonymousUser"
) -> trpc.Outcome:
    """Run the procedure at ``path`` for ``user``; never raises."""
    procedure = get_procedure(path)
    if procedure is None:
        return trpc.TrpcError("NOT_FOUND", f'No procedure found on path "{path}"', path)
    if procedure.kind != kind:
        return trpc.TrpcError(
            "METHOD_NOT_SUPPORTED",
            f'"{path}" is a {procedure.kind}: call it as one, not as a {kind}.',
            path,
        )
    if procedure.access != Access.PUBLIC and not user.is_authenticated:
        return trpc.TrpcError("UNAUTHORIZED", errors.Unauthorized.default_message, path)
    if isinstance(raw_input, trpc.TrpcError):
        return raw_input.at(path)
    try:
        return trpc.Success(_run(procedure, raw_input, user), path)
    except Exception as error:  # every failure becomes an answer; none escapes a transport
        return error_for_exception(error, path)


def _run(procedure: Procedure, raw_input: Any, user: "User | AnonymousUser") -> Any:
    data: dict[str, Any] = {}
    if procedure.input is not None:
        # An absent input (undefined or null) is an empty object: every field takes its default.
        given = {} if raw_input is UNDEFINED or raw_input is None else raw_input
        serializer = procedure.input(data=given)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
    context = SignedInContext(user=user) if user.is_authenticated else Context(user=user)
    if procedure.kind == Kind.MUTATION:
        with transaction.atomic():
            return procedure.output(procedure.function(context, data)).data
    return procedure.output(procedure.function(context, data)).data


def error_for_exception(error: BaseException, path: str | None) -> trpc.TrpcError:
    """The tRPC error for anything a procedure raised; internals only with DEBUG on."""
    if isinstance(error, ValidationError):
        return trpc.TrpcError(
            "BAD_REQUEST", "The input is not valid.", path, _validation_data(error.detail)
        )
    if isinstance(error, errors.InvalidInput):
        return trpc.TrpcError(
            "BAD_REQUEST", error.message, path, {"fieldErrors": error.field_errors}
        )
    for error_class, code in _SERVICE_ERROR_CODES:
        if isinstance(error, error_class):
            return trpc.TrpcError(code, error.message, path)
    logger.exception("Procedure %s failed", path, exc_info=error)
    data = {"stack": "".join(traceback.format_exception(error))} if settings.DEBUG else {}
    return trpc.TrpcError("INTERNAL_SERVER_ERROR", "Internal server error", path, data)


def _validation_data(detail: Any) -> dict[str, Any]:
    """DRF's error detail as Zod's flatten() shapes it: ``formErrors`` and ``fieldErrors``."""
    if isinstance(detail, dict):
        form_errors = _messages(detail.get("non_field_errors", []))
        field_errors = {
            name: _messages(messages)
            for name, messages in detail.items()
            if name != "non_field_errors"
        }
        return {"formErrors": form_errors, "fieldErrors": field_errors}
    return {"formErrors": _messages(detail), "fieldErrors": {}}


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    if isinstance(detail, dict):
        return [
            f"{key}: {message}" for key, value in detail.items() for message in _messages(value)
        ]
    return [str(detail) if isinstance(detail, ErrorDetail | str) else repr(detail)]


def answer_ws_request(message: object, *, user: "User | AnonymousUser") -> dict[str, Any]:
    """Answer one decoded tRPC WebSocket request
    (``{"id", "method": "query"|"mutation", "params": {"path", "input"}}``).

    Synchronous (it touches the ORM): call it through ``database_sync_to_async``. Returns the
    whole answer, ``{"id", "result": {"type": "data", "data"}}`` or ``{"id", "error"}``; a
    malformed request gets a BAD_REQUEST answer, never an exception. A SuperJSON-shaped input
    gets a SuperJSON answer, as over HTTP. A signed-in caller's calls count against the same
    rate as their HTTP calls (TOO_MANY_REQUESTS past it).
    """
    parsed = trpc.parse_ws_request(message, transformer=settings.API_TRPC_TRANSFORMER)
    if isinstance(parsed, tuple):
        request_id, error = parsed
        uses_superjson = settings.API_TRPC_TRANSFORMER == "superjson"
        return trpc.ws_answer(request_id, error, uses_superjson=uses_superjson)
    wait = seconds_until_allowed(user) if user.is_authenticated else None
    if wait is not None:
        outcome: trpc.Outcome = trpc.TrpcError(
            "TOO_MANY_REQUESTS",
            f"Too many calls; try again in {max(1, round(wait))} s.",
            parsed.call.path,
        )
    else:
        outcome = call_procedure(
            path=parsed.call.path, kind=parsed.kind, raw_input=parsed.call.input, user=user
        )
    return trpc.ws_answer(parsed.id, outcome, uses_superjson=parsed.uses_superjson)
