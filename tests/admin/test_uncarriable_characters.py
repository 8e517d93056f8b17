"""Editors pasting characters XML cannot carry get a form error, not a server error."""

import pytest
from django.urls import reverse

from blog.models import Comment, Post
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def test_a_post_title_with_a_control_character_is_a_form_error(admin_client):
    post = PostFactory(title="Clean")
    response = admin_client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        {
            "title": "a\x01b",
            "published": "on",
            "excerpt": "",
            "content": "Body",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot contain control characters" in response.content.decode()
    assert Post.objects.get(pk=post.pk).title == "Clean"


def test_a_comment_with_a_control_character_is_a_form_error(admin_client):
    comment = CommentFactory(content="Clean")
    response = admin_client.post(
        reverse("admin:blog_comment_change", args=[comment.pk]), {"content": "x\x07"}
    )
    assert response.status_code == 200
    assert Comment.objects.get(pk=comment.pk).content == "Clean"
