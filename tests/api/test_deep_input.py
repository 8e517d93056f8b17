"""An input or body nested deeper than the JSON parser goes is a 400 BAD_REQUEST, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

DEPTHS = [2_000, 100_000]


@pytest.mark.parametrize("depth", DEPTHS)
def test_an_over_deep_query_input_is_a_bad_request(trpc, depth):
    response = trpc.client.get("/api/trpc/post.list", {"input": "[" * depth + "]" * depth})
    assert response.status_code == 400
    assert response.json()["error"]["data"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("depth", DEPTHS)
def test_an_over_deep_mutation_body_is_a_bad_request(as_user, author, depth):
    body = '{"title":' + '{"a":' * depth + "1" + "}" * depth + "}"
    response = as_user(author).client.post(
        "/api/trpc/post.create", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["data"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("depth", DEPTHS)
def test_an_over_deep_batch_body_is_a_bad_request_for_each_call(as_user, author, depth):
    body = '{"0":{"json":' + "[" * depth + "]" * depth + "}}"
    response = as_user(author).client.post(
        "/api/trpc/post.create,post.create?batch=1", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert [item["error"]["data"]["code"] for item in response.json()] == ["BAD_REQUEST"] * 2
