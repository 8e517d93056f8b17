"""The admin tells editors the truth: newest first, confirmations that say what happens (and
how many, whose), no publishing someone else's draft, and a log of every action, per user
and per post, that nobody edits."""

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Comment, CommentStatus, Post
from moderation.models import ActionKind, ModerationAction
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG = "admin:moderation_moderationaction_changelist"


@pytest.fixture
def editor_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("admin:blog_post_changelist", PostFactory),
        ("admin:blog_comment_changelist", CommentFactory),
        ("admin:accounts_user_changelist", UserFactory),
    ],
)
def test_every_list_is_newest_first(editor_client, url, factory):
    old, new = factory(), factory()
    past = timezone.now() - timezone.timedelta(days=3)
    type(old).objects.filter(pk=old.pk).update(created_at=past)
    listed = list(editor_client.get(reverse(url)).context["cl"].result_list)
    assert listed.index(new) < listed.index(old)


def test_deleting_a_comment_with_replies_says_they_stay_and_keeps_them(editor_client, moderator):
    comment = CommentFactory(content="Rude")
    reply = CommentFactory(post=comment.post, parent=comment)
    url = reverse("admin:blog_comment_delete", args=[comment.pk])
    page = editor_client.get(url).content.decode()
    assert "Its 1 reply <strong>stay</strong>" in page
    assert "will be deleted" not in page
    editor_client.post(url, {"post": "yes", "reason": "Insults"})
    comment.refresh_from_db()
    assert comment.is_deleted and comment.content == ""
    assert Comment.objects.filter(pk=reply.pk).exists()
    action = ModerationAction.objects.get()
    assert (action.action, action.reason, action.moderator) == (
        ActionKind.DELETE_COMMENT,
        "Insults",
        moderator,
    )


def test_deleting_a_post_says_its_comments_go_with_it(client, editor):
    # Editors may not delete posts: a superuser does.
    post = PostFactory(title="Doomed")
    CommentFactory.create_batch(2, post=post)
    client.force_login(editor)
    url = reverse("admin:blog_post_delete", args=[post.pk])
    page = client.get(url).content.decode()
    assert "<strong>with all its comments</strong>" in page
    client.post(url, {"post": "yes", "reason": "Spam site"})
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.exists()
    action = ModerationAction.objects.get(action=ActionKind.DELETE_POST)
    assert action.target.startswith('Post "Doomed"') and action.post_id == post.pk


def test_bulk_hiding_asks_first_with_how_many_and_whose(editor_client, moderator):
    alice, bob = UserFactory(name="Alice"), UserFactory(name="Bob")
    comments = [
        CommentFactory(author=alice),
        CommentFactory(author=alice),
        CommentFactory(author=bob),
    ]
    selected = [str(comment.pk) for comment in comments]
    changelist = reverse("admin:blog_comment_changelist")
    page = editor_client.post(changelist, {"action": "hide_selected", "_selected_action": selected})
    text = page.content.decode()
    assert "You are about to hide <strong>3 comments</strong> by 2 authors." in text
    assert f"{alice.email}: 2" in text and f"{bob.email}: 1" in text
    assert not Comment.objects.filter(status=CommentStatus.HIDDEN).exists()
    assert not ModerationAction.objects.exists()
    editor_client.post(
        changelist,
        {
            "action": "hide_selected",
            "_selected_action": selected,
            "confirmed": "yes",
            "reason": "Brigading",
        },
    )
    assert Comment.objects.filter(status=CommentStatus.HIDDEN).count() == 3
    assert set(ModerationAction.objects.values_list("action", "reason", "moderator")) == {
        (ActionKind.HIDE_COMMENT, "Brigading", moderator.pk)
    }


def test_a_confirmation_with_an_overlong_reason_changes_nothing(editor_client):
    comment = CommentFactory()
    page = editor_client.post(
        reverse("admin:blog_comment_changelist"),
        {
            "action": "hide_selected",
            "_selected_action": [str(comment.pk)],
            "confirmed": "yes",
            "reason": "x" * 100_000,
        },
    )
    assert "at most 1000 characters" in page.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.VISIBLE


