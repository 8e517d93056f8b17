"""A comment a moderator hid is shown to everyone as removed, on pages and in comment.list,
counted nowhere, announced as deleted, and can be neither answered nor edited."""

import json

import pytest
from django.urls import reverse

from blog import selectors, services
from blog.models import CommentStatus
from realtime.models import ChannelEvent
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(author):
    post = PostFactory(author=author)
    hidden = CommentFactory(post=post, content="Hidden words")
    reply = CommentFactory(post=post, parent=hidden, content="Reply stays")
    services.hide_comment(comment=hidden)
    return post, hidden, reply


def test_the_post_page_shows_a_placeholder_and_the_replies(client, thread, author):
    post, hidden, _ = thread
    client.force_login(hidden.author)  # its own author too: it is no longer on show
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Hidden words" not in page
    assert "Reply stays" in page
    assert "[deleted]" in page
    assert hidden.content == "Hidden words"  # kept for the moderators


def test_comment_list_shows_it_removed(client, thread):
    post, hidden, _ = thread
    response = client.get("/api/trpc/comment.list", {"input": json.dumps({"postId": str(post.id)})})
    root = json.loads(response.content)["result"]["data"][0]
    assert (root["id"], root["content"], root["isDeleted"]) == (str(hidden.id), "", True)
    assert root["replies"][0]["content"] == "Reply stays"


def test_hidden_comments_are_not_counted(thread):
    post, _, _ = thread
    page = selectors.post_page(viewer=post.author, limit=10)
    assert [item.comment_count for item in page.items] == [1]


def test_hiding_is_announced_as_a_deletion(django_capture_on_commit_callbacks):
    comment = CommentFactory()
    services.hide_comment(comment=comment)
    event = json.loads(
        ChannelEvent.objects.get(channel=f"/subscriptions/comments/{comment.post_id}").payload
    )
    assert (event["type"], event["ids"], event["data"].get("content")) == (
        "deleted",
        [str(comment.id)],
        None,
    )


def test_a_hidden_comment_cannot_be_answered_or_edited(client, thread):
    post, hidden, _ = thread
    client.force_login(hidden.author)
    assert client.get(reverse("blog:comment-edit", args=[hidden.id])).status_code == 404
    response = client.post(
        reverse("blog:comment-create", args=[post.slug]),
        {"content": "Answer", "parent_id": str(hidden.id)},
    )
    assert response.status_code == 400
    assert not post.comments.filter(content="Answer").exists()
    assert post.comments.get(id=hidden.id).status == CommentStatus.HIDDEN
