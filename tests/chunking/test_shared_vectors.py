"""The Python codec and the browser's (static/js/chunking.js) agree byte for byte on the same
vectors (tests/vectors/chunks.json; tests/js/chunking.test.mjs checks the browser side)."""

import json
from pathlib import Path

import pytest

from chunking import codec

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "chunks.json").read_text())["cases"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_splitting_matches_the_shared_vector(vector):
    chunks = codec.split(
        vector["message"], message_id=vector["messageId"], chunk_bytes=vector["chunkBytes"]
    )
    assert [chunk.to_event() for chunk in chunks] == vector["chunks"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_joining_the_shared_vector_in_reverse_gives_the_message_back(vector):
    chunks = [codec.parse_chunk(event) for event in reversed(vector["chunks"])]
    assert codec.join(chunks).decode() == vector["message"]
