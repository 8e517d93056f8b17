"""tRPC's Server-Sent Events, byte for byte as @trpc/server 11.25.2 writes them.

The expected bytes were written by @trpc/server 11.25.2's ``sseStreamProducer`` with superjson
(``tracked(id, value)`` values, ping on, ``client: {reconnectAfterInactivityMs: 3000}``), and
the request rules are read from its ``http/contentType.ts`` and
``http/parseConnectionParams.ts``.
"""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import trpc, trpc_sse
from api.superjson import UNDEFINED

TRPC_STREAM = (
    b"event: connected\n"
    b'data: {"reconnectAfterInactivityMs":3000}\n'
    b"\n\n"
    b'data: {"json":{"id":"p1","at":"2026-01-02T03:04:05.678Z"},'
    b'"meta":{"values":{"at":["Date"]},"v":1}}\n'
    b"id: ab12:1\n"
    b"\n\n"
    b"event: ping\n"
    b"data: \n"
    b"\n\n"
    b'data: {"json":{"n":2}}\n'
    b"id: ab12:2\n"
    b"\n\n"
    b"event: return\n"
    b"data: \n"
    b"\n\n"
)


def test_a_stream_is_the_bytes_trpc_writes():
    at = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    written = (
        trpc_sse.connected({"reconnectAfterInactivityMs": 3000})
        + trpc_sse.message({"id": "p1", "at": at}, "ab12:1", uses_superjson=True)
        + trpc_sse.PING
        + trpc_sse.message({"n": 2}, "ab12:2", uses_superjson=True)
        + trpc_sse.RETURN
    )
    assert written == TRPC_STREAM


def test_without_a_transformer_the_data_is_plain_json_and_the_options_may_be_empty():
    assert trpc_sse.connected({}) == b"event: connected\ndata: {}\n\n\n"
    assert trpc_sse.message(1, "e:1", uses_superjson=False) == b"data: 1\nid: e:1\n\n\n"


def test_a_serialized_error_is_the_error_shape_wrapped_by_the_transformer():
    error = trpc.TrpcError("INTERNAL_SERVER_ERROR", "m", "a.b")
    assert trpc_sse.serialized_error(error, uses_superjson=True) == (
        b"event: serialized-error\n"
        b'data: {"json":{"message":"m","code":-32603,"data":{"code":"INTERNAL_SERVER_ERROR",'
        b'"httpStatus":500,"path":"a.b"}}}\n'
        b"\n\n"
    )
    assert trpc_sse.serialized_error(error, uses_superjson=False).startswith(
        b'event: serialized-error\ndata: {"message":"m","code":-32603,'
    )


@pytest.mark.parametrize("event_id", ["", "a\nb", "a\rb", "a\0b"])
def test_an_event_id_that_cannot_be_one_line_is_refused(event_id):
    with pytest.raises(ValueError):
        trpc_sse.message(1, event_id, uses_superjson=False)


@given(st.text())
def test_no_value_can_break_out_of_its_data_line(text):
    for uses_superjson in (False, True):
        event = trpc_sse.message({"text": text}, "e:1", uses_superjson=uses_superjson)
        fields = event.decode().split("\n")
        assert fields[0].startswith("data: ")
        assert fields[1:] == ["id: e:1", "", "", ""]
        assert "\r" not in event.decode()


def test_the_resume_id_is_the_header_else_lastEventId_else_Last_Event_Id():
    both = {"lastEventId": "q:1", "Last-Event-Id": "q:2"}
    assert trpc_sse.last_event_id(header="h:1", query=both) == "h:1"
    assert trpc_sse.last_event_id(header=None, query=both) == "q:1"
    assert trpc_sse.last_event_id(header=None, query={"Last-Event-Id": "q:2"}) == "q:2"
    assert trpc_sse.last_event_id(header=None, query={}) is None


def test_the_resume_id_is_merged_into_the_input_as_trpc_merges_it():
    merge = trpc_sse.with_last_event_id
    assert merge({"postId": "p", "lastEventId": "old"}, "e:2") == {
        "postId": "p",
        "lastEventId": "e:2",
    }
    assert merge(UNDEFINED, "e:2") == {"lastEventId": "e:2"}
    assert merge(None, "e:2") == {"lastEventId": "e:2"}
    assert merge(5, "e:2") == 5  # not an object: left as it is
    assert merge({"postId": "p"}, None) == {"postId": "p"}
    assert merge({"postId": "p"}, "") == {"postId": "p"}
    unreadable = trpc.TrpcError("BAD_REQUEST", "The input is not valid JSON")
    assert merge(unreadable, "e:2") is unreadable


def test_connection_params_are_an_object_of_strings_or_a_parse_error():
    assert trpc_sse.connection_params(None) is None
    assert trpc_sse.connection_params("null") is None
    assert trpc_sse.connection_params('{"token":"t"}') == {"token": "t"}
    for text, message in [
        ("{nope", "Not JSON-parsable query params"),
        ("[]", "Invalid connection params shape"),
        ('{"token":1}', "Invalid connection params shape"),
    ]:
        error = trpc_sse.connection_params(text)
        assert isinstance(error, trpc.TrpcError)
        assert (error.code, error.message, error.http_status) == ("PARSE_ERROR", message, 400)


def test_the_headers_are_trpcs():
    assert trpc_sse.HEADERS == {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache, no-transform",
        "X-Accel-Buffering": "no",
        "Connection": "keep-alive",
    }
