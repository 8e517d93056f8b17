"""tRPC's streamed batch body (``httpBatchStreamLink``): JSON Lines, pure.

As ``@trpc/server`` 11 writes it (``stream/jsonl.ts``, ``http/resolveResponse.ts``): a head line
with one promise per call, then each call's lines as soon as that call is done. A call's
promise resolves to ``{"result": <promise of {"data": <promise of the data>}>}`` (three lines)
or straight to ``{"error": <shape>}`` (one line); every promise after the head gets the next
chunk id of one counter, in the order the lines are written. Each line is the transformer's
form of the whole line (under SuperJSON, ``meta`` paths start at the line), then ``\\n``.
See ``docs/protocols/trpc-streaming.md``.
"""

from typing import Any

from api import superjson
from api.superjson import UNDEFINED
from api.trpc import Outcome, Success, dumps

STREAM_MEDIA_TYPE = "application/jsonl"
# What the chunk definitions and lines of a promise say (tRPC's CHUNK_VALUE_TYPE_PROMISE and
# PROMISE_STATUS_FULFILLED). A failed call is a fulfilled promise of an ``error`` object.
_PROMISE = 0
_FULFILLED = 0
# The value that stands for a promise inside an object (tRPC's placeholder).
_PLACEHOLDER = 0


def asks_for_stream(*, trpc_accept: str | None, accept: str | None) -> bool:
    """Whether a request asks for a streamed answer, as tRPC's ``getAcceptHeader`` decides: the
    ``trpc-accept`` header when it is there, else a comma-separated ``Accept`` token."""
    if trpc_accept is not None:
        return trpc_accept.strip() == STREAM_MEDIA_TYPE
    if accept is None:
        return False
    return any(token.strip() == STREAM_MEDIA_TYPE for token in accept.split(","))


class JsonlBody:
    """The lines of one streamed batch of ``call_count`` calls: ``head()`` first, then
    ``answer()`` for each call as it finishes. Holds the response's chunk id counter."""

    def __init__(self, call_count: int, *, uses_superjson: bool) -> None:
        self._call_count = call_count
        self._uses_superjson = uses_superjson
        self._next_chunk_id = call_count  # the head's promises are chunks 0 … n-1

    def head(self) -> bytes:
        """Line 1: each call's index mapped to a promise, chunk ``index``."""
        head = {
            str(index): [[_PLACEHOLDER], [None, _PROMISE, index]]
            for index in range(self._call_count)
        }
        return self._line(head)

    def answer(self, index: int, outcome: Outcome) -> bytes:
        """The lines that settle call ``index``'s promise with ``outcome``."""
        if not isinstance(outcome, Success):
            return self._line([index, _FULFILLED, [[{"error": outcome.shape()}]]])
        result_chunk = self._take_chunk_id()
        data_chunk = self._take_chunk_id()
        result = [[{"result": _PLACEHOLDER}], ["result", _PROMISE, result_chunk]]
        result_data = [[{"data": _PLACEHOLDER}], ["data", _PROMISE, data_chunk]]
        data = [[]] if outcome.data is UNDEFINED else [[outcome.data]]
        return (
            self._line([index, _FULFILLED, result])
            + self._line([result_chunk, _FULFILLED, result_data])
            + self._line([data_chunk, _FULFILLED, data])
        )

    def _take_chunk_id(self) -> int:
        chunk_id = self._next_chunk_id
        self._next_chunk_id += 1
        return chunk_id

    def _line(self, line: Any) -> bytes:
        encoded = (
            superjson.serialize(line) if self._uses_superjson else superjson.to_plain_json(line)
        )
        return dumps(encoded) + b"\n"
