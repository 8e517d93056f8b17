"""Password hashing (checking and setting) under a process-wide bound, holding no database
connection.

A hash holds a CPU for ~100 ms on purpose. Run unbounded, a burst of sign-ins queues on the
CPUs while each request keeps a pooled database connection, and every other request of the
site then waits for the pool and fails. Here at most AUTH_MAX_CONCURRENT_HASHES hashes run at
once per process; a request that cannot get a slot within AUTH_HASH_WAIT_MILLISECONDS is
refused with ServiceUnavailable (503 + Retry-After) before it hashes anything, and the
request's database connection goes back to the pool before it waits or hashes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import hashers
from django.db import connection

from lib.errors import ServiceUnavailable
from lib.process_slots import ProcessSlots

_RETRY_AFTER_SECONDS = 1


class HashingBusy(ServiceUnavailable):
    default_message = "Too many people are signing in right now. Please try again in a moment."


@dataclass(frozen=True)
class Verdict:
    is_valid: bool
    # The hash uses an older algorithm or fewer iterations than the site now asks for.
    needs_rehash: bool


def check(password: str, encoded: str | None) -> Verdict:
    """Whether ``password`` matches ``encoded``; None (no such account) hashes a dummy
    instead, so an unknown address takes as long as a wrong password."""
    with _slot():
        if encoded is None:
            hashers.make_password(password)
            return Verdict(is_valid=False, needs_rehash=False)
        is_valid = hashers.check_password(password, encoded)
    preferred = hashers.get_hasher("default")
    needs_rehash = is_valid and (
        hashers.identify_hasher(encoded).algorithm != preferred.algorithm
        or preferred.must_update(encoded)
    )
    return Verdict(is_valid=is_valid, needs_rehash=needs_rehash)


def make(password: str) -> str:
    """The stored form of a new ``password``."""
    with _slot():
        return hashers.make_password(password)


_slots = ProcessSlots(
    size=lambda: settings.AUTH_MAX_CONCURRENT_HASHES,
    wait_seconds=lambda: settings.AUTH_HASH_WAIT_MILLISECONDS / 1000,
    busy=lambda: HashingBusy(retry_after=_RETRY_AFTER_SECONDS),
)


@contextmanager
def _slot() -> Iterator[None]:
    _release_database_connection()
    with _slots.held():
        yield


def _release_database_connection() -> None:
    """Give the request's connection back to the pool (psycopg's, under CONN_MAX_AGE = 0);
    the next query takes one again. Inside a transaction the connection must stay."""
    if not connection.in_atomic_block:
        connection.close()
