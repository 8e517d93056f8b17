"""A new account's first comments wait for a moderator: seen by their author alone, marked
"awaiting review", invisible to others (pages, comment.list, counts, broadcasts) until an
editor releases them from the queue (announced as if new) or rejects them."""

import json

import pytest
from django.urls import reverse

from blog import selectors, services
from blog.announcements import HELD_COMMENTS_CHANNEL
from blog.models import Comment, CommentStatus
from lib.errors import InvalidInput
from moderation.models import ActionKind, ModerationAction
from realtime.models import ChannelEvent
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

REVIEW = "admin:moderation_report_review"


@pytest.fixture(autouse=True)
def _hold_the_first_comment(settings):
    settings.MODERATION_HOLD_FIRST_COMMENTS = 1


def _comments_events(post):
    return [
        json.loads(event.payload)
        for event in ChannelEvent.objects.filter(channel=f"/subscriptions/comments/{post.id}")
    ]


def test_a_new_accounts_first_comment_is_held_and_told_to_reviewers_only(reader):
    post = PostFactory()
    comment = services.create_comment(author=reader, post=post, content="Hello, first time")
    assert Comment.objects.get(id=comment.id).status == CommentStatus.HELD
    assert _comments_events(post) == []
    held = json.loads(ChannelEvent.objects.get(channel=HELD_COMMENTS_CHANNEL).payload)
    assert (held["type"], held["ids"]) == ("created", [str(comment.id)])
    assert "content" not in held["data"]


def test_once_one_is_shown_the_next_comments_are_not_held(reader):
    post = PostFactory()
    CommentFactory(author=reader, post=post)  # shown already
    comment = services.create_comment(author=reader, post=post, content="Again")
    assert comment.status == CommentStatus.VISIBLE
    assert [event["type"] for event in _comments_events(post)] == ["created"]


def test_staff_and_a_setting_of_zero_hold_nothing(reader, editor, settings):
    post = PostFactory()
    assert services.create_comment(author=editor, post=post, content="Staff").status == (
        CommentStatus.VISIBLE
    )
    settings.MODERATION_HOLD_FIRST_COMMENTS = 0
    assert services.create_comment(author=reader, post=post, content="Off").status == (
        CommentStatus.VISIBLE
    )


def test_the_author_sees_it_marked_and_others_do_not_see_it(client, reader, stranger):
    post = PostFactory()
    client.force_login(reader)
    response = client.post(
        reverse("blog:comment-create", args=[post.slug]), {"content": "Pending words"}, follow=True
    )
    page = response.content.decode()
    assert "Pending words" in page and "awaiting review" in page
    assert "will appear once a moderator has seen it" in page
    client.force_login(stranger)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Pending words" not in page
    assert "0 comments" in page
    client.logout()
    listed = client.get("/api/trpc/comment.list", {"input": json.dumps({"postId": str(post.id)})})
    assert json.loads(listed.content)["result"]["data"] == []
    assert [item.comment_count for item in selectors.post_page(viewer=reader, limit=5).items] == [0]


def test_a_held_comment_cannot_be_answered(reader, stranger):
    post = PostFactory()
    held = services.create_comment(author=reader, post=post, content="Held")
    with pytest.raises(InvalidInput) as raised:
        selectors.reply_parent(post=post, comment_id=held.id)
    assert "parentId" in raised.value.field_errors


@pytest.fixture
def queue_client(client, moderator):
    client.force_login(moderator)
    return client


def test_the_queue_lists_held_comments_and_a_release_is_announced_as_new(
    queue_client, reader, moderator, django_capture_on_commit_callbacks
):
    post = PostFactory()
    held = services.create_comment(author=reader, post=post, content="Please let me in")
    page = queue_client.get(reverse("admin:moderation_report_changelist")).content.decode()
    assert "1 comment awaiting review" in page and "Please let me in" in page
    response = queue_client.post(
        reverse(REVIEW), {"comment_id": str(held.id), "decision": "release"}, follow=True
    )
    assert "Comment released." in response.content.decode()
    assert Comment.objects.get(id=held.id).status == CommentStatus.VISIBLE
    created = _comments_events(post)
    assert [(event["type"], event["data"]["content"]) for event in created] == [
        ("created", "Please let me in")
    ]
    action = ModerationAction.objects.get()
    assert (action.action, action.moderator, action.subject) == (
        ActionKind.RELEASE_COMMENT,
        moderator,
        reader,
    )


def test_releasing_twice_from_two_tabs_tells_the_second_and_changes_nothing(queue_client, reader):
    post = PostFactory()
    held = services.create_comment(author=reader, post=post, content="Once")
    review = {"comment_id": str(held.id), "decision": "release"}
    queue_client.post(reverse(REVIEW), review)
    response = queue_client.post(reverse(REVIEW), review, follow=True)
    assert "already reviewed; nothing was changed" in response.content.decode()
    assert len(_comments_events(post)) == 1
    assert ModerationAction.objects.count() == 1
    rejected = queue_client.post(
        reverse(REVIEW), {**review, "decision": "reject"}, follow=True
    ).content.decode()
    assert "already reviewed" in rejected
    assert Comment.objects.filter(id=held.id, status=CommentStatus.VISIBLE).exists()


def test_rejecting_deletes_it_unseen_and_logs_it(queue_client, reader):
    post = PostFactory()
    held = services.create_comment(author=reader, post=post, content="Spam link")
    queue_client.post(
        reverse(REVIEW), {"comment_id": str(held.id), "decision": "reject", "note": "Spam"}
    )
    assert not Comment.objects.filter(id=held.id).exists()
    assert _comments_events(post) == []
    action = ModerationAction.objects.get()
    assert (action.action, action.reason) == (ActionKind.REJECT_COMMENT, "Spam")
    assert "Spam link" in action.target


def test_staff_without_the_editor_role_cannot_review(client, support_staff, reader):
    held = services.create_comment(author=reader, post=PostFactory(), content="Waiting")
    client.force_login(support_staff)
    response = client.post(reverse(REVIEW), {"comment_id": str(held.id), "decision": "release"})
    assert response.status_code == 403
    assert Comment.objects.get(id=held.id).status == CommentStatus.HELD
