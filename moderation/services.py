"""Writes of moderation: readers' reports, their resolution, and the log of every action a
moderator takes on someone's content. The changes to posts and comments themselves go through
``blog.services``, as on the site, so readers see them live."""

from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import suspensions
from accounts.models import User
from blog import services as blog_services
from blog.models import Comment, Post
from lib import counters
from lib.errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from lib.text import has_uncarriable_characters
from moderation.announcements import held_comment_reviewed, report_created, reports_resolved
from moderation.models import (
    REASON_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
    ActionKind,
    ModerationAction,
    Report,
    ReportReason,
    ReportStatus,
)
from moderation.permissions import is_moderator
from realtime.broadcast import announce

_TARGET_MAX_LENGTH = ModerationAction._meta.get_field("target").max_length or 300


class Decision(StrEnum):
    """What one click in the queue does to a reported item."""

    DISMISS = "dismiss"  # nothing wrong: the reports close, the item stays
    HIDE = "hide"  # a comment is hidden, a post unpublished
    DELETE = "delete"
    BAN = "ban"  # hidden as by HIDE, and its author suspended until reinstated


def _kind(comment: Comment | None) -> str:
    return "comment" if comment is not None else "post"


def _check_text(field: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        raise InvalidInput({field: [f"Ensure this field has no more than {maximum} characters."]})
    if has_uncarriable_characters(value):
        raise InvalidInput({field: ["This field cannot contain control characters."]})


def create_report(
    *, reporter: User, post: Post, comment: Comment | None = None, reason: str, details: str = ""
) -> Report:
    """Flag a published post, or a comment on it, for the moderators. One open report per
    reader and item, never on one's own content, and at most
    settings.MODERATION_REPORTS_PER_WINDOW per reader per window."""
    if reason not in ReportReason.values:
        raise InvalidInput({"reason": [f"Choose one of: {', '.join(ReportReason.values)}."]})
    _check_text("details", details, REPORT_DETAILS_MAX_LENGTH)
    kind = _kind(comment)
    author_id = comment.author_id if comment is not None else post.author_id
    if author_id == reporter.id:
        raise Forbidden(f"You cannot report your own {kind}.")
    already = f"You have already reported this {kind}; a moderator will look at it."
    if Report.objects.filter(
        reporter=reporter, post=post, comment=comment, status=ReportStatus.OPEN
    ).exists():
        raise Conflict(already)
    _count_report(reporter)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                post=post,
                comment=comment,
                reason=reason,
                details=details.strip(),
            )
            announce(report_created(report))
    except IntegrityError:
        # The same report sent twice at once: the partial unique constraint kept one.
        raise Conflict(already) from None
    return report


def _count_report(reporter: User) -> None:
    window = settings.MODERATION_REPORTS_WINDOW_SECONDS
    count = counters.add(f"moderation.reports.{reporter.id}", window_seconds=window)
    if count.value > settings.MODERATION_REPORTS_PER_WINDOW:
        raise TooManyRequests(
            "You have sent many reports lately. Wait a while before sending another.",
            retry_after=count.window_ends_in,
        )


def _permissions_for(decision: Decision, comment: Comment | None) -> list[str]:
    model = _kind(comment)
    if decision is Decision.HIDE:
        return [f"blog.change_{model}"]
    if decision is Decision.BAN:
        return [f"blog.change_{model}", "accounts.suspend_user"]
    if decision is Decision.DELETE:
        return [f"blog.delete_{model}"]
    return []


def _action_for(decision: Decision, comment: Comment | None) -> ActionKind:
    if decision is Decision.DISMISS:
        return ActionKind.DISMISS_REPORTS
    if decision in (Decision.HIDE, Decision.BAN):  # a ban's suspension is logged on its own
        return ActionKind.HIDE_COMMENT if comment is not None else ActionKind.UNPUBLISH_POST
    return ActionKind.DELETE_COMMENT if comment is not None else ActionKind.DELETE_POST


def _report_summary(reasons: list[str]) -> str:
    """'3 reports: Spam or advertising (2), Off topic'."""
    labels = dict(ReportReason.choices)
    parts = [
        labels.get(reason, reason) + (f" ({count})" if count > 1 else "")
        for reason, count in Counter(reasons).most_common()
    ]
    noun = "report" if len(reasons) == 1 else "reports"
    return f"{len(reasons)} {noun}: {', '.join(parts)}"


