"""post.search answers whatever a person types: text the query parser makes nothing of finds
nothing (never a 500), and input it cannot take is a BAD_REQUEST naming the field."""

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    ['"', "!!!", "the", "-", "or", '"unbalanced quote', "a & b | c", "'; DROP TABLE blog_post; --",
     "<->:*", "\\", "%_%", "😀"],
)  # fmt: skip
def test_text_the_parser_makes_nothing_of_finds_nothing(trpc, query):
    PostFactory(title="Gardens", content="Tomatoes love sun.")
    answer = trpc.query("post.search", {"query": query})
    assert answer.status == 200
    assert answer.data["items"] == [] and answer.data["nextCursor"] is None


@pytest.mark.postgres  # the embedded database looks for the words as typed
def test_operators_of_web_search_work(trpc):
    PostFactory(title="Gardens", content="Tomatoes love sun.")
    PostFactory(title="Orchards", content="Apples love sun.")
    answer = trpc.query("post.search", {"query": "sun -apples"})
    assert [item["title"] for item in answer.data["items"]] == ["Gardens"]


def test_a_nul_character_is_a_bad_request_on_the_query(trpc):
    answer = trpc.query("post.search", {"query": "a\x00b"})
    assert answer.status == 400 and answer.code == "BAD_REQUEST"
    assert "query" in answer.error["data"]["fieldErrors"]
