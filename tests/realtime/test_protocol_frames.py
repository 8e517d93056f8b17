"""Reading client frames and auth headers: every malformed input gets the protocol's answer."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realtime import protocol
from realtime.groups import parse_channel_path
from tests.realtime.conftest import header_subprotocol


@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=60), max_size=4))
def test_auth_subprotocol_is_read_with_its_padding_stripped(headers):
    read = protocol.headers_from_subprotocols(["aws-appsync-event-ws", header_subprotocol(headers)])
    assert read == {name.lower(): value for name, value in headers.items()}


@pytest.mark.parametrize("garbage", ["header-", "header-!!!", "header-bm90IGpzb24", "header-WzFd"])
def test_unreadable_auth_subprotocol_counts_as_no_headers(garbage):
    assert protocol.headers_from_subprotocols([garbage]) == {}


@pytest.mark.parametrize(
    ("value", "token"),
    [("Bearer abc.def", "abc.def"), ("bearer  abc", "abc"), ("abc", "abc"), ("", None)],
)
def test_authorization_may_be_bearer_or_bare(value, token):
    assert protocol.bearer_token({"authorization": value}) == token


def test_a_publish_is_read_with_its_channel_normalised():
    frame = protocol.parse_frame(
        json.dumps(
            {
                "type": "publish",
                "id": "op-1",
                "channel": "subscriptions/posts/",
                "events": ['{"a": 1}'],
                "authorization": {"Authorization": "t", "x-amz-user-agent": "amplify"},
                "payload": {"legacy": True},
            }
        )
    )
    assert frame == protocol.Publish(
        "op-1",
        parse_channel_path("/subscriptions/posts"),
        ['{"a": 1}'],
        {"authorization": "t", "x-amz-user-agent": "amplify"},
    )


@pytest.mark.parametrize(
    ("frame", "answer_type", "error_type", "message"),
    [
        ("not json", "error", "BadRequestException", "not valid JSON"),
        ("[]", "error", "BadRequestException", "no type"),
        ('{"id": "a"}', "error", "BadRequestException", "no type"),
        ('{"type": "dance"}', "error", "BadRequestException", "Unknown message type"),
        ('{"type": "subscribe", "channel": "/a/b"}', "error", "BadRequestException", "an id"),
        (
            '{"type": "subscribe", "id": "bad id!", "channel": "/a/b"}',
            "error",
            "BadRequestException",
            "an id",
        ),
        (
            '{"type": "subscribe", "id": "s", "channel": "/a b"}',
            "subscribe_error",
            "BadRequest",
            "",
        ),
        ('{"type": "subscribe", "id": "s", "channel": "/a/b/c/d/e/f"}', "subscribe_error", "", "5"),
        ('{"type": "publish", "id": "p", "channel": "/a/b"}', "publish_error", "", "1 to 5"),
        (
            '{"type": "publish", "id": "p", "channel": "/a/b", "events": ["1","2","3","4","5","6"]'
            "}",
            "publish_error",
            "BadRequestException",
            "1 to 5",
        ),
        (
            '{"type": "publish", "id": "p", "channel": "/a/*", "events": ["1"]}',
            "publish_error",
            "BadRequestException",
            "wildcard",
        ),
    ],
)
def test_malformed_frames_get_the_protocols_answer(frame, answer_type, error_type, message):
    with pytest.raises(protocol.FrameError) as raised:
        protocol.parse_frame(frame)
    answer = raised.value.answer()
    assert answer["type"] == answer_type
    assert error_type in answer["errors"][0]["errorType"]
    assert message in answer["errors"][0]["message"]


def test_a_frame_over_240_kb_is_a_limit_error_for_its_operation():
    frame = json.dumps(
        {"type": "publish", "id": "big", "channel": "/a/b", "events": ["x" * (240 * 1024)]}
    )
    with pytest.raises(protocol.FrameError) as raised:
        protocol.parse_frame(frame)
    assert raised.value.answer() == protocol.operation_error(
        "publish_error", "big", "LimitExceededException", raised.value.message
    )


@given(st.text(max_size=300))
def test_any_text_is_a_frame_or_a_frame_error(text):
    try:
        protocol.parse_frame(text)
    except protocol.FrameError as error:
        assert error.answer()["errors"][0]["errorType"] in protocol.ERROR_CODES


@pytest.mark.parametrize(
    "payload",
    [None, {}, {"type": "session.request"}, {"type": "session.request", "clientUuid": "nope"}],
)
def test_session_requests_need_a_client_uuid(payload):
    with pytest.raises(protocol.ProtocolError, match=r"session\.request|UUID"):
        protocol.session_request_client_uuid(payload)


def test_a_data_frame_carries_the_event_as_a_string():
    assert protocol.data("s1", '{"a":1}') == {"type": "data", "id": "s1", "event": '{"a":1}'}
