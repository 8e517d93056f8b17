"""report.create over tRPC: a reader flags a comment or a post; every refusal is in tRPC's
error shape and stores nothing."""

import pytest

from moderation.models import Report
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_a_reader_reports_a_comment(as_user, reader):
    comment = CommentFactory()
    answer = as_user(reader).mutate(
        "report.create", {"commentId": str(comment.id), "reason": "spam", "details": "Ads"}
    )
    assert answer.status == 200
    assert answer.data["commentId"] == str(comment.id)
    assert answer.data["postId"] == str(comment.post_id)
    assert (answer.data["reason"], answer.data["status"]) == ("spam", "open")
    assert Report.objects.get().reporter == reader


def test_a_reader_reports_a_post(as_user, reader):
    post = PostFactory()
    answer = as_user(reader).mutate("report.create", {"postId": str(post.id), "reason": "other"})
    assert answer.data["commentId"] is None
    assert Report.objects.get().comment is None


def test_reporting_twice_is_a_conflict(as_user, reader):
    comment = CommentFactory()
    caller = as_user(reader)
    caller.mutate("report.create", {"commentId": str(comment.id), "reason": "spam"})
    answer = caller.mutate("report.create", {"commentId": str(comment.id), "reason": "spam"})
    assert answer.code == "CONFLICT"
    assert "already reported" in answer.error["message"]
    assert Report.objects.count() == 1


def test_reporting_ones_own_comment_is_forbidden(as_user, author):
    comment = CommentFactory(author=author)
    answer = as_user(author).mutate(
        "report.create", {"commentId": str(comment.id), "reason": "spam"}
    )
    assert answer.code == "FORBIDDEN"
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"reason": "spam", "details": "x" * 100_000}, "details"),
        ({"reason": "because"}, "reason"),
        ({"details": "no reason"}, "reason"),
        ({"reason": "spam", "details": 5}, "details"),
    ],
)
def test_bad_input_is_bad_request_on_its_field(as_user, reader, given, field):
    comment = CommentFactory()
    answer = as_user(reader).mutate("report.create", {"commentId": str(comment.id), **given})
    assert answer.code == "BAD_REQUEST"
    assert field in answer.error["data"]["fieldErrors"]
    assert not Report.objects.exists()


@pytest.mark.parametrize("ids", [{}, {"postId": "P", "commentId": "C"}])
def test_exactly_one_of_comment_and_post_is_given(as_user, reader, ids):
    comment = CommentFactory()
    ids = {key: str(comment.id if key == "commentId" else comment.post_id) for key in ids}
    answer = as_user(reader).mutate("report.create", {**ids, "reason": "spam"})
    assert answer.code == "BAD_REQUEST"
    assert not Report.objects.exists()


def test_a_draft_or_a_missing_comment_is_not_found(as_user, reader):
    draft = PostFactory(published=False)
    caller = as_user(reader)
    assert caller.mutate("report.create", {"postId": str(draft.id), "reason": "spam"}).code == (
        "NOT_FOUND"
    )
    hidden = CommentFactory(status="hidden")
    assert (
        caller.mutate("report.create", {"commentId": str(hidden.id), "reason": "spam"}).code
        == "NOT_FOUND"
    )
    assert not Report.objects.exists()


def test_anonymous_callers_cannot_report(trpc):
    comment = CommentFactory()
    answer = trpc.mutate("report.create", {"commentId": str(comment.id), "reason": "spam"})
    assert answer.code == "UNAUTHORIZED"
    assert not Report.objects.exists()


def test_too_many_reports_is_too_many_requests(as_user, reader, settings):
    settings.MODERATION_REPORTS_PER_WINDOW = 1
    first, second = CommentFactory.create_batch(2)
    caller = as_user(reader)
    caller.mutate("report.create", {"commentId": str(first.id), "reason": "spam"})
    answer = caller.mutate("report.create", {"commentId": str(second.id), "reason": "spam"})
    assert answer.code == "TOO_MANY_REQUESTS"
    assert Report.objects.count() == 1
