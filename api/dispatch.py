"""Running one procedure call, whatever carried it: the single code path of every transport.

Counts the call against its caller's rate (``api.rate_limits``), validates the input, checks
the access rule, runs the function (a mutation in one transaction; once per idempotency key,
``api.idempotency``), serialises the output, and maps every failure to a tRPC error, once: this
is the tRPC table of ``lib.errors`` for both transports that speak tRPC (HTTP and the AppSync
session channel).

Opening a subscription is a call too (``open_subscription``): the same rate, input and access
rules, and the same error table for what fails when it opens and for what ends its stream.
"""

import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from psycopg import OperationalError as PostgresOperationalError
from psycopg_pool import PoolTimeout
from rest_framework.exceptions import ErrorDetail, ValidationError

from api import idempotency, trpc
from api.rate_limits import count_call
from api.registry import (
    Access,
    Context,
    Delivery,
    Feed,
    Kind,
    NotResumable,
    Procedure,
    SerializerClass,
    SignedInContext,
    get_procedure,
)
from api.superjson import UNDEFINED
from lib import errors, metrics

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
    (errors.TooManyRequests, "TOO_MANY_REQUESTS"),
    (errors.ServiceUnavailable, "SERVICE_UNAVAILABLE"),
    # The client's resume position was a precondition the server can no longer meet.
    (NotResumable, "PRECONDITION_FAILED"),
]
# When the database could not be had: the pool had no connection to spare (the burst that
# emptied it is over soon), or PostgreSQL dropped the connection (a restart: the pool replaces
# it with a fresh one by itself).
DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1
# Transient by nature: PostgreSQL's own "not now" (a pooled connection it closed, a refusal).
# SQLite's OperationalError ("no such table") is a bug, and stays an internal error.
_DATABASE_UNAVAILABLE = (PoolTimeout, PostgresOperationalError)


@metrics.time_procedure_calls(lookup=get_procedure)
def call_procedure(
    *,
    path: str,
    kind: str,
    raw_input: Any,
    user: "User | AnonymousUser",
    client_address: str | None = None,
    idempotency_key: str | None = None,
) -> trpc.Outcome:
    """Run the procedure at ``path`` for ``user`` (calling from ``client_address``, when the
    transport knows it); never raises. A mutation with an ``idempotency_key`` runs at most once
    per user and key; a query's key is ignored (running a query again changes nothing)."""
    procedure = _admitted(path, kind, raw_input, user, client_address)
    if isinstance(procedure, trpc.TrpcError):
        return procedure
    if idempotency_key is None or procedure.kind != Kind.MUTATION:
        return _outcome(procedure, raw_input, user, path, client_address)
    try:
        return idempotency.call_once(
            user=user,
            key=idempotency_key,
            path=path,
            raw_input=raw_input,
            run=lambda: _outcome(procedure, raw_input, user, path, client_address),
        )
    except Exception as error:  # the key's own failures (a conflict, the database) too
        return error_for_exception(error, path)


def _outcome(
    procedure: Procedure,
    raw_input: Any,
    user: "User | AnonymousUser",
    path: str,
    client_address: str | None = None,
) -> trpc.Outcome:
    try:
        return trpc.Success(_run(procedure, raw_input, user, client_address), path)
    except Exception as error:  # every failure becomes an answer; none escapes a transport
        return error_for_exception(error, path)


@dataclass(frozen=True)
class OpenSubscription:
    """A subscription its caller may follow: what its function returned, and how each event's
    value is written (the procedure's output serializer)."""

    path: str
    feed: Feed
    output: SerializerClass

    def data(self, delivery: Delivery) -> Any:
        """The event's value as the output serializer writes it."""
        return self.output(delivery.value).data


@metrics.time_procedure_calls(lookup=get_procedure)
def open_subscription(
    *,
    path: str,
    raw_input: Any,
    user: "User | AnonymousUser",
    client_address: str | None = None,
) -> OpenSubscription | trpc.TrpcError:
    """Check and open the subscription at ``path`` for ``user`` as a call: counted against the
    caller's rate, its input validated, its access checked (the function's own fetches run
    here, in the caller's thread); never raises. Following it is the transport's."""
    procedure = _admitted(path, Kind.SUBSCRIPTION, raw_input, user, client_address)
    if isinstance(procedure, trpc.TrpcError):
        return procedure
    try:
        feed = procedure.function(_context(user), _validated_input(procedure, raw_input))
        if not isinstance(feed, Feed):
            raise TypeError(f"Subscription {path} returned {type(feed).__name__}, not a Feed.")
    except Exception as error:
        return error_for_exception(error, path)
    return OpenSubscription(path, feed, procedure.output)


def _admitted(
    path: str,
    kind: str,
    raw_input: Any,
    user: "User | AnonymousUser",
    client_address: str | None,
) -> Procedure | trpc.TrpcError:
    """The procedure at ``path``, once the call is counted and may run: the rate, the kind
    and the access rule first, and an input that could be read."""
    try:
        count_call(user=user, client_address=client_address)
    except errors.TooManyRequests as error:
        return error_for_exception(error, path)
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
    return procedure


def _run(
    procedure: Procedure,
    raw_input: Any,
    user: "User | AnonymousUser",
    client_address: str | None = None,
) -> Any:
    data = _validated_input(procedure, raw_input)
    context = _context(user, client_address)
    if procedure.kind == Kind.MUTATION:
        with transaction.atomic():
            return procedure.output(procedure.function(context, data)).data
    return procedure.output(procedure.function(context, data)).data


def _validated_input(procedure: Procedure, raw_input: Any) -> dict[str, Any]:
    if procedure.input is None:
        return {}
    # An absent input (undefined or null) is an empty object: every field takes its default.
    given = {} if raw_input is UNDEFINED or raw_input is None else raw_input
    serializer = procedure.input(data=given)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _context(user: "User | AnonymousUser", client_address: str | None = None) -> Context:
    if user.is_authenticated:
        return SignedInContext(user=user, client_address=client_address)
    return Context(user=user, client_address=client_address)


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
    if is_database_unavailable(error):
        logger.warning("Procedure %s found no database connection: %s", path, error)
        error = errors.ServiceUnavailable(retry_after=DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS)
    for error_class, code in _SERVICE_ERROR_CODES:
        if isinstance(error, error_class):
            return trpc.TrpcError(code, error.message, path, retry_after=error.retry_after)
    logger.exception("Procedure %s failed", path, exc_info=error)
    data = {"stack": "".join(traceback.format_exception(error))} if settings.DEBUG else {}
    return trpc.TrpcError("INTERNAL_SERVER_ERROR", "Internal server error", path, data)


def is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says no working database connection can be had now: the pool's
    timeout, or PostgreSQL's OperationalError (a pooled connection closed by a restart), alone
    or under Django's OperationalError. An error raised ``from None`` inside a handler of
    such an error says something else, and is not followed into it."""
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and link not in chain:  # a hand-made cause could loop
        chain.append(link)
        link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)
    return any(isinstance(link, _DATABASE_UNAVAILABLE) for link in chain)


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
