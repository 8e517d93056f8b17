"""Each procedure call counts once against its caller's rate, on every transport: a batch of
three is three calls, and a socket call counts like an HTTP one."""

import pytest

from realtime.session_channel import answer_call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = {"id": 1, "method": "query", "params": {"path": "post.list"}}


def _batch_of(count: int) -> tuple[str, dict]:
    return ",".join(["post.list"] * count), {str(index): {} for index in range(count)}


def test_an_anonymous_batch_of_three_counts_three_calls(trpc, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "3/minute"}
    paths, inputs = _batch_of(3)
    assert trpc.query(paths, inputs, batch=True).status == 200
    answer = trpc.query("post.list")
    assert answer.status == 429
    assert answer.code == "TOO_MANY_REQUESTS"


def test_a_signed_in_batch_counts_each_call_against_the_user(as_user, author, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "3/minute"}
    paths, inputs = _batch_of(2)
    assert as_user(author).query(paths, inputs, batch=True).status == 200
    assert "result" in answer_call(LIST, user=author)  # the third call, over the socket
    refused = answer_call(LIST, user=author)
    assert refused["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    assert as_user(UserFactory()).query(paths, inputs, batch=True).status == 200


def test_the_calls_of_a_batch_past_the_rate_are_refused_with_retry_after(trpc, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "2/minute"}
    paths, inputs = _batch_of(3)
    answer = trpc.query(paths, inputs, batch=True)
    assert answer.status == 207
    assert ["result" in item for item in answer.body] == [True, True, False]
    assert answer.body[2]["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    assert answer.body[2]["error"]["data"]["httpStatus"] == 429
    assert 0 < int(answer.headers["Retry-After"]) <= 60


def test_a_socket_call_over_the_rate_gets_the_same_error_answer_as_http(trpc, author, settings):
    settings.API_THROTTLE_RATES = {"anonymous": "1/minute", "user": "1/minute"}
    assert trpc.query("post.list").status == 200
    http_error = trpc.query("post.list").error
    assert "result" in answer_call(LIST, user=author)
    socket_error = answer_call(LIST, user=author)["error"]
    assert socket_error["code"] == http_error["code"] == -32029
    assert socket_error["data"] == http_error["data"]
    assert socket_error["message"].startswith("Too many calls; try again in ")
    assert http_error["message"].startswith("Too many calls; try again in ")
