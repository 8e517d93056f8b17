"""post.list pages by keyset: posts written while a reader pages never shift or repeat items."""

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_pages_are_stable_when_posts_are_added_between_them(trpc, author):
    posts = [PostFactory(author=author) for _ in range(5)]
    first = trpc.query("post.list", {"limit": 2}).data
    PostFactory.create_batch(3, author=author)  # newer than everything already listed
    rest = []
    cursor = first["nextCursor"]
    while cursor:
        page = trpc.query("post.list", {"limit": 2, "cursor": cursor}).data
        rest += page["items"]
        cursor = page["nextCursor"]
    seen = [item["id"] for item in first["items"] + rest]
    assert seen == [str(post.id) for post in reversed(posts)]


def test_the_last_page_has_no_next_cursor(trpc, author):
    PostFactory.create_batch(2, author=author)
    assert trpc.query("post.list", {"limit": 2}).data["nextCursor"] is None
    assert trpc.query("post.list", {"limit": 1}).data["nextCursor"] is not None
