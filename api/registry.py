"""The procedure registry: the single list of what the API offers, to every transport.

A procedure is declared once, next to the app it serves (``<app>/procedures.py``, collected
when the api app is ready)::

    @procedure("post.byId", kind=QUERY, input=PostByIdInput, output=PostOutput, access=PUBLIC)
    def post_by_id(ctx: Context, data: Data) -> Post: ...

A procedure that only signed-in callers reach (any access but PUBLIC) takes a
``SignedInContext``, whose ``user`` is a ``User``.

A subscription's function checks that the caller may follow what was asked (its fetches take
the viewer, as any procedure's do) and returns a ``Feed``: how to open the stream of its events.
Each event's value goes through the output serializer, as a query's answer does, and depends on
the event alone, never on who follows: transports write it once for all their streams.
"""

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, overload

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from rest_framework.serializers import BaseSerializer, FileField, Serializer

from lib.errors import ServiceError, Unauthorized

if TYPE_CHECKING:  # accounts declares procedures here: the user model is a type-only import
    from accounts.models import User


class Kind(StrEnum):
    QUERY = "query"
    MUTATION = "mutation"
    # Its function returns a Feed (below); served over SSE (api.sse).
    SUBSCRIPTION = "subscription"


class Access(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    # Signed in, and the procedure's fetch (``post_for_edit``, ``comment_for_edit``) checks
    # that the caller owns the row or is staff.
    OWNER_OR_STAFF = "owner-or-staff"


# Final, so that each keeps its literal type: ``procedure``'s overloads tell by ``access`` which
# context a procedure's function receives.
QUERY: Final = Kind.QUERY
MUTATION: Final = Kind.MUTATION
SUBSCRIPTION: Final = Kind.SUBSCRIPTION
PUBLIC: Final = Access.PUBLIC
AUTHENTICATED: Final = Access.AUTHENTICATED
OWNER_OR_STAFF: Final = Access.OWNER_OR_STAFF

Data = dict[str, Any]
# An input is a plain Serializer (its validated data is the procedure's ``data``); an output may
# be any serializer, a ListSerializer included.
InputSerializerClass = type[Serializer[Any]]
SerializerClass = type[BaseSerializer[Any]]


@dataclass(frozen=True)
class Context:
    """What a procedure knows about its call: who is calling, and from which address when the
    transport knows it (rate limits and spam checks count per address)."""

    user: "User | AnonymousUser"
    client_address: str | None = None


@dataclass(frozen=True)
class SignedInContext(Context):
    """The context of a procedure that only signed-in callers reach."""

    user: "User"


@dataclass(frozen=True)
class Delivery:
    """One event of a subscription: the id a client resumes after (SSE's ``id:``), and the
    value its output serializer writes."""

    event_id: str
    value: object


@dataclass(frozen=True)
class Feed:
    """What a subscription follows, once its function has checked the caller may: ``channel``
    (for logs), and ``open``, which joins live delivery, then reads the backlog after the
    client's position, and gives the deliveries in order, each once. Leaving the opened block
    ends the following."""

    channel: str
    open: Callable[[], AbstractAsyncContextManager[AsyncIterator[Delivery]]]


class NotResumable(ServiceError):
    """A subscription cannot go on from the client's position: the events since then are no
    longer kept, or the channel's history started again. Retrying the same position cannot
    help; the client reloads what it shows and subscribes again without one."""

    default_message = (
        "The events since this position are no longer kept: reload, then subscribe again."
    )


ProcedureFunction = Callable[[Context, Data], object]
SignedInFunction = Callable[[SignedInContext, Data], object]
PublicFunctionT = TypeVar("PublicFunctionT", bound=ProcedureFunction)
SignedInFunctionT = TypeVar("SignedInFunctionT", bound=SignedInFunction)


@dataclass(frozen=True)
class Procedure:
    name: str
    kind: Kind
    input: InputSerializerClass | None
    output: SerializerClass
    access: Access
    function: ProcedureFunction

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")

    @property
    def takes_files(self) -> bool:
        """Whether its input has a file: it is sent as FormData (``api.form_data``)."""
        fields = self.input().fields.values() if self.input is not None else ()
        return any(isinstance(field, FileField) for field in fields)


_procedures: dict[str, Procedure] = {}


@overload
def procedure(
    name: str,
    *,
    kind: Kind,
    input: InputSerializerClass | None,
    output: SerializerClass,
    access: Literal[Access.PUBLIC],
) -> Callable[[PublicFunctionT], PublicFunctionT]: ...


@overload
def procedure(
    name: str,
    *,
    kind: Kind,
    input: InputSerializerClass | None,
    output: SerializerClass,
    access: Literal[Access.AUTHENTICATED, Access.OWNER_OR_STAFF],
) -> Callable[[SignedInFunctionT], SignedInFunctionT]: ...


def procedure(
    name: str,
    *,
    kind: Kind,
    input: InputSerializerClass | None,
    output: SerializerClass,
    access: Access,
) -> Callable[[Any], Any]:
    """Register the decorated function as the procedure ``name``.

    A public procedure's function takes a ``Context`` (its user may be anonymous); any other
    takes a ``SignedInContext``.
    """

    for role, serializer in (("input", input), ("output", output)):
        if serializer is None and role == "input":
            continue
        if not (isinstance(serializer, type) and issubclass(serializer, BaseSerializer)):
            raise ImproperlyConfigured(f"Procedure {name!r} needs an {role} serializer.")

    def register_public(function: ProcedureFunction) -> ProcedureFunction:
        _register(Procedure(name, Kind(kind), input, output, Access(access), function), function)
        return function

    def register_signed_in(function: SignedInFunction) -> SignedInFunction:
        checked = _signed_in_only(function)
        _register(Procedure(name, Kind(kind), input, output, Access(access), checked), function)
        return function

    return register_public if Access(access) == Access.PUBLIC else register_signed_in


def _signed_in_only(function: SignedInFunction) -> ProcedureFunction:
    """``function`` callable with any context, refusing an anonymous one (the dispatcher
    refuses it first: this keeps the rule true for every caller)."""

    @functools.wraps(function)
    def checked(ctx: Context, data: Data) -> object:
        if not isinstance(ctx, SignedInContext):
            raise Unauthorized()
        return function(ctx, data)

    return checked


def _register(declared: Procedure, function: Callable[..., object]) -> None:
    existing = _procedures.get(declared.name)
    if existing is not None and inspect.unwrap(existing.function) is not function:
        raise ImproperlyConfigured(f"Procedure {declared.name!r} is declared twice.")
    _procedures[declared.name] = declared


def get_procedure(name: str) -> Procedure | None:
    return _procedures.get(name)


def all_procedures() -> list[Procedure]:
    """Every procedure, by name."""
    return [_procedures[name] for name in sorted(_procedures)]
