"""Procedures refuse writing to an account that has not confirmed its email: FORBIDDEN, with
the reason, and nothing stored."""

import pytest

from blog.models import Comment, Post
from tests.factories import PostFactory, UserFactory


@pytest.mark.django_db
def test_post_and_comment_creation_are_forbidden_until_the_email_is_confirmed(as_user, author):
    post = PostFactory(author=author)
    newcomer = UserFactory(email="new@example.com", email_confirmed_at=None)
    caller = as_user(newcomer)

    answers = [
        caller.mutate("post.create", {"title": "Mine", "content": "Words"}),
        caller.mutate("comment.create", {"postId": str(post.id), "content": "Hi"}),
    ]

    assert [answer.code for answer in answers] == ["FORBIDDEN", "FORBIDDEN"]
    assert "Confirm your email address" in answers[1].error["message"]
    assert Post.objects.count() == 1
    assert not Comment.objects.exists()
