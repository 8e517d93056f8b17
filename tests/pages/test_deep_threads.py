"""A reply chain of any depth written straight to the database still gives a working post
page: threads are drawn iteratively."""

import pytest

from tests.comment_chains import store_reply_chain
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

DEPTH = 1000


@pytest.fixture
def deep_post(reader):
    post = PostFactory()
    store_reply_chain(post=post, author=reader, length=DEPTH)
    return post


def test_the_post_page_of_a_thread_1000_deep_is_shown(client, deep_post):
    response = client.get(deep_post.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="comment"') == DEPTH
    assert body.count("<ol") == body.count("</ol>")
    assert "level 999" in body
