"""answer_call: the session channel's door to the same procedures, errors and rates as HTTP."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import superjson, trpc
from blog.models import Post
from realtime.session_channel import answer_call
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db
anonymous = AnonymousUser()


def as_sent(answer: dict) -> dict:
    """The answer as the socket sends it (a cached read's data is JSON already written)."""
    return json.loads(trpc.dumps(answer))


def test_a_query_is_answered_with_its_data(author):
    post = PostFactory(author=author)
    answer = as_sent(
        answer_call(
            {"id": 7, "jsonrpc": "2.0", "method": "query", "params": {"path": "post.list"}},
            user=anonymous,
        )
    )
    assert answer["id"] == 7
    assert answer["result"]["type"] == "data"
    assert answer["result"]["data"]["items"][0]["id"] == str(post.id)


def test_a_mutation_runs_as_the_given_user(author):
    answer = answer_call(
        {
            "id": "a",
            "method": "mutation",
            "params": {"path": "post.create", "input": {"title": "W"}},
        },
        user=author,
    )
    assert answer["result"]["data"]["title"] == "W"
    assert Post.objects.get().author == author


def test_errors_have_the_http_table_s_codes():
    answer = answer_call(
        {"id": 1, "method": "mutation", "params": {"path": "post.create", "input": {}}},
        user=anonymous,
    )
    assert answer == {
        "id": 1,
        "error": {
            "message": "You must sign in to do this.",
            "code": -32001,
            "data": {"code": "UNAUTHORIZED", "httpStatus": 401, "path": "post.create"},
        },
    }


def test_superjson_input_gets_a_superjson_answer(author):
    PostFactory(author=author)
    answer = as_sent(
        answer_call(
            {"id": 2, "method": "query", "params": {"path": "post.list", "input": {"json": {}}}},
            user=anonymous,
        )
    )
    data = superjson.deserialize(answer["result"]["data"])
    assert data["items"][0]["createdAt"].tzinfo is not None


@pytest.mark.parametrize(
    ("message", "expected_id", "code"),
    [
        ("hello", None, "BAD_REQUEST"),
        ({"method": "query", "params": {"path": "post.list"}}, None, "BAD_REQUEST"),
        ({"id": 3, "method": "subscribe", "params": {"path": "post.list"}}, 3,
         "METHOD_NOT_SUPPORTED"),
        ({"id": 4, "method": "query"}, 4, "BAD_REQUEST"),
        ({"id": 5, "method": "query", "params": {"path": "post.none"}}, 5, "NOT_FOUND"),
        ({"id": 6, "method": "query", "params": {"path": "post.create"}}, 6,
         "METHOD_NOT_SUPPORTED"),
    ],
)  # fmt: skip
def test_malformed_requests_get_error_answers(message, expected_id, code):
    answer = answer_call(message, user=anonymous)
    assert answer["id"] == expected_id
    assert answer["error"]["data"]["code"] == code


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["id", "method", "params", "path", "input"]), children
            )
        ),
        max_leaves=10,
    )
)
def test_random_messages_never_raise(reader, message):
    answer = answer_call(message, user=reader)
    assert "result" in answer or "error" in answer


def test_socket_calls_share_the_signed_in_callers_rate_with_http(author, client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "3/minute"}
    client.force_login(author)
    assert client.get("/api/trpc/post.list").status_code == 200  # one call over HTTP
    call = {"id": 1, "method": "query", "params": {"path": "post.list"}}
    assert "result" in answer_call(call, user=author)
    assert "result" in answer_call(call, user=author)
    refused = answer_call(call, user=author)
    assert refused["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    assert refused["error"]["code"] == -32029
    assert "result" in answer_call(call, user=UserFactory())  # others keep their budget
