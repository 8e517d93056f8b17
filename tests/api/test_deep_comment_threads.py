"""comment.list answers for a reply chain of any depth written straight to the database: the
output nests no deeper than COMMENT_MAX_DEPTH and is serialised iteratively."""

import pytest

pytestmark = pytest.mark.django_db


def test_comment_list_of_a_thread_1000_deep_answers_nested_to_the_cap(trpc, deep_post, settings):
    answer = trpc.query("comment.list", {"postId": str(deep_post.id)})
    assert answer.status == 200
    node, levels = answer.data[0], 0
    while node["replies"]:
        node, levels = node["replies"][0], levels + 1
    assert levels == settings.COMMENT_MAX_DEPTH
