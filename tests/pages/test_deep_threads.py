"""A reply chain of any depth written straight to the database still gives a working post
page: threads are drawn iteratively."""

import pytest

from tests.comment_chains import CHAIN_DEPTH

pytestmark = pytest.mark.django_db


def test_the_post_page_of_a_thread_1000_deep_is_shown(client, deep_post):
    response = client.get(deep_post.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    # Each comment drawn (the live comments' <template> has no data-comment-id).
    assert body.count('class="comment" data-comment-id') == CHAIN_DEPTH
    assert body.count("<ol") == body.count("</ol>")
    assert "level 999" in body
