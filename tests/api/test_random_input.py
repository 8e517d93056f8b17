"""Whatever JSON arrives, every procedure answers in the protocol's shape and never with a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.registry import all_procedures
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["id", "slug", "postId", "parentId", "authorId", "title", "content", "excerpt", "published",
     "limit", "cursor", "query", "name", "bio", "avatarUrl", "json", "meta"]
)  # fmt: skip
inputs = json_values | st.dictionaries(field_names, json_values, max_size=5)
PROCEDURES = [(p.name, str(p.kind)) for p in all_procedures()]
_NO_HEALTH_FUSS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def world(author, reader, settings):
    settings.API_THROTTLE_RATES = {"anonymous": "100000/minute", "user": "100000/minute"}
    post = PostFactory(author=author)
    CommentFactory(post=post, author=reader)
    PostFactory(author=author, published=False)


def _assert_protocol_answer(response):
    assert response.status_code < 500, response.content
    body = json.loads(response.content)
    for item in body if isinstance(body, list) else [body]:
        assert "result" in item or "error" in item


@pytest.mark.parametrize(("path", "kind"), PROCEDURES)
@_NO_HEALTH_FUSS
@given(value=inputs)
def test_random_input_never_breaks_a_procedure(as_user, reader, world, path, kind, value):
    caller = as_user(reader).client
    if kind == "query":
        response = caller.get(f"/api/trpc/{path}", {"input": json.dumps(value)})
    else:
        response = caller.post(f"/api/trpc/{path}", json.dumps(value), "application/json")
    _assert_protocol_answer(response)


@_NO_HEALTH_FUSS
@given(raw=st.text(max_size=200), path=st.text(min_size=1, max_size=40))
def test_random_query_strings_and_paths_never_break_the_endpoint(client, world, raw, path):
    response = client.get("/api/trpc/post.list", {"input": raw, "batch": "1"})
    _assert_protocol_answer(response)
    response = client.get(f"/api/trpc/{path.replace('/', '_').replace('?', '_')}", {"input": raw})
    _assert_protocol_answer(response)
