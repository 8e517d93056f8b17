"""An editor hides all of a user's content in one action and restores exactly that: not the
comments hidden for other reasons, not the author's own drafts; announced like any hide or
unpublish, logged with the reason; a second restore changes nothing. And a single hidden
comment is shown again from the comments admin, logged."""

import json

import pytest
from django.urls import reverse

from accounts.admin import UserAdmin
from blog import services as blog_services
from blog.models import Comment, CommentStatus, Post
from lib.errors import Conflict, Forbidden
from moderation import content_sweeps, services
from moderation.admin import ModeratedUserAdmin
from moderation.models import ActionKind, ContentSweep, ModerationAction
from realtime.models import ChannelEvent
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

USERS = "admin:accounts_user_changelist"
COMMENTS = "admin:blog_comment_changelist"


@pytest.fixture
def spammer(db):
    return UserFactory(email="spammer@example.com", name="Spam Mer")


@pytest.fixture
def content(spammer, author):
    """The spammer's content in every state "hide all" must tell apart."""
    elsewhere = PostFactory(author=author)
    return {
        "visible": [CommentFactory(author=spammer, post=elsewhere) for _ in range(3)],
        "hidden_before": CommentFactory(
            author=spammer, post=elsewhere, status=CommentStatus.HIDDEN
        ),
        "held": CommentFactory(author=spammer, post=elsewhere, status=CommentStatus.HELD),
        "published": PostFactory(author=spammer, published=True),
        "draft": PostFactory(author=spammer, published=False),
        "bystander": CommentFactory(post=elsewhere),
    }


def _status(comment):
    return Comment.objects.get(id=comment.id).status


def _published(post):
    return Post.objects.get(id=post.id).published


def test_hiding_all_content_hides_visible_comments_and_unpublishes_posts_only(
    moderator, spammer, content
):
    sweep = content_sweeps.hide_user_content(moderator=moderator, user=spammer, reason="Link farm")
    assert {_status(comment) for comment in content["visible"]} == {CommentStatus.HIDDEN}
    assert _status(content["held"]) == CommentStatus.HELD
    assert _status(content["bystander"]) == CommentStatus.VISIBLE
    assert not _published(content["published"])
    assert sorted(sweep.hidden_comment_ids) == sorted(str(c.id) for c in content["visible"])
    assert sweep.unpublished_post_ids == [str(content["published"].id)]
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.subject, entry.moderator, entry.reason) == (
        ActionKind.HIDE_USER_CONTENT,
        spammer,
        moderator,
        "Link farm",
    )
    assert entry.target.endswith("3 comments hidden, 1 post unpublished")


