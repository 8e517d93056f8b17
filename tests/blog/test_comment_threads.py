"""Threaded comments: replies stay on their post, deletion keeps a thread's shape."""

import pytest
from django.core.exceptions import ValidationError

from blog import selectors, services
from blog.models import Comment
from lib.errors import InvalidInput
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_reply_to_comment_on_another_post_is_rejected(author, reader):
    post, other_post = PostFactory(), PostFactory()
    parent = CommentFactory(post=other_post)
    with pytest.raises(InvalidInput) as error:
        services.create_comment(author=reader, post=post, content="Hi", parent=parent)
    assert "parentId" in error.value.field_errors
    assert not Comment.objects.filter(post=post).exists()


def test_model_validation_rejects_a_reply_on_another_post(reader):
    parent = CommentFactory()
    reply = Comment(post=PostFactory(), author=reader, parent=parent, content="x")
    with pytest.raises(ValidationError):
        reply.full_clean()


def test_comments_on_a_draft_are_refused(reader):
    draft = PostFactory(published=False)
    with pytest.raises(InvalidInput):
        services.create_comment(author=reader, post=draft, content="Early!")


@pytest.mark.parametrize("content", ["", "  ", "x" * 10_001])
def test_blank_or_overlong_comments_are_refused(reader, content):
    with pytest.raises(InvalidInput):
        services.create_comment(author=reader, post=PostFactory(), content=content)


def test_the_tree_nests_replies_under_their_parents_oldest_first(reader, django_assert_num_queries):
    post = PostFactory()
    first = services.create_comment(author=reader, post=post, content="first")
    reply = services.create_comment(author=reader, post=post, content="reply", parent=first)
    services.create_comment(author=reader, post=post, content="reply to reply", parent=reply)
    services.create_comment(author=reader, post=post, content="second")
    with django_assert_num_queries(1):  # the comments with their authors, in one query
        tree = selectors.comment_tree(post=post)
    assert [node.comment.content for node in tree] == ["first", "second"]
    assert tree[0].replies[0].comment.content == "reply"
    assert tree[0].replies[0].replies[0].comment.content == "reply to reply"


def test_deleting_a_comment_with_replies_keeps_the_thread_but_erases_the_words(reader):
    post = PostFactory()
    parent = services.create_comment(author=reader, post=post, content="secret words")
    services.create_comment(author=reader, post=post, content="reply", parent=parent)
    services.delete_comment(comment=parent)
    parent.refresh_from_db()
    assert parent.is_deleted and parent.content == ""
    tree = selectors.comment_tree(post=post)
    assert tree[0].replies[0].comment.content == "reply"


def test_deleting_a_leaf_comment_removes_it(reader):
    comment = services.create_comment(author=reader, post=PostFactory(), content="bye")
    services.delete_comment(comment=comment)
    assert not Comment.objects.exists()
