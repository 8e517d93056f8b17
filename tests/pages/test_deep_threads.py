"""A reply chain of any depth written straight to the database still gives a working post
page: threads are drawn iteratively."""

import uuid

import pytest

from blog.models import Comment
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

DEPTH = 1000


@pytest.fixture
def deep_post(reader):
    post = PostFactory()
    ids = [uuid.uuid4() for _ in range(DEPTH)]
    Comment.objects.bulk_create(
        Comment(id=id_, post=post, author=reader, parent_id=parent, content=f"level {n}")
        for n, (id_, parent) in enumerate(zip(ids, [None, *ids[:-1]], strict=True))
    )
    return post


def test_the_post_page_of_a_thread_1000_deep_is_shown(client, deep_post):
    response = client.get(deep_post.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="comment"') == DEPTH
    assert body.count("<ol") == body.count("</ol>")
    assert "level 999" in body
