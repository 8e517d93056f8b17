"""A compiled query answers what its queryset answers, for every shape and value, in one query
per call, on SQLite and PostgreSQL alike."""

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from blog.models import Post
from lib.compiled_query import CompiledQuery
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def listing(*, limit: int, before: Any = None, before_id: Any = None, author: Any = None) -> Any:
    posts = Post.objects.filter(published=True).annotate(comment_total=Count("comments"))
    if before is not None:
        posts = posts.filter(Q(created_at__lt=before) | Q(created_at=before, id__lt=before_id))
    if author is not None:
        posts = posts.filter(author_id=author)
    return posts.order_by("-created_at", "-id").values(
        "id", "title", "created_at", "author__name", "comment_total"
    )[:limit]


FIELDS = {
    "before": Post._meta.get_field("created_at"),
    "before_id": Post._meta.get_field("id"),
    "author": Post._meta.get_field("author"),
}


@pytest.fixture
def posts():
    authors = UserFactory.create_batch(2)
    now = timezone.now()
    made = []
    for number in range(9):
        post = PostFactory(author=authors[number % 2], published=number != 4)
        # Two posts share a time: the id breaks the tie.
        at = now - timedelta(minutes=number if number != 3 else 2)
        Post.objects.filter(id=post.id).update(created_at=at)
        made.append(Post.objects.get(id=post.id))
    CommentFactory.create_batch(2, post=made[0])
    return authors, made


def test_every_shape_and_value_gives_the_querysets_rows(posts):
    authors, made = posts
    query = CompiledQuery(listing, FIELDS)
    cases = [
        {"limit": 3},
        {"limit": 5},
        {"limit": 3, "author": authors[0].id},
        {"limit": 3, "author": authors[1].id},
        *({"limit": 4, "before": post.created_at, "before_id": post.id} for post in made),
        {
            "limit": 4,
            "before": made[5].created_at,
            "before_id": made[5].id,
            "author": authors[1].id,
        },
    ]
    for arguments in cases:
        assert query.rows(**arguments) == list(listing(**arguments)), arguments


def test_a_compiled_shape_runs_in_one_query(posts, django_assert_num_queries):
    _, made = posts
    query = CompiledQuery(listing, FIELDS)
    query.rows(limit=3, before=made[1].created_at, before_id=made[1].id)
    with django_assert_num_queries(1):
        rows = query.rows(limit=3, before=made[2].created_at, before_id=made[2].id)
    assert rows == list(listing(limit=3, before=made[2].created_at, before_id=made[2].id))


def test_a_value_that_is_not_a_parameter_is_refused(posts):
    query = CompiledQuery(
        lambda *, limit, title: listing(limit=limit), {"title": Post._meta.get_field("title")}
    )
    with pytest.raises(ValueError, match="not a parameter"):
        query.rows(limit=2, title="x")
