"""The procedure registry: the single list of what the API offers, to every transport.

A procedure is declared once, next to the app it serves (``<app>/procedures.py``, collected
when the api app is ready)::

    @procedure("post.byId", kind=QUERY, input=PostByIdInput, output=PostOutput, access=PUBLIC)
    def post_by_id(ctx: Context, data: dict) -> Post: ...
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from rest_framework.serializers import BaseSerializer

from accounts.models import User


class Kind(StrEnum):
    QUERY = "query"
    MUTATION = "mutation"
    # Fed by the change announcements once the realtime transport streams them.
    SUBSCRIPTION = "subscription"


class Access(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    # Signed in, and the procedure's fetch (``post_for_edit``, ``comment_for_edit``) checks
    # that the caller owns the row or is staff.
    OWNER_OR_STAFF = "owner-or-staff"


QUERY, MUTATION, SUBSCRIPTION = Kind.QUERY, Kind.MUTATION, Kind.SUBSCRIPTION
PUBLIC, AUTHENTICATED, OWNER_OR_STAFF = Access.PUBLIC, Access.AUTHENTICATED, Access.OWNER_OR_STAFF


@dataclass(frozen=True)
class Context:
    """What a procedure knows about its call: who is calling."""

    user: User | AnonymousUser


ProcedureFunction = Callable[[Context, dict[str, Any]], Any]


@dataclass(frozen=True)
class Procedure:
    name: str
    kind: Kind
    input: type[BaseSerializer] | None
    output: type[BaseSerializer]
    access: Access
    function: ProcedureFunction

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")


_procedures: dict[str, Procedure] = {}


def procedure(
    name: str,
    *,
    kind: Kind,
    input: type[BaseSerializer] | None,
    output: type[BaseSerializer],
    access: Access,
) -> Callable[[ProcedureFunction], ProcedureFunction]:
    """Register the decorated function as the procedure ``name``."""

    for role, serializer in (("input", input), ("output", output)):
        if serializer is None and role == "input":
            continue
        if not (isinstance(serializer, type) and issubclass(serializer, BaseSerializer)):
            raise ImproperlyConfigured(f"Procedure {name!r} needs an {role} serializer.")

    def register(function: ProcedureFunction) -> ProcedureFunction:
        if name in _procedures and _procedures[name].function is not function:
            raise ImproperlyConfigured(f"Procedure {name!r} is declared twice.")
        _procedures[name] = Procedure(name, Kind(kind), input, output, Access(access), function)
        return function

    return register


def get_procedure(name: str) -> Procedure | None:
    return _procedures.get(name)


def all_procedures() -> list[Procedure]:
    """Every procedure, by name."""
    return [_procedures[name] for name in sorted(_procedures)]
