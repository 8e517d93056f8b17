"""What the moderators' queue is told live: a report came in, or an item's reports were
resolved. Only moderators may subscribe (moderation.apps), so reasons may travel."""

from blog.models import Comment
from moderation.models import Report
from realtime.broadcast import Change

QUEUE_CHANNEL = "/subscriptions/moderation"


def report_created(report: Report) -> Change:
    return Change(
        QUEUE_CHANNEL,
        "reports",
        "created",
        [str(report.id)],
        {
            "postId": str(report.post_id),
            "commentId": str(report.comment_id) if report.comment_id else None,
            "reason": report.reason,
            "createdAt": report.created_at,
        },
    )


def reports_resolved(report_ids: list[int], *, post_id: object, comment_id: object) -> Change:
    return Change(
        QUEUE_CHANNEL,
        "reports",
        "deleted",
        [str(report_id) for report_id in report_ids],
        {"postId": str(post_id), "commentId": str(comment_id) if comment_id else None},
    )


def held_comment_reviewed(comment: Comment) -> Change:
    return Change(
        QUEUE_CHANNEL,
        "held-comments",
        "deleted",
        [str(comment.id)],
        {"postId": str(comment.post_id)},
    )
