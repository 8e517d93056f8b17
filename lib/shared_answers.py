"""Answers that are the same for every anonymous caller, and what keeps them true.

A read cache that serves an answer built for no one in particular (``blog.read_cache``)
declares it here: the read versions it was built under, and until when unannounced changes may
be left out of it. A transport that collects the declarations of every call of a request
(``api.anonymous_reads``) may then send the same bytes to the next anonymous caller, for as long
as those versions are current and the time has not passed, without running the calls again.

The declarations travel in a context variable holding a list, so a read running in a worker
thread (``asgiref``'s ``sync_to_async`` copies the context into the thread) adds to the list of
the request that started it; outside a collection, declaring does nothing.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class SharedAnswer:
    """One call's answer is the same for every anonymous caller while ``version_keys`` (cache
    keys of read versions) hold ``tokens``, and until ``expires_at`` (``time.time()``)."""

    version_keys: tuple[str, ...]
    tokens: tuple[str, ...]
    expires_at: float


_collected: ContextVar[list[SharedAnswer] | None] = ContextVar("shared_answers", default=None)


@contextmanager
def collecting() -> Iterator[list[SharedAnswer]]:
    """The declarations made by the calls run inside the block, in order."""
    found: list[SharedAnswer] = []
    reset = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(reset)


def declare(version_keys: Sequence[str], tokens: Sequence[str], *, expires_at: float) -> None:
    """Declare the answer being built as shared (see ``SharedAnswer``)."""
    found = _collected.get()
    if found is not None:
        found.append(SharedAnswer(tuple(version_keys), tuple(tokens), expires_at))