def resolve_reports(
    *,
    moderator: User,
    post: Post,
    comment: Comment | None = None,
    decision: Decision,
    note: str = "",
) -> int:
    """Close every open report on the item with ``decision``, do what it says through the
    blog's services, and log it; the number of reports closed. Resolving an item whose reports
    are already closed (another tab, another moderator) is a Conflict that changes nothing."""
    if not is_moderator(moderator):
        raise Forbidden("Only editors may resolve reports.")
    if not all(moderator.has_perm(needed) for needed in _permissions_for(decision, comment)):
        raise Forbidden(f"You may not {decision.value} this {_kind(comment)}.")
    _check_text("note", note, REASON_MAX_LENGTH)
    with transaction.atomic():
        open_reports = list(
            Report.objects.select_for_update()
            .filter(post=post, comment=comment, status=ReportStatus.OPEN)
            .order_by("id")
            .values_list("id", "reason")
        )
        if not open_reports:
            raise Conflict("These reports were already resolved; nothing was changed.")
        report_ids = [report_id for report_id, _ in open_reports]
        Report.objects.filter(id__in=report_ids).update(
            status=ReportStatus.DISMISSED
            if decision is Decision.DISMISS
            else ReportStatus.ACTIONED,
            resolved_at=timezone.now(),
            resolved_by=moderator,
        )
        summary = _report_summary([reason for _, reason in open_reports])
        reason = f"{note.strip()} ({summary})" if note.strip() else summary
        log_action(
            moderator=moderator,
            action=_action_for(decision, comment),
            post=post,
            comment=comment,
            reason=reason,
        )
        _carry_out(decision, post, comment)
        if decision is Decision.BAN:
            # A staff author is refused here (only superusers suspend staff): nothing is done.
            author = comment.author if comment is not None else post.author
            suspensions.suspend(user=author, by=moderator, reason=reason, until=None)
        announce(reports_resolved(report_ids, post_id=post.id, comment_id=comment and comment.id))
    return len(report_ids)


def review_held_comment(
    *, moderator: User, comment: Comment, release: bool, note: str = ""
) -> None:
    """Release a comment held for review (everyone sees it, announced as new) or reject it
    (deleted unseen), and log it. One already reviewed, from another tab, is a Conflict that
    changes nothing."""
    if not is_moderator(moderator):
        raise Forbidden("Only editors may review held comments.")
    permission = "blog.change_comment" if release else "blog.delete_comment"
    if not moderator.has_perm(permission):
        raise Forbidden(f"You may not {'release' if release else 'reject'} comments.")
    _check_text("note", note, REASON_MAX_LENGTH)
    with transaction.atomic():
        # The log first: the entry describes the comment as it was; a Conflict undoes both.
        log_action(
            moderator=moderator,
            action=ActionKind.RELEASE_COMMENT if release else ActionKind.REJECT_COMMENT,
            post=comment.post,
            comment=comment,
            reason=note.strip(),
        )
        if release:
            blog_services.release_comment(comment=comment)
        else:
            blog_services.reject_comment(comment=comment)
        announce(held_comment_reviewed(comment))


def restore_comment(*, moderator: User, comment: Comment, note: str = "") -> None:
    """Show a hidden comment again, announced as new, and log it. One not hidden (shown again
    meanwhile, from another tab) is a Conflict that changes nothing."""
    if not is_moderator(moderator) or not moderator.has_perm("blog.change_comment"):
        raise Forbidden("Only editors may show hidden comments again.")
    _check_text("note", note, REASON_MAX_LENGTH)
    with transaction.atomic():
        if not blog_services.unhide_comment(comment=comment):
            raise Conflict("This comment is not hidden; nothing was changed.")
        log_action(
            moderator=moderator,
            action=ActionKind.RESTORE_COMMENT,
            post=comment.post,
            comment=comment,
            reason=note.strip(),
        )


def _carry_out(decision: Decision, post: Post, comment: Comment | None) -> None:
    if decision in (Decision.HIDE, Decision.BAN):
        if comment is not None:
            blog_services.hide_comment(comment=comment)
        elif post.published:
            blog_services.update_post(post=post, published=False)
    elif decision is Decision.DELETE:
        if comment is not None:
            blog_services.delete_comment(comment=comment)
        else:
            blog_services.delete_post(post=post)


def _describe(post: Post, comment: Comment | None) -> str:
    if comment is not None:
        text = "[deleted]" if comment.is_deleted else comment.content[:80]
        described = f'Comment by {comment.author} on "{post.title}": {text}'
    else:
        described = f'Post "{post.title}" by {post.author}'
    return described[:_TARGET_MAX_LENGTH]


def log_account_action(
    *, moderator: User | None, action: ActionKind, user: User, target: str, reason: str = ""
) -> ModerationAction:
    """Record what ``moderator`` did to an account (its suspension, all its content), not to
    one post or comment. Call it in the action's transaction."""
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        subject=user,
        target=target[:_TARGET_MAX_LENGTH],
        reason=reason.strip()[:REASON_MAX_LENGTH],
    )


def log_suspension(
    *, user: User, by: User, suspended: bool, reason: str, until: datetime | None, **_: Any
) -> None:
    """The ``accounts.suspensions.suspension_changed`` receiver: suspensions and reinstatements
    in the moderation log, beside what was done to the account's content."""
    if not suspended:
        log_account_action(
            moderator=by, action=ActionKind.REINSTATE_ACCOUNT, user=user, target=str(user)
        )
        return
    ends = "until reinstated" if until is None else f"until {until:%d %b %Y %H:%M} UTC"
    log_account_action(
        moderator=by,
        action=ActionKind.SUSPEND_ACCOUNT,
        user=user,
        target=f"{user} ({ends})",
        reason=reason,
    )


def log_action(
    *,
    moderator: User,
    action: ActionKind,
    post: Post,
    comment: Comment | None = None,
    reason: str = "",
) -> ModerationAction:
    """Record what ``moderator`` did to a post or a comment, described as it was before, so
    the entry stays readable once the item is gone. Call it in the action's transaction."""
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        subject_id=comment.author_id if comment is not None else post.author_id,
        post_id=post.id,
        comment_id=comment.id if comment is not None else None,
        target=_describe(post, comment),
        reason=reason[:REASON_MAX_LENGTH],
    )
