"""The pure tRPC codec: request parsing, batching, envelopes and the status of a batch."""

import pytest

from api import trpc
from api.superjson import UNDEFINED


def parse(method="GET", path="post.list", query=None, body=None, content_type="", **kwargs):
    return trpc.parse_http_request(
        method=method,
        path=path,
        query=query or {},
        body=body,
        content_type=content_type,
        **kwargs,
    )


def test_a_query_without_input_has_undefined_input():
    request = parse()
    assert request.calls == [trpc.Call("post.list", UNDEFINED)]
    assert not request.is_batch


def test_batched_paths_are_url_decoded_then_split_and_inputs_keyed_by_position():
    request = parse(path="post.list%2Cuser.me", query={"batch": "1", "input": '{"1": {"id": 1}}'})
    assert request.calls == [trpc.Call("post.list", UNDEFINED), trpc.Call("user.me", {"id": 1})]


def test_a_batch_whose_input_is_not_an_object_fails_as_a_whole():
    error = parse(path="a,b", query={"batch": "1", "input": "[1, 2]"})
    assert isinstance(error, trpc.TrpcError)
    assert error.code == "BAD_REQUEST"


def test_input_that_is_not_json_fails_each_call_with_bad_request():
    request = parse(path="a,b", query={"batch": "1", "input": "{oops"})
    assert [call.input.code for call in request.calls] == ["BAD_REQUEST", "BAD_REQUEST"]
    assert [call.input.path for call in request.calls] == ["a", "b"]


def test_a_post_needs_a_json_content_type():
    error = parse(method="POST", content_type="text/plain", body=b"{}")
    assert error.code == "UNSUPPORTED_MEDIA_TYPE"
    assert error.http_status == 415


def test_an_empty_post_body_is_undefined():
    request = parse(method="POST", content_type="application/json", body=b"")
    assert request.kind == "mutation"
    assert request.calls[0].input is UNDEFINED


def test_superjson_inputs_make_a_superjson_request_unless_json_is_forced():
    query = {"input": '{"json": {"limit": 1}}'}
    assert parse(query=query).uses_superjson
    assert parse(query=query).calls[0].input == {"limit": 1}
    forced = parse(query=query, transformer="json")
    assert not forced.uses_superjson
    assert forced.calls[0].input == {"json": {"limit": 1}}


def test_too_big_a_batch_is_refused_before_any_call():
    error = parse(path=",".join(["post.list"] * 21), query={"batch": "1"})
    assert error.code == "BAD_REQUEST"


@pytest.mark.parametrize(("code", "numbers"), sorted(trpc.ERROR_CODES.items()))
def test_every_error_code_has_its_json_rpc_number_and_status(code, numbers):
    shape = trpc.TrpcError(code, "m", "p").shape()
    assert (shape["code"], shape["data"]["httpStatus"]) == numbers
    assert shape["data"]["code"] == code


def test_the_spec_s_table_is_the_table():
    assert trpc.ERROR_CODES["PARSE_ERROR"] == (-32700, 400)
    assert trpc.ERROR_CODES["TOO_MANY_REQUESTS"] == (-32029, 429)
    assert trpc.ERROR_CODES["GATEWAY_TIMEOUT"] == (-32603, 504)
    assert trpc.ERROR_CODES["CLIENT_CLOSED_REQUEST"] == (-32099, 499)


def test_a_batch_of_differing_statuses_is_207_and_of_one_status_that_status():
    ok, missing = trpc.Success(1), trpc.TrpcError("NOT_FOUND", "x")
    assert trpc.http_status([ok, missing]) == 207
    assert trpc.http_status([missing, missing]) == 404
    assert trpc.http_status([ok, ok]) == 200


def test_under_superjson_the_whole_error_object_is_wrapped():
    body = trpc.envelope(trpc.TrpcError("FORBIDDEN", "no", "post.update"), uses_superjson=True)
    assert body == {
        "error": {
            "json": {
                "message": "no",
                "code": -32003,
                "data": {"code": "FORBIDDEN", "httpStatus": 403, "path": "post.update"},
            }
        }
    }


@pytest.mark.parametrize(
    ("method", "query", "body", "transformer", "expected"),
    [
        ("GET", {"batch": "1", "input": '{"0": {"json": {"limit": 1}}}'}, None, "auto", True),
        ("GET", {"batch": "1", "input": '{"0": {"limit": 1}}'}, None, "auto", False),
        ("GET", {"input": '{"json": {"limit": 1}}'}, None, "auto", True),
        ("GET", {"batch": "1", "input": "{oops"}, None, "auto", False),
        ("GET", {"batch": "1"}, None, "auto", False),
        ("POST", {"batch": "1"}, b'{"0": {"json": {"title": "x"}}}', "auto", True),
        ("POST", {"batch": "1"}, b"not json", "auto", False),
        ("GET", {"batch": "1", "input": '{"0": {"limit": 1}}'}, None, "superjson", True),
        ("GET", {"batch": "1", "input": '{"0": {"json": {}}}'}, None, "json", False),
    ],
)
def test_a_refused_request_is_answered_in_the_form_of_its_inputs(
    method, query, body, transformer, expected
):
    assert (
        trpc.refusal_uses_superjson(method=method, query=query, body=body, transformer=transformer)
        is expected
    )
