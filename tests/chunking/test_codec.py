"""The chunk codec: any payload survives split and join, in any order, with duplicates."""

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chunking import codec


@settings(max_examples=60, deadline=None)
@given(
    message=st.text(min_size=0, max_size=2000),
    chunk_bytes=st.integers(min_value=1, max_value=64),
    data=st.data(),
)
def test_any_message_in_any_order_with_duplicates_joins_to_the_same_bytes(
    message, chunk_bytes, data
):
    chunks = codec.split(message, message_id="m-1", chunk_bytes=chunk_bytes)
    shuffled = data.draw(st.permutations(chunks))
    duplicates = data.draw(st.lists(st.sampled_from(chunks), max_size=5))
    assert codec.join([*shuffled, *duplicates]) == message.encode()


@settings(max_examples=10, deadline=None)
@given(st.binary(min_size=0, max_size=3 * codec.CHUNK_BYTES))
def test_split_cuts_at_the_real_chunk_size_and_joins_back(raw):
    message = raw.decode("latin-1")
    chunks = codec.split(message, message_id="abc")
    assert codec.join(reversed(chunks)) == message.encode()
    assert all(len(chunk.data) <= codec.MAX_CHUNK_DATA_CHARS for chunk in chunks)
    assert {chunk.total_chunks for chunk in chunks} == {len(chunks)}


def test_a_one_mebibyte_message_becomes_frames_under_240_kb():
    message = json.dumps({"content": 'é"x' * (350 * 1024)})
    assert codec.needs_chunking(message)
    chunks = codec.split(message)
    assert len(chunks) > 1
    for chunk in chunks:
        frame = json.dumps(
            {"type": "data", "id": "x" * 128, "event": json.dumps(chunk.to_event())},
            ensure_ascii=False,
        )
        assert len(frame.encode()) < 240 * 1024
        assert codec.parse_chunk(json.loads(json.loads(frame)["event"])) == chunk


def test_small_messages_are_not_chunked_and_escapes_count_towards_the_size():
    assert not codec.needs_chunking("x" * 1000)
    quoted = '"' * (120 * 1024)  # 120 KB of quotes travel as 240 KB of \"
    assert codec.needs_chunking(quoted)


VALID = {"type": "chunk", "messageId": "m-1", "chunkIndex": 0, "totalChunks": 2, "data": "aGk="}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "other"}, "A chunk is"),
        ({"messageId": ""}, "messageId"),
        ({"messageId": "a/b"}, "messageId"),
        ({"totalChunks": 0}, "totalChunks"),
        ({"totalChunks": True}, "totalChunks"),
        ({"totalChunks": codec.MAX_CHUNKS + 1}, "at most"),
        ({"chunkIndex": 2}, "chunkIndex must be between 0 and 1"),
        ({"chunkIndex": -1}, "chunkIndex"),
        ({"chunkIndex": "0"}, "chunkIndex"),
        ({"data": 5}, "base64"),
        ({"data": "not base64!"}, "not valid base64"),
        ({"data": "A" * (codec.MAX_CHUNK_DATA_CHARS + 4)}, "at most"),
    ],
)
def test_malformed_chunk_envelopes_are_rejected_with_the_reason(change, message):
    with pytest.raises(codec.InvalidChunk, match=message):
        codec.parse_chunk(VALID | change)


def test_limits_are_limit_errors():
    with pytest.raises(codec.ChunkLimitExceeded):
        codec.parse_chunk(VALID | {"totalChunks": codec.MAX_CHUNKS + 1})
    assert codec.MAX_CHUNKS * codec.CHUNK_BYTES >= codec.MAX_MESSAGE_BYTES


def test_join_refuses_incomplete_or_mixed_chunks():
    chunks = codec.split("x" * (codec.CHUNK_BYTES * 2 + 1), message_id="a")
    with pytest.raises(codec.InvalidChunk, match="missing"):
        codec.join(chunks[:2])
    with pytest.raises(codec.InvalidChunk, match="one message"):
        codec.join([chunks[0], codec.Chunk("b", 1, 3, chunks[1].data), chunks[2]])
    with pytest.raises(codec.InvalidChunk, match="no chunks"):
        codec.join([])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_every_standard_base64_text_is_accepted(raw):
    assert codec.is_base64(base64.b64encode(raw).decode())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="AZaz09+/=-_ \n\u00e9", max_size=16))
def test_what_is_accepted_as_base64_decodes(text):
    if codec.is_base64(text):
        codec.decode_data(text)


@pytest.mark.parametrize(
    "data", ["QQ", "QQ=", "Q===", "QUJD=", "QQ==QQ==", "QU=D", "QUJD\n", "QUJ-", "QUJ\u00e9"]
)
def test_base64_without_its_padding_or_with_other_characters_is_refused(data):
    assert not codec.is_base64(data)
    with pytest.raises(codec.InvalidChunk, match="not valid base64"):
        codec.parse_chunk(VALID | {"data": data})
