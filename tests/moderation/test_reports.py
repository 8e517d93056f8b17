"""Readers report a post or a comment, from the page without JavaScript: one open report per
reader and item, never their own content, a bounded reason, and a rate."""

import json

import pytest
from django.urls import reverse

from lib.errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from moderation import services
from moderation.announcements import QUEUE_CHANNEL
from moderation.models import Report, ReportStatus
from realtime.models import ChannelEvent
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_a_report_on_a_comment_is_stored_open_and_announced_to_the_queue(
    reader, author, django_capture_on_commit_callbacks
):
    comment = CommentFactory(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.create_report(
            reporter=reader, post=comment.post, comment=comment, reason="spam", details=" Buy! "
        )
    stored = Report.objects.get()
    assert (stored.comment_id, stored.post_id, stored.status) == (
        comment.id,
        comment.post_id,
        ReportStatus.OPEN,
    )
    assert stored.details == "Buy!"
    event = json.loads(ChannelEvent.objects.get(channel=QUEUE_CHANNEL).payload)
    assert (event["type"], event["ids"]) == ("created", [str(report.id)])
    assert event["data"]["commentId"] == str(comment.id)


def test_reporting_the_same_comment_twice_is_a_conflict_and_keeps_one_report(reader):
    comment = CommentFactory()
    services.create_report(reporter=reader, post=comment.post, comment=comment, reason="spam")
    with pytest.raises(Conflict, match="already reported this comment"):
        services.create_report(reporter=reader, post=comment.post, comment=comment, reason="other")
    assert Report.objects.count() == 1


def test_a_dismissed_report_lets_the_reader_report_again(reader):
    comment = CommentFactory()
    services.create_report(reporter=reader, post=comment.post, comment=comment, reason="spam")
    Report.objects.update(status=ReportStatus.DISMISSED)
    services.create_report(reporter=reader, post=comment.post, comment=comment, reason="spam")
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 1


def test_a_report_on_the_post_and_one_on_its_comment_are_two_items(reader):
    comment = CommentFactory()
    services.create_report(reporter=reader, post=comment.post, reason="spam")
    services.create_report(reporter=reader, post=comment.post, comment=comment, reason="spam")
    assert Report.objects.count() == 2


def test_reporting_ones_own_comment_or_post_is_refused(author):
    comment = CommentFactory(author=author)
    with pytest.raises(Forbidden, match="your own comment"):
        services.create_report(reporter=author, post=comment.post, comment=comment, reason="spam")
    with pytest.raises(Forbidden, match="your own post"):
        services.create_report(reporter=author, post=PostFactory(author=author), reason="spam")
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("reason", "details", "field"),
    [("spam", "x" * 100_000, "details"), ("nonsense", "", "reason"), ("spam", "a\x00b", "details")],
)
def test_a_bad_reason_or_details_are_refused(reader, reason, details, field):
    comment = CommentFactory()
    with pytest.raises(InvalidInput) as raised:
        services.create_report(
            reporter=reader, post=comment.post, comment=comment, reason=reason, details=details
        )
    assert field in raised.value.field_errors
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_reader(reader, settings):
    settings.MODERATION_REPORTS_PER_WINDOW = 2
    comments = CommentFactory.create_batch(3)
    for comment in comments[:2]:
        services.create_report(reporter=reader, post=comment.post, comment=comment, reason="spam")
    with pytest.raises(TooManyRequests) as raised:
        services.create_report(
            reporter=reader, post=comments[2].post, comment=comments[2], reason="spam"
        )
    assert raised.value.retry_after
    assert Report.objects.count() == 2


# --- the page, without JavaScript ------------------------------------------------------


def test_the_report_link_shows_on_others_comments_only(client, reader):
    post = PostFactory()
    mine = CommentFactory(post=post, author=reader)
    theirs = CommentFactory(post=post)
    client.force_login(reader)
    page = client.get(post.get_absolute_url()).content.decode()
    assert reverse("moderation:report-comment", args=[theirs.id]) in page
    assert reverse("moderation:report-comment", args=[mine.id]) not in page
    assert reverse("moderation:report-post", args=[post.id]) in page


def test_a_reader_reports_a_comment_through_the_form(client, reader):
    comment = CommentFactory()
    client.force_login(reader)
    url = reverse("moderation:report-comment", args=[comment.id])
    form = client.get(url)
    assert form.status_code == 200
    assert "csrfmiddlewaretoken" in form.content.decode()
    response = client.post(url, {"reason": "harassment", "details": "Rude"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"#comment-{comment.id}")
    assert "the moderators will look at it" in response.content.decode()
    assert Report.objects.get().reason == "harassment"


def test_the_form_shows_a_second_report_as_an_error_and_stores_nothing_more(client, reader):
    comment = CommentFactory()
    client.force_login(reader)
    url = reverse("moderation:report-comment", args=[comment.id])
    client.post(url, {"reason": "spam"})
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 409
    assert "already reported this comment" in response.content.decode()
    assert Report.objects.count() == 1


def test_the_form_refuses_100_kb_of_details_on_its_field(client, reader):
    comment = CommentFactory()
    client.force_login(reader)
    response = client.post(
        reverse("moderation:report-comment", args=[comment.id]),
        {"reason": "spam", "details": "x" * 100_000},
    )
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert not Report.objects.exists()


def test_the_form_refuses_reporting_ones_own_comment(client, author):
    comment = CommentFactory(author=author)
    client.force_login(author)
    response = client.post(
        reverse("moderation:report-comment", args=[comment.id]), {"reason": "spam"}
    )
    assert response.status_code == 403
    assert "cannot report your own comment" in response.content.decode()
    assert not Report.objects.exists()


def test_a_draft_cannot_be_reported_and_looks_missing(client, reader):
    draft = PostFactory(published=False)
    client.force_login(reader)
    response = client.post(reverse("moderation:report-post", args=[draft.id]), {"reason": "spam"})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_reporting_needs_a_signed_in_reader(client):
    comment = CommentFactory()
    response = client.post(
        reverse("moderation:report-comment", args=[comment.id]), {"reason": "spam"}
    )
    assert response.status_code == 302
    assert not Report.objects.exists()
