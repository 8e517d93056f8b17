"""Which database this context's reads go to: a read replica while a scope allows it, else the
primary. ``config.database_router`` asks it; ``config.database_router.ReplicaReadsMiddleware``
opens the scope for the requests that may read stale data.

A scope is a context variable, so it follows the request into the thread that runs it (asgiref
copies the context) and never leaks into another request or a WebSocket consumer.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections


@dataclass
class _ReplicaScope:
    alias: str
    # Set by the first write: the rest of the scope reads what it wrote, from the primary.
    has_written: bool = False


_scope: ContextVar[_ReplicaScope | None] = ContextVar("replica_scope", default=None)


@contextlib.contextmanager
def replica_reads(alias: str) -> Iterator[None]:
    """Reads inside go to the database ``alias`` (a replica), until the first write."""
    token = _scope.set(_ReplicaScope(alias))
    try:
        yield
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside go to the primary, whatever scope surrounds them: for answers that are kept
    (cached) and shown to viewers who must see their own writes."""
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


def read_alias() -> str:
    """The database a read made now goes to: the scope's replica, unless there is no scope,
    the scope has written, or a transaction is open on the primary (whose reads must see it)."""
    scope = _scope.get()
    if scope is None or scope.has_written or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return scope.alias


def note_write() -> None:
    """A write is about to happen in this context: its later reads go to the primary."""
    scope = _scope.get()
    if scope is not None:
        scope.has_written = True
