"""The streamed batch body (tRPC's JSON Lines), byte for byte as @trpc/server 11.25.2 writes it.

The expected bytes were written by @trpc/server 11.25.2's fetch adapter (``resolveResponse``)
for a router with the same procedures, calls finishing in the order given; its error shapes
carry a ``stack`` in development mode only, which Inkwell's do with DEBUG on.
"""

from datetime import UTC, datetime

import pytest

from api import superjson, trpc
from api.superjson import UNDEFINED
from api.trpc_jsonl import JsonlBody, asks_for_stream


def lines(body: bytes) -> list[str]:
    assert body.endswith(b"\n")
    return body.decode().splitlines()


def test_one_call_is_a_head_then_three_lines():
    body = JsonlBody(1, uses_superjson=False)
    written = body.head() + body.answer(0, trpc.Success({"text": "hello world"}, "hello"))
    assert written == (
        b'{"0":[[0],[null,0,0]]}\n'
        b'[0,0,[[{"result":0}],["result",0,1]]]\n'
        b'[1,0,[[{"data":0}],["data",0,2]]]\n'
        b'[2,0,[[{"text":"hello world"}]]]\n'
    )


def test_a_failed_call_is_one_fulfilled_line_and_later_chunks_take_the_next_ids():
    # "slow,nope": the unknown procedure answers first, the slow one after it.
    body = JsonlBody(2, uses_superjson=False)
    missing = trpc.TrpcError("NOT_FOUND", 'No procedure found on path "nope"', "nope")
    written = body.head() + body.answer(1, missing) + body.answer(0, trpc.Success({"id": 1}))
    assert lines(written) == [
        '{"0":[[0],[null,0,0]],"1":[[0],[null,0,1]]}',
        '[1,0,[[{"error":{"message":"No procedure found on path \\"nope\\"","code":-32004,'
        '"data":{"code":"NOT_FOUND","httpStatus":404,"path":"nope"}}}]]]',
        '[0,0,[[{"result":0}],["result",0,2]]]',
        '[2,0,[[{"data":0}],["data",0,3]]]',
        '[3,0,[[{"id":1}]]]',
    ]


def test_undefined_data_is_an_empty_value():
    body = JsonlBody(1, uses_superjson=False)
    assert lines(body.answer(0, trpc.Success(UNDEFINED)))[-1] == "[2,0,[[]]]"


def test_under_superjson_each_whole_line_is_wrapped_with_paths_from_the_line():
    body = JsonlBody(1, uses_superjson=True)
    at = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    written = body.head() + body.answer(0, trpc.Success({"at": at, "n": 1}))
    assert lines(written) == [
        '{"json":{"0":[[0],[null,0,0]]}}',
        '{"json":[0,0,[[{"result":0}],["result",0,1]]]}',
        '{"json":[1,0,[[{"data":0}],["data",0,2]]]}',
        '{"json":[2,0,[[{"at":"2026-01-02T03:04:05.678Z","n":1}]]],'
        '"meta":{"values":{"2.0.0.at":["Date"]},"v":1}}',
    ]
    # What the client's superjson.deserialize makes of the last line: the Date back.
    restored = superjson.deserialize(trpc.orjson.loads(lines(written)[-1]))
    assert restored == [2, 0, [[{"at": at, "n": 1}]]]


def test_under_superjson_an_error_shape_is_not_wrapped_a_second_time():
    body = JsonlBody(1, uses_superjson=True)
    gone = trpc.TrpcError("NOT_FOUND", "gone", "bad")
    assert lines(body.answer(0, gone)) == [
        '{"json":[0,0,[[{"error":{"message":"gone","code":-32004,'
        '"data":{"code":"NOT_FOUND","httpStatus":404,"path":"bad"}}}]]]}'
    ]


def test_an_answer_already_encoded_by_its_producer_keeps_its_dates():
    encoded = superjson.Encoded(
        [{"createdAt": "2026-01-02T03:04:05.678Z"}], {"0.createdAt": ["Date"]}
    )
    written = JsonlBody(1, uses_superjson=True).answer(0, trpc.Success(encoded))
    assert lines(written)[-1] == (
        '{"json":[2,0,[[[{"createdAt":"2026-01-02T03:04:05.678Z"}]]]],'
        '"meta":{"values":{"2.0.0.0.createdAt":["Date"]},"v":1}}'
    )


@pytest.mark.parametrize(
    ("trpc_accept", "accept", "streams"),
    [
        ("application/jsonl", None, True),
        (" application/jsonl ", None, True),
        (None, "application/jsonl", True),
        (None, "text/html, application/jsonl", True),
        # A token is compared whole: parameters make it another one, as in tRPC.
        (None, "text/html, application/jsonl;q=1", False),
        (None, "application/json", False),
        (None, "*/*", False),
        (None, None, False),
        # trpc-accept, when sent, decides alone.
        ("application/json", "application/jsonl", False),
    ],
)
def test_a_stream_is_asked_for_as_trpc_reads_the_headers(trpc_accept, accept, streams):
    assert asks_for_stream(trpc_accept=trpc_accept, accept=accept) is streams


def test_a_streamed_request_that_is_not_a_batch_is_refused():
    error = trpc.parse_http_request(
        method="GET", path="post.list", query={}, body=None, content_type="", streams=True
    )
    assert error == trpc.TrpcError(
        "BAD_REQUEST", "Streaming requests must be batched (you can do a batch of 1)"
    )


def test_a_streamed_batch_of_one_is_a_batch():
    request = trpc.parse_http_request(
        method="GET", path="post.list", query={"batch": "1"}, body=None, content_type="",
        streams=True,
    )  # fmt: skip
    assert isinstance(request, trpc.HttpRequest)
    assert request.is_batch
