"""Batches: one HTTP request, several calls, each with its own envelope; one failure fails one."""

import pytest

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_query_batch_answers_in_order_with_207_when_outcomes_differ(trpc, author):
    post = PostFactory(author=author)
    answer = trpc.query("post.bySlug,user.me,post.nope", {"0": {"slug": post.slug}}, batch=True)
    assert answer.status == 207
    found, me, missing = answer.body
    assert found["result"]["data"]["id"] == str(post.id)
    assert me["error"]["data"]["code"] == "UNAUTHORIZED"
    assert me["error"]["data"]["path"] == "user.me"
    assert missing["error"]["data"]["code"] == "NOT_FOUND"
    assert missing["error"]["message"] == 'No procedure found on path "post.nope"'


def test_a_batch_of_successes_is_200_and_a_single_item_batch_is_still_an_array(as_user, author):
    caller = as_user(author)
    answer = caller.query("user.me,post.list", batch=True)
    assert answer.status == 200
    assert [list(item) for item in answer.body] == [["result"], ["result"]]
    single = caller.mutate("post.create", {"0": {"title": "Solo"}}, batch=True)
    assert isinstance(single.body, list)
    assert single.body[0]["result"]["data"]["title"] == "Solo"


def test_a_failing_mutation_in_a_batch_does_not_undo_the_others(as_user, author):
    answer = as_user(author).mutate(
        "post.create,post.create", {"0": {"title": "Kept"}, "1": {"title": ""}}, batch=True
    )
    assert answer.status == 207
    assert "result" in answer.body[0]
    assert answer.body[1]["error"]["data"]["fieldErrors"] == {
        "title": ["This field may not be blank."]
    }
    assert list(Post.objects.values_list("title", flat=True)) == ["Kept"]


def test_a_mutation_in_a_query_batch_is_method_not_supported(trpc):
    answer = trpc.query("post.list,post.create", batch=True)
    assert answer.status == 207
    assert answer.body[1]["error"]["data"]["code"] == "METHOD_NOT_SUPPORTED"


def test_a_batch_whose_input_is_not_an_object_is_one_bad_request(trpc):
    answer = trpc.query("post.list,post.list", [1, 2], batch=True)
    assert answer.status == 400
    assert answer.code == "BAD_REQUEST"
