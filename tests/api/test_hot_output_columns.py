"""The hot reads load only the columns their answers show: never an author's password hash,
email or bio."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

_PRIVATE_COLUMNS = ('"password"', '"email"', '"bio"', '"last_login"')


def _sql_of(call) -> str:
    with CaptureQueriesContext(connection) as queries:
        answer = call()
    assert answer.status == 200, answer.body
    return "\n".join(query["sql"] for query in queries.captured_queries)


def test_post_list_post_by_slug_and_comment_list_read_no_private_author_column(trpc):
    post = PostFactory()
    CommentFactory.create_batch(2, post=post)
    reads = [
        lambda: trpc.query("post.list", {"limit": 5}),
        lambda: trpc.query("post.bySlug", {"slug": post.slug}),
        lambda: trpc.query("post.byId", {"id": str(post.id)}),
        lambda: trpc.query("comment.list", {"postId": str(post.id)}),
    ]
    for read in reads:
        sql = _sql_of(read)
        assert "accounts_user" in sql
        assert not [column for column in _PRIVATE_COLUMNS if column in sql], sql
