"""Editors moderate in the admin: pages render in constant queries, actions go through services."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Comment, Post
from realtime.broadcast import BROADCAST_MESSAGE_TYPE
from tests.factories import (
    ClientSessionFactory,
    CommentFactory,
    MessageChunkFactory,
    PostFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


CHANGELISTS = [
    ("blog", "post", PostFactory),
    ("blog", "comment", CommentFactory),
    ("accounts", "user", UserFactory),
    ("sessions_app", "clientsession", ClientSessionFactory),
    ("chunking", "messagechunk", MessageChunkFactory),
]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("app", "model", "factory"), CHANGELISTS)
def test_changelist_runs_the_same_queries_for_3_or_30_rows(admin_client, app, model, factory):
    url = reverse(f"admin:{app}_{model}_changelist")
    factory.create_batch(3)
    few = _count_queries(admin_client, url)
    factory.create_batch(27)
    many = _count_queries(admin_client, url)
    assert many == few


@pytest.mark.parametrize(("app", "model", "factory"), CHANGELISTS)
def test_change_page_renders(admin_client, app, model, factory):
    row = factory()
    response = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[row.pk]))
    assert response.status_code == 200


def test_post_change_page_shows_its_comments(admin_client):
    post = PostFactory()
    CommentFactory(post=post, content="Visible in the inline")
    response = admin_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert "Visible in the inline" in response.content.decode()


def test_there_is_no_action_to_publish_other_peoples_drafts(admin_client):
    drafts = PostFactory.create_batch(2, published=False)
    page = admin_client.get(reverse("admin:blog_post_changelist")).content.decode()
    assert 'value="publish"' not in page
    admin_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish", "_selected_action": [str(post.pk) for post in drafts]},
    )
    assert not Post.objects.filter(published=True).exists()


def test_unpublish_action_announces_the_post_as_deleted(
    admin_client, django_capture_on_commit_callbacks, monkeypatch
):
    post = PostFactory(published=True)
    sent = _capture_group_sends(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:blog_post_changelist"),
            {
                "action": "unpublish_selected",
                "_selected_action": [str(post.pk)],
                "confirmed": "yes",
            },
        )
    post.refresh_from_db()
    assert not post.published
    events = [json.loads(message["event"]) for _, message in sent]
    assert events[0] | {"epoch": None} == {
        "resource": "posts",
        "type": "deleted",
        "ids": [str(post.pk)],
        "data": {},
        "epoch": None,
        "offset": 1,
    }


def test_adding_a_post_in_the_admin_derives_the_excerpt_and_keeps_the_slug_free(
    admin_client, author
):
    PostFactory(slug="hello")
    response = admin_client.post(
        reverse("admin:blog_post_add"),
        {
            "title": "Hello",
            "slug": "hello-there",
            "author": str(author.pk),
            "content": "Some *markdown* body.",
            "excerpt": "",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="hello-there")
    assert post.excerpt == "Some markdown body."
    assert post.author == author


def test_removing_a_comment_with_replies_in_the_admin_keeps_the_replies(admin_client):
    parent = CommentFactory(content="rude words")
    reply = CommentFactory(post=parent.post, parent=parent)
    admin_client.post(
        reverse("admin:blog_comment_changelist"),
        {"action": "remove_selected", "_selected_action": [str(parent.pk)], "confirmed": "yes"},
    )
    parent.refresh_from_db()
    assert parent.is_deleted and parent.content == ""
    assert Comment.objects.filter(pk=reply.pk).exists()


def test_sessions_and_chunks_are_read_only(admin_client):
    session = ClientSessionFactory()
    assert admin_client.get(reverse("admin:sessions_app_clientsession_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:sessions_app_clientsession_change", args=[session.pk]), {"client_uuid": "x"}
    )
    assert response.status_code == 403


def test_a_reader_cannot_open_the_admin(client, reader):
    client.force_login(reader)
    response = client.get(reverse("admin:blog_post_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _capture_group_sends(monkeypatch):
    """Record what reaches the channel layer, as it would travel (JSON round trip)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    sent = []

    async def group_send(group, message):
        assert message["type"] == BROADCAST_MESSAGE_TYPE
        sent.append((group, json.loads(json.dumps(message))))

    monkeypatch.setattr(layer, "group_send", group_send)
    return sent


def test_the_author_of_a_post_is_shown_not_editable_once_added(admin_client, author, stranger):
    post = PostFactory(author=author)
    page = admin_client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert 'name="author"' not in page


def test_overlong_content_in_the_admin_is_a_form_error_and_nothing_changes(admin_client, author):
    from blog.models import CONTENT_MAX_LENGTH

    post = PostFactory(author=author, content="Original")
    response = admin_client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        {
            "title": post.title,
            "published": "on",
            "excerpt": "",
            "content": "x" * (CONTENT_MAX_LENGTH + 1),
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Ensure this value has at most" in response.content.decode()
    post.refresh_from_db()
    assert post.content == "Original"