def test_bulk_delete_that_would_misstate_replies_is_not_offered(editor_client):
    CommentFactory()
    page = editor_client.get(reverse("admin:blog_comment_changelist")).content.decode()
    assert 'value="delete_selected"' not in page
    assert 'value="remove_selected"' in page


def test_bulk_unpublish_asks_first_and_is_logged(editor_client, author):
    posts = PostFactory.create_batch(2, author=author)
    selected = [str(post.pk) for post in posts]
    changelist = reverse("admin:blog_post_changelist")
    page = editor_client.post(
        changelist, {"action": "unpublish_selected", "_selected_action": selected}
    )
    assert "You are about to unpublish <strong>2 posts</strong> by 1 author." in (
        page.content.decode()
    )
    assert Post.objects.filter(published=True).count() == 2
    editor_client.post(
        changelist,
        {"action": "unpublish_selected", "_selected_action": selected, "confirmed": "yes"},
    )
    assert not Post.objects.filter(published=True).exists()
    assert ModerationAction.objects.filter(action=ActionKind.UNPUBLISH_POST).count() == 2


def test_an_editor_cannot_publish_someone_elses_draft_from_its_page(editor_client, author):
    draft = PostFactory(author=author, published=False, title="Private")
    url = reverse("admin:blog_post_change", args=[draft.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="published"' not in page
    editor_client.post(
        url,
        {
            "title": "Private",
            "published": "on",
            "excerpt": "",
            "content": "x",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert not Post.objects.get(pk=draft.pk).published


def test_an_editor_unpublishing_from_the_post_page_is_logged(editor_client, author, moderator):
    post = PostFactory(author=author, title="Live", content="x", excerpt="x")
    editor_client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        {
            "title": "Live",
            "excerpt": "x",
            "content": "x",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert not Post.objects.get(pk=post.pk).published
    action = ModerationAction.objects.get()
    assert (action.action, action.moderator, action.subject) == (
        ActionKind.UNPUBLISH_POST,
        moderator,
        author,
    )


def test_the_log_is_shown_per_user_and_per_post(editor_client, moderator):
    alice, bob = UserFactory(), UserFactory()
    alices = CommentFactory(author=alice, content="alice's words")
    bobs = CommentFactory(author=bob, content="bob's words")
    for comment in (alices, bobs):
        editor_client.post(
            reverse("admin:blog_comment_changelist"),
            {
                "action": "hide_selected",
                "_selected_action": [str(comment.pk)],
                "confirmed": "yes",
            },
        )
    user_page = editor_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert f"?subject={alice.pk}" in user_page.content.decode()
    per_user = editor_client.get(reverse(LOG), {"subject": str(alice.pk)}).content.decode()
    assert "alice&#x27;s words" in per_user and "bob&#x27;s words" not in per_user
    post_page = editor_client.get(reverse("admin:blog_post_change", args=[bobs.post_id]))
    assert f"?post_id={bobs.post_id}" in post_page.content.decode()
    per_post = editor_client.get(reverse(LOG), {"post_id": str(bobs.post_id)}).content.decode()
    assert "bob&#x27;s words" in per_post and "alice&#x27;s words" not in per_post


def test_the_log_is_read_only_for_editors(editor_client, moderator):
    comment = CommentFactory()
    from moderation.services import log_action

    action = log_action(
        moderator=moderator, action=ActionKind.HIDE_COMMENT, post=comment.post, comment=comment
    )
    assert editor_client.get(reverse("admin:moderation_moderationaction_add")).status_code == 403
    change = reverse("admin:moderation_moderationaction_change", args=[action.pk])
    assert editor_client.post(change, {"reason": "rewritten"}).status_code == 403
    delete = reverse("admin:moderation_moderationaction_delete", args=[action.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationAction.objects.get().reason == ""


def test_an_editor_editing_someone_elses_comment_is_logged(editor_client, moderator):
    comment = CommentFactory(content="Typo hre")
    editor_client.post(
        reverse("admin:blog_comment_change", args=[comment.pk]), {"content": "Typo here"}
    )
    assert Comment.objects.get(pk=comment.pk).content == "Typo here"
    action = ModerationAction.objects.get()
    assert (action.action, action.subject) == (ActionKind.EDIT_COMMENT, comment.author)
