"""Replies nest at most COMMENT_MAX_DEPTH deep: each comment stores its depth, and a reply to
a comment at the cap attaches to that comment's parent, the deepest allowed ancestor."""

import pytest
from django.db import connection

from blog import selectors, services
from blog.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def _chain(post, author, length):
    parent = None
    for _ in range(length):
        parent = services.create_comment(author=author, post=post, content="x", parent=parent)
    return parent


def test_each_comment_stores_its_depth(reader):
    post = PostFactory()
    root = services.create_comment(author=reader, post=post, content="root")
    reply = services.create_comment(author=reader, post=post, content="reply", parent=root)
    assert Comment.objects.get(id=root.id).depth == 0
    assert Comment.objects.get(id=reply.id).depth == 1


def test_a_reply_to_a_comment_at_the_cap_attaches_beside_it(settings, reader):
    settings.COMMENT_MAX_DEPTH = 3
    post = PostFactory()
    deepest = _chain(post, reader, 4)  # depths 0, 1, 2, 3
    reply = services.create_comment(author=reader, post=post, content="deeper", parent=deepest)
    stored = Comment.objects.get(id=reply.id)
    assert (stored.depth, stored.parent_id) == (3, deepest.parent_id)


def test_replying_at_the_cap_costs_no_walk_up_the_thread(
    settings, reader, django_assert_num_queries
):
    settings.COMMENT_MAX_DEPTH = 3
    post = PostFactory()
    deepest = _chain(post, reader, 4)
    # savepoint, insert, its logged event (one statement on PostgreSQL, two on SQLite), release
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 5):
        services.create_comment(author=reader, post=post, content="deeper", parent=deepest)


def test_a_reply_under_a_thread_stored_deeper_than_the_cap_joins_the_cap(settings, reader):
    post = PostFactory()
    parent = None
    for depth in range(6):  # stored before the cap existed
        parent = CommentFactory(post=post, parent=parent, depth=depth)
    settings.COMMENT_MAX_DEPTH = 2
    reply = services.create_comment(author=reader, post=post, content="new", parent=parent)
    ancestor_at_one = Comment.objects.get(post=post, depth=1)
    assert (reply.depth, reply.parent_id) == (2, ancestor_at_one.id)


def test_the_tree_nests_no_deeper_than_the_cap_whatever_is_stored(settings):
    settings.COMMENT_MAX_DEPTH = 2
    post = PostFactory()
    parent = None
    for _ in range(5):
        parent = CommentFactory(post=post, parent=parent)
    tree = selectors.comment_tree(post=post)
    levels, node = 0, tree[0]
    while node.replies:
        levels += 1
        assert len(node.replies) <= 3
        node = node.replies[0]
    assert levels == 2
    assert [len(tree[0].replies[0].replies)] == [3]  # depths 2, 3 and 4 side by side
