"""The chunk codec: a large message split into base64 chunk events, and chunks joined back.

Pure: no Django. A message travels as a JSON string inside a frame, so it is measured that
way; over CHUNK_THRESHOLD_BYTES it is cut into byte ranges whose base64 text is at most
MAX_CHUNK_DATA_CHARS, which keeps every frame under AppSync's 240 KB limit.
"""

import base64
import binascii
import json
import math
import re
import string
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

CHUNK_THRESHOLD_BYTES = 230 * 1024
MAX_CHUNK_DATA_CHARS = 200 * 1024
# Base64 turns 3 bytes into 4 characters: size the byte range after encoding.
CHUNK_BYTES = MAX_CHUNK_DATA_CHARS // 4 * 3
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
MAX_CHUNKS = math.ceil(MAX_MESSAGE_BYTES / CHUNK_BYTES)
CHUNK_TYPE = "chunk"
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_BASE64_ALPHABET = (string.ascii_letters + string.digits + "+/").encode()


class InvalidChunk(ValueError):
    """A chunk event that breaks the envelope's rules; the message says which."""


class ChunkLimitExceeded(InvalidChunk):
    """A chunked message larger than the server accepts."""


@dataclass(frozen=True)
class Chunk:
    """One chunk envelope: ``data`` is the base64 text of bytes ``chunk_index`` of a message."""

    message_id: str
    chunk_index: int
    total_chunks: int
    data: str

    def to_event(self) -> dict[str, Any]:
        return {
            "type": CHUNK_TYPE,
            "messageId": self.message_id,
            "chunkIndex": self.chunk_index,
            "totalChunks": self.total_chunks,
            "data": self.data,
        }


def is_chunk(payload: object) -> bool:
    """Whether a decoded event is a chunk envelope rather than an ordinary message."""
    return isinstance(payload, dict) and payload.get("type") == CHUNK_TYPE


def wire_size(message: str) -> int:
    """Bytes ``message`` takes inside a frame: as a JSON string, quotes and escapes included."""
    return len(json.dumps(message, ensure_ascii=False).encode())


def needs_chunking(message: str) -> bool:
    return wire_size(message) > CHUNK_THRESHOLD_BYTES


def split(
    message: str, *, message_id: str | None = None, chunk_bytes: int = CHUNK_BYTES
) -> list[Chunk]:
    """``message`` cut into chunks of at most MAX_CHUNK_DATA_CHARS of base64 each.

    ``chunk_bytes`` (bytes per chunk before encoding) may only be made smaller.
    """
    chunk_bytes = min(chunk_bytes, CHUNK_BYTES)
    message_id = message_id or str(uuid.uuid4())
    raw = message.encode()
    total = max(1, math.ceil(len(raw) / chunk_bytes))
    return [
        Chunk(
            message_id=message_id,
            chunk_index=index,
            total_chunks=total,
            data=base64.b64encode(raw[index * chunk_bytes : (index + 1) * chunk_bytes]).decode(),
        )
        for index in range(total)
    ]


def parse_chunk(payload: object) -> Chunk:
    """Read a chunk envelope from a decoded event, checking every field and the limits."""
    if not isinstance(payload, dict) or payload.get("type") != CHUNK_TYPE:
        raise InvalidChunk('A chunk is {"type": "chunk", "messageId", "chunkIndex", …}.')
    message_id = payload.get("messageId")
    index = payload.get("chunkIndex")
    total = payload.get("totalChunks")
    data = payload.get("data")
    if not isinstance(message_id, str) or not _MESSAGE_ID.match(message_id):
        raise InvalidChunk("messageId must be 1-64 letters, digits, '-' or '_'.")
    if not _is_count(total) or total < 1:
        raise InvalidChunk("totalChunks must be a whole number of at least 1.")
    if total > MAX_CHUNKS:
        raise ChunkLimitExceeded(
            f"A message has at most {MAX_CHUNKS} chunks ({MAX_MESSAGE_BYTES // 2**20} MiB)."
        )
    if not _is_count(index) or not 0 <= index < total:
        raise InvalidChunk(f"chunkIndex must be between 0 and {total - 1}.")
    if not isinstance(data, str):
        raise InvalidChunk("data must be base64 text.")
    if len(data) > MAX_CHUNK_DATA_CHARS:
        raise ChunkLimitExceeded(f"A chunk's data is at most {MAX_CHUNK_DATA_CHARS} characters.")
    if not is_base64(data):
        raise InvalidChunk("data is not valid base64.")
    return Chunk(message_id, index, total, data)


def is_base64(data: str) -> bool:
    """Whether ``data`` is standard base64 with its padding, as ``decode_data`` accepts it.

    A scan of the characters rather than a decode: a tenth of the time on a 200 KB chunk,
    whose bytes are only needed once the message is whole.
    """
    if not data.isascii() or len(data) % 4:
        return False
    body = data.rstrip("=")
    return len(data) - len(body) <= 2 and not body.encode().translate(None, _BASE64_ALPHABET)


def decode_data(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidChunk("data is not valid base64.") from None


def join(chunks: Iterable[Chunk]) -> bytes:
    """The bytes of a whole message from its chunks, in any order; duplicates count once."""
    by_index: dict[int, Chunk] = {}
    for chunk in chunks:
        by_index.setdefault(chunk.chunk_index, chunk)
    if not by_index:
        raise InvalidChunk("There are no chunks to join.")
    totals = {chunk.total_chunks for chunk in by_index.values()}
    message_ids = {chunk.message_id for chunk in by_index.values()}
    if len(totals) != 1 or len(message_ids) != 1:
        raise InvalidChunk("The chunks do not belong to one message.")
    (total,) = totals
    if sorted(by_index) != list(range(total)):
        raise InvalidChunk(f"The message is missing chunks of its {total}.")
    raw = b"".join(decode_data(by_index[index].data) for index in range(total))
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ChunkLimitExceeded(f"A message is at most {MAX_MESSAGE_BYTES // 2**20} MiB.")
    return raw


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
