"""Signed-in readers comment and reply from the post page; authors edit and delete their own."""

import pytest
from django.test import Client
from django.urls import reverse

from blog.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def _comment_url(post):
    return reverse("blog:comment-create", kwargs={"slug": post.slug})


def test_a_reader_comments_and_lands_on_their_comment(client, reader):
    post = PostFactory()
    client.force_login(reader)
    response = client.post(_comment_url(post), {"content": "Nice one"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.id}")
    assert (comment.author, comment.post, comment.content) == (reader, post, "Nice one")


def test_a_reply_nests_under_its_parent(client, reader):
    parent = CommentFactory()
    client.force_login(reader)
    client.post(_comment_url(parent.post), {"content": "Agreed", "parent_id": str(parent.id)})
    assert Comment.objects.get(content="Agreed").parent == parent


def test_a_reply_to_a_comment_of_another_post_is_refused_and_not_stored(client, reader):
    post, elsewhere = PostFactory(), CommentFactory()
    client.force_login(reader)
    response = client.post(_comment_url(post), {"content": "x", "parent_id": str(elsewhere.id)})
    assert response.status_code == 400
    assert "A reply must be to a live comment on the same post." in response.content.decode()
    assert not Comment.objects.filter(post=post).exists()


def test_an_empty_comment_shows_the_post_again_with_the_error(client, reader):
    post = PostFactory()
    client.force_login(reader)
    response = client.post(_comment_url(post), {"content": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_anonymous_readers_are_sent_to_sign_in(client):
    post = PostFactory()
    response = client.post(_comment_url(post), {"content": "hi"})
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_commenting_needs_the_csrf_token(reader):
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(_comment_url(post), {"content": "hi"}).status_code == 403
    assert not Comment.objects.exists()


def test_no_comments_on_drafts_even_by_their_author(client, author):
    draft = PostFactory(author=author, published=False)
    client.force_login(author)
    response = client.post(_comment_url(draft), {"content": "note to self"})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_the_author_edits_their_comment(client, reader):
    comment = CommentFactory(author=reader)
    client.force_login(reader)
    url = reverse("blog:comment-edit", kwargs={"comment_id": comment.id})
    assert client.get(url).status_code == 200
    client.post(url, {"content": "Edited words"})
    comment.refresh_from_db()
    assert comment.content == "Edited words"


def test_someone_else_cannot_edit_or_delete_a_comment(client, stranger):
    comment = CommentFactory(content="original")
    client.force_login(stranger)
    edit = reverse("blog:comment-edit", kwargs={"comment_id": comment.id})
    delete = reverse("blog:comment-delete", kwargs={"comment_id": comment.id})
    assert client.post(edit, {"content": "vandalised"}).status_code == 403
    assert client.post(delete).status_code == 403
    comment.refresh_from_db()
    assert comment.content == "original"


def test_staff_may_delete_any_comment(client, editor):
    comment = CommentFactory()
    client.force_login(editor)
    client.post(reverse("blog:comment-delete", kwargs={"comment_id": comment.id}))
    assert not Comment.objects.exists()


def test_deleting_asks_first_then_deletes(client, reader):
    comment = CommentFactory(author=reader)
    client.force_login(reader)
    url = reverse("blog:comment-delete", kwargs={"comment_id": comment.id})
    assert "Delete your comment?" in client.get(url).content.decode()
    assert Comment.objects.exists()
    client.post(url)
    assert not Comment.objects.exists()