def test_hiding_is_announced_like_any_hide_or_unpublish(
    moderator, spammer, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        content_sweeps.hide_user_content(moderator=moderator, user=spammer)
    post_id = content["visible"][0].post_id
    events = [
        json.loads(event.payload)
        for event in ChannelEvent.objects.filter(channel=f"/subscriptions/comments/{post_id}")
    ]
    assert sorted(event["ids"][0] for event in events if event["type"] == "deleted") == sorted(
        str(comment.id) for comment in content["visible"]
    )
    posts = [
        json.loads(event.payload)
        for event in ChannelEvent.objects.filter(channel="/subscriptions/posts")
    ]
    assert [(event["type"], event["ids"]) for event in posts] == [
        ("deleted", [str(content["published"].id)])
    ]


def test_restoring_brings_back_exactly_what_was_hidden(moderator, spammer, content):
    content_sweeps.hide_user_content(moderator=moderator, user=spammer)
    comments, posts = content_sweeps.restore_user_content(
        moderator=moderator, user=spammer, reason="Appeal accepted"
    )
    assert (comments, posts) == (3, 1)
    assert {_status(comment) for comment in content["visible"]} == {CommentStatus.VISIBLE}
    assert _status(content["hidden_before"]) == CommentStatus.HIDDEN  # hidden for another reason
    assert _status(content["held"]) == CommentStatus.HELD
    assert _published(content["published"])
    assert not _published(content["draft"])  # the author's own draft stays one
    restored = ModerationAction.objects.get(action=ActionKind.RESTORE_USER_CONTENT)
    assert restored.reason == "Appeal accepted"
    assert restored.target.endswith("3 comments shown again, 1 post published again")
    assert ContentSweep.objects.get().restored_by == moderator


def test_restoring_skips_what_a_moderator_hid_again_since(moderator, spammer, content):
    content_sweeps.hide_user_content(moderator=moderator, user=spammer)
    again = content["visible"][0]
    services.restore_comment(moderator=moderator, comment=again)
    services.log_action(
        moderator=moderator, action=ActionKind.HIDE_COMMENT, post=again.post, comment=again
    )
    blog_services.hide_comment(comment=Comment.objects.get(id=again.id))
    assert content_sweeps.restore_user_content(moderator=moderator, user=spammer) == (2, 1)
    assert _status(again) == CommentStatus.HIDDEN


def test_restoring_twice_changes_nothing_the_second_time(moderator, spammer, content):
    content_sweeps.hide_user_content(moderator=moderator, user=spammer)
    content_sweeps.restore_user_content(moderator=moderator, user=spammer)
    blog_services.hide_comment(comment=content["visible"][0])  # hidden since, for a reason
    with pytest.raises(Conflict, match="nothing was changed"):
        content_sweeps.restore_user_content(moderator=moderator, user=spammer)
    assert _status(content["visible"][0]) == CommentStatus.HIDDEN
    assert ModerationAction.objects.filter(action=ActionKind.RESTORE_USER_CONTENT).count() == 1


def test_hiding_a_user_with_nothing_visible_changes_nothing(moderator, stranger):
    with pytest.raises(Conflict, match="no visible content"):
        content_sweeps.hide_user_content(moderator=moderator, user=stranger)
    assert not ContentSweep.objects.exists() and not ModerationAction.objects.exists()


def test_an_editor_cannot_sweep_a_superuser_nor_can_other_staff_sweep_anyone(
    moderator, support_staff, editor, spammer, content
):
    CommentFactory(author=editor)
    with pytest.raises(Forbidden):
        content_sweeps.hide_user_content(moderator=moderator, user=editor)
    with pytest.raises(Forbidden):
        content_sweeps.hide_user_content(moderator=support_staff, user=spammer)
    assert Comment.objects.filter(status=CommentStatus.HIDDEN).count() == 1  # hidden_before


def test_the_user_admin_extends_the_accounts_actions():
    assert list(ModeratedUserAdmin.actions)[: len(UserAdmin.actions)] == list(UserAdmin.actions)
    assert {"hide_all_content", "restore_content"} <= set(ModeratedUserAdmin.actions)


def test_the_admin_action_asks_first_then_hides_and_restores(client, moderator, spammer, content):
    client.force_login(moderator)
    selected = {"_selected_action": [str(spammer.pk)]}
    page = client.post(reverse(USERS), {"action": "hide_all_content", **selected})
    assert page.status_code == 200
    assert "Hide all content of 1 users?" in page.content.decode()
    assert _status(content["visible"][0]) == CommentStatus.VISIBLE  # nothing yet
    client.post(
        reverse(USERS),
        {"action": "hide_all_content", "confirmed": "yes", "reason": "Spam wave", **selected},
    )
    assert _status(content["visible"][0]) == CommentStatus.HIDDEN
    assert ModerationAction.objects.get().reason == "Spam wave"
    client.post(reverse(USERS), {"action": "restore_content", **selected})
    assert _status(content["visible"][0]) == CommentStatus.VISIBLE
    answer = client.post(reverse(USERS), {"action": "restore_content", **selected}, follow=True)
    assert "restored already); nothing was changed." in answer.content.decode()


def test_staff_without_the_editors_group_cannot_use_the_actions(
    client, support_staff, spammer, content
):
    client.force_login(support_staff)
    selected = {"_selected_action": [str(spammer.pk)], "confirmed": "yes"}
    response = client.post(reverse(USERS), {"action": "hide_all_content", **selected})
    assert response.status_code == 403
    assert _status(content["visible"][0]) == CommentStatus.VISIBLE


# One hidden comment shown again


def test_a_hidden_comment_is_shown_again_from_the_admin_and_logged(
    client, moderator, django_capture_on_commit_callbacks
):
    hidden = CommentFactory(status=CommentStatus.HIDDEN)
    visible = CommentFactory(post=hidden.post)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse(COMMENTS),
            {"action": "restore_selected", "_selected_action": [str(hidden.pk), str(visible.pk)]},
            follow=True,
        )
    page = answer.content.decode()
    assert "1 comment(s) shown again." in page and "1 selected comment(s) were not hidden" in page
    assert _status(hidden) == CommentStatus.VISIBLE
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.comment_id) == (ActionKind.RESTORE_COMMENT, hidden.id)
    event = json.loads(
        ChannelEvent.objects.get(channel=f"/subscriptions/comments/{hidden.post_id}").payload
    )
    assert (event["type"], event["ids"]) == ("created", [str(hidden.id)])


def test_showing_a_comment_again_twice_is_a_conflict(moderator):
    hidden = CommentFactory(status=CommentStatus.HIDDEN)
    services.restore_comment(moderator=moderator, comment=hidden)
    with pytest.raises(Conflict, match="not hidden"):
        services.restore_comment(moderator=moderator, comment=hidden)
    assert ModerationAction.objects.count() == 1
