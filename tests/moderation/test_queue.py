"""The moderation queue in the admin, worked by an editor of the Editors group: reported items
newest first with their context, one click to dismiss, hide or delete, each logged; a second
click from another tab changes nothing; other staff cannot reach it; 10,000 open reports cost
the same queries as three."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Comment, CommentStatus, Post
from moderation import selectors, services
from moderation.announcements import QUEUE_CHANNEL
from moderation.models import ActionKind, ModerationAction, Report, ReportStatus
from realtime.models import ChannelEvent
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "admin:moderation_report_changelist"
RESOLVE = "admin:moderation_report_resolve"


def _report(comment=None, post=None, reporter=None, reason="spam", details=""):
    post = post or comment.post
    return services.create_report(
        reporter=reporter or UserFactory(),
        post=post,
        comment=comment,
        reason=reason,
        details=details,
    )


def _resolve(client, decision, comment=None, post=None, note=""):
    data = {"post_id": str((post or comment.post).id), "decision": decision, "note": note}
    if comment is not None:
        data["comment_id"] = str(comment.id)
    return client.post(reverse(RESOLVE), data, follow=True)


@pytest.fixture
def queue_client(client, moderator):
    client.force_login(moderator)
    return client


def test_the_queue_shows_each_item_with_its_context_reporters_and_count(queue_client, reader):
    post = PostFactory(title="A post about tea")
    parent = CommentFactory(post=post, content="Tea is best hot.")
    comment = CommentFactory(post=post, parent=parent, content="Buy cheap watches here")
    _report(comment, reporter=reader, reason="spam", details="An advert")
    _report(comment, reason="spam")
    _report(comment, reason="off_topic")
    page = queue_client.get(reverse(QUEUE)).content.decode()
    assert "1 reported item, 3 open reports" in page
    assert "Buy cheap watches here" in page
    assert "Tea is best hot." in page  # the parent it answers
    assert "A post about tea" in page
    assert "Rey Reader" in page or "reader@example.com" in page
    assert "An advert" in page
    assert "3 open reports" in page
    assert "Spam or advertising (2)" in page


def test_the_most_recently_reported_item_comes_first(queue_client):
    older, newer = CommentFactory(content="older item"), CommentFactory(content="newer item")
    _report(older)
    _report(newer)
    page = queue_client.get(reverse(QUEUE)).content.decode()
    assert page.index("newer item") < page.index("older item")
    _report(older)  # reported again: it comes back to the top
    page = queue_client.get(reverse(QUEUE)).content.decode()
    assert page.index("older item") < page.index("newer item")


def test_hiding_a_comment_closes_its_reports_logs_it_and_readers_see_it_removed(
    queue_client, moderator, client, django_capture_on_commit_callbacks
):
    comment = CommentFactory(content="Nasty words")
    CommentFactory(post=comment.post, parent=comment, content="A fair reply")
    _report(comment, reason="harassment")
    _report(comment, reason="harassment")
    with django_capture_on_commit_callbacks(execute=True):
        response = _resolve(queue_client, "hide", comment, note="Personal attack")
    assert "2 report(s) resolved: hide." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert comment.content == "Nasty words"  # kept for the moderators
    assert not Report.objects.filter(status=ReportStatus.OPEN).exists()
    assert set(Report.objects.values_list("status", "resolved_by")) == {
        (ReportStatus.ACTIONED, moderator.id)
    }
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.subject_id) == (
        moderator,
        ActionKind.HIDE_COMMENT,
        comment.author_id,
    )
    assert action.reason == "Personal attack (2 reports: Harassment or hate (2))"
    assert action.post_id == comment.post_id and action.comment_id == comment.id
    # The comment's channel was told it is gone; the queue's, that the reports are resolved.
    events = [
        json.loads(event.payload)
        for event in ChannelEvent.objects.filter(
            channel=f"/subscriptions/comments/{comment.post_id}"
        )
    ]
    assert [(event["type"], event["ids"]) for event in events] == [("deleted", [str(comment.id)])]
    assert json.loads(ChannelEvent.objects.filter(channel=QUEUE_CHANNEL).last().payload)[
        "type"
    ] == ("deleted")
    page = client.get(comment.post.get_absolute_url()).content.decode()
    assert "Nasty words" not in page
    assert "A fair reply" in page


def test_resolving_twice_from_two_tabs_tells_the_second_and_changes_nothing(queue_client):
    comment = CommentFactory()
    _report(comment)
    _resolve(queue_client, "dismiss", comment)
    before = list(Report.objects.values_list("id", "status", "resolved_at"))
    response = _resolve(queue_client, "delete", comment)
    assert "already resolved; nothing was changed" in response.content.decode()
    assert Comment.objects.filter(id=comment.id, status=CommentStatus.VISIBLE).exists()
    assert list(Report.objects.values_list("id", "status", "resolved_at")) == before
    assert ModerationAction.objects.count() == 1


def test_a_comment_deleted_from_the_other_tab_is_told_already_resolved(queue_client):
    comment = CommentFactory()
    _report(comment)
    _resolve(queue_client, "delete", comment)
    assert not Comment.objects.filter(id=comment.id).exists()
    response = _resolve(queue_client, "hide", comment)
    assert "already resolved" in response.content.decode()
    assert [action.action for action in ModerationAction.objects.all()] == [
        ActionKind.DELETE_COMMENT
    ]


def test_dismissing_keeps_the_item_and_logs_the_dismissal(queue_client):
    comment = CommentFactory(content="Fine words")
    _report(comment, reason="other")
    _resolve(queue_client, "dismiss", comment)
    assert Comment.objects.get(id=comment.id).status == CommentStatus.VISIBLE
    assert Report.objects.get().status == ReportStatus.DISMISSED
    assert ModerationAction.objects.get().action == ActionKind.DISMISS_REPORTS


def test_hiding_a_reported_post_unpublishes_it_and_never_publishes(queue_client):
    post = PostFactory(published=True)
    _report(post=post)
    _resolve(queue_client, "hide", post=post)
    post.refresh_from_db()
    assert not post.published
    assert ModerationAction.objects.get().action == ActionKind.UNPUBLISH_POST


def test_an_editor_may_not_delete_a_post_from_the_queue(queue_client):
    # The Editors group may unpublish posts, not delete them (accounts 0003).
    post = PostFactory()
    _report(post=post)
    page = queue_client.get(reverse(QUEUE)).content.decode()
    assert 'value="delete"' not in page
    response = _resolve(queue_client, "delete", post=post)
    assert "Nothing was changed: You may not delete this post." in response.content.decode()
    assert Post.objects.filter(id=post.id).exists()
    assert Report.objects.get().status == ReportStatus.OPEN
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "publish"},
        {"decision": "hide", "post_id": "not-a-uuid"},
        {"decision": "hide", "note": "x" * 100_000},
    ],
)
def test_a_malformed_resolution_is_an_error_message_and_changes_nothing(queue_client, data):
    comment = CommentFactory()
    _report(comment)
    response = queue_client.post(
        reverse(RESOLVE),
        {"post_id": str(comment.post_id), "comment_id": str(comment.id), **data},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    assert Report.objects.get().status == ReportStatus.OPEN
    assert Comment.objects.get(id=comment.id).status == CommentStatus.VISIBLE


def test_resolving_needs_a_post(queue_client):
    assert queue_client.get(reverse(RESOLVE)).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        reverse(QUEUE),
        reverse("admin:moderation_moderationaction_changelist"),
    ],
)
def test_staff_without_the_editor_role_cannot_open_the_queue_or_the_log(client, support_staff, url):
    client.force_login(support_staff)
    assert client.get(url).status_code == 403


def test_staff_without_the_editor_role_cannot_resolve(client, support_staff):
    comment = CommentFactory()
    _report(comment)
    client.force_login(support_staff)
    response = client.post(
        reverse(RESOLVE),
        {"post_id": str(comment.post_id), "comment_id": str(comment.id), "decision": "delete"},
    )
    assert response.status_code == 403
    assert Comment.objects.filter(id=comment.id).exists()
    assert Report.objects.get().status == ReportStatus.OPEN


def test_a_report_cannot_be_changed_through_a_form(queue_client):
    report = _report(CommentFactory())
    url = reverse("admin:moderation_report_change", args=[report.id])
    response = queue_client.post(url, {"status": "dismissed"})
    assert response.status_code == 403
    assert Report.objects.get().status == ReportStatus.OPEN


def _queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    return len(queries), response


def test_a_page_of_the_queue_is_six_queries(django_assert_num_queries):
    post = PostFactory()
    for comment in CommentFactory.create_batch(3, post=post):
        _report(comment)
        _report(comment)
    _report(post=post)
    with django_assert_num_queries(6):
        # 1 the totals, 2 the page's items, 3 their comments (post, authors, parent),
        # 4 the reported posts, 5 the reasons counted, 6 the newest reports and reporters.
        page = selectors.queue_page(number=1)
    assert [item.open_reports for item in page.items] == [1, 2, 2, 2]
    assert page.items[0].post == post and page.items[0].comment is None
    assert all(len(item.reports) == item.open_reports for item in page.items)


def test_the_queue_runs_the_same_queries_for_3_and_10_000_open_reports(queue_client, settings):
    settings.MODERATION_QUEUE_PAGE_SIZE = 50
    post = PostFactory()
    few = CommentFactory.create_batch(3, post=post)
    for comment in few:
        _report(comment)
    small, _ = _queue_queries(queue_client)
    # 10,000 reports on 200 items (four pages): each reporter once per item.
    items = CommentFactory.create_batch(200, post=post)
    reporters = [UserFactory() for _ in range(50)]
    Report.objects.bulk_create(
        Report(reporter=reporter, post_id=post.id, comment=comment, reason="spam")
        for comment in items
        for reporter in reporters
    )
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 10_003
    large, response = _queue_queries(queue_client)
    assert large == small
    page = response.content.decode()
    assert "203 reported items, 10003 open reports" in page
    assert page.count('class="queue-item"') == 50


def test_ban_hides_the_comment_and_suspends_its_author_both_logged(queue_client, moderator):
    comment = CommentFactory(content="Buy cheap watches")
    _report(comment=comment, reason="spam")
    _report(comment=comment, reason="spam")

    page = _resolve(queue_client, "ban", comment=comment, note="Advert on every thread")

    assert "2 report(s) resolved: ban." in page.content.decode()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    author = comment.author
    author.refresh_from_db()
    assert author.is_suspended and author.suspended_until.year == 9999  # until reinstated
    assert author.suspension_reason.startswith("Advert on every thread (2 reports")
    logged = dict(
        ModerationAction.objects.filter(subject=author).values_list("action", "moderator")
    )
    assert logged == {
        ActionKind.HIDE_COMMENT: moderator.id,
        ActionKind.SUSPEND_ACCOUNT: moderator.id,
    }
    assert not Report.objects.filter(status=ReportStatus.OPEN).exists()


def test_an_editor_cannot_ban_a_staff_author_from_the_queue_and_nothing_changes(
    queue_client, editor
):
    comment = CommentFactory(author=editor, content="A superuser's words")
    _report(comment=comment)

    page = _resolve(queue_client, "ban", comment=comment)

    assert "Only a superuser can suspend a staff account." in page.content.decode()
    comment.refresh_from_db()
    editor.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE and not editor.is_suspended
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 1
    assert not ModerationAction.objects.exists()


def test_suspensions_and_reinstatements_from_the_user_admin_are_in_the_log(
    queue_client, moderator, reader
):
    changelist = reverse("admin:accounts_user_changelist")
    chosen = {"_selected_action": [str(reader.pk)]}
    queue_client.post(
        changelist,
        {"action": "suspend_accounts", "apply": "1", "duration": "7", "reason": "Cool off."}
        | chosen,
    )
    queue_client.post(changelist, {"action": "reinstate_accounts"} | chosen)

    entries = list(
        ModerationAction.objects.filter(subject=reader)
        .order_by("created_at", "id")
        .values_list("action", "reason", "moderator")
    )
    assert entries == [
        (ActionKind.SUSPEND_ACCOUNT, "Cool off.", moderator.id),
        (ActionKind.REINSTATE_ACCOUNT, "", moderator.id),
    ]
