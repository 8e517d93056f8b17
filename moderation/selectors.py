"""Reads of moderation: what a reader may report, and the moderators' queue of reported items."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from blog.models import Comment, CommentStatus, Post
from lib.errors import NotFound
from moderation.models import Report, ReportReason, ReportStatus

# How many of an item's reporters the queue names; the count says how many there are.
REPORTERS_SHOWN = 5


def reportable_comment(*, comment_id: UUID) -> Comment:
    """A live comment on a published post: what readers can see, and so report."""
    comment = (
        Comment.objects.select_related("post__author", "author")
        .filter(
            id=comment_id,
            post__published=True,
            is_deleted=False,
            status=CommentStatus.VISIBLE,
        )
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.")
    return comment


def reportable_post(*, post_id: UUID) -> Post:
    """A published post (drafts are their author's alone)."""
    post = Post.objects.select_related("author").filter(id=post_id, published=True).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def reported_item(*, post_id: UUID, comment_id: UUID | None) -> tuple[Post, Comment | None]:
    """The item a queue row stands for, whatever its state; NotFound once it is deleted."""
    if comment_id is None:
        post = Post.objects.select_related("author").filter(id=post_id).first()
        if post is None:
            raise NotFound("This post is gone.")
        return post, None
    comment = (
        Comment.objects.select_related("post__author", "author")
        .filter(id=comment_id, post_id=post_id)
        .first()
    )
    if comment is None:
        raise NotFound("This comment is gone.")
    return comment.post, comment


@dataclass
class QueueItem:
    """One reported item in the queue: a post, or a comment (with its post and parent)."""

    post_id: UUID
    comment_id: UUID | None
    open_reports: int
    latest_report_at: datetime
    post: Post | None = None
    comment: Comment | None = None
    reasons: list[tuple[str, int]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # the newest REPORTERS_SHOWN

    @property
    def key(self) -> tuple[UUID, UUID | None]:
        return self.post_id, self.comment_id


@dataclass
class QueuePage:
    items: list[QueueItem]
    number: int
    total_items: int
    total_reports: int
    page_count: int

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _open_reports() -> QuerySet[Report]:
    return Report.objects.filter(status=ReportStatus.OPEN)


def _of_items(items: list[QueueItem]) -> Q:
    """Open reports on exactly these items (a post's own reports have no comment)."""
    comment_ids = [item.comment_id for item in items if item.comment_id is not None]
    post_ids = [item.post_id for item in items if item.comment_id is None]
    return Q(comment_id__in=comment_ids) | Q(comment__isnull=True, post_id__in=post_ids)


def queue_page(*, number: int = 1) -> QueuePage:
    """Reported items with open reports, the most recently reported first: each with its
    post, comment and parent, its reasons counted, and its newest reporters. Six queries
    whatever the number of reports or the page size."""
    size = settings.MODERATION_QUEUE_PAGE_SIZE
    # 1: how many items and reports are open.
    totals = _open_reports().aggregate(
        reports=Count("id"),
        items=Count("comment_id", distinct=True)
        + Count("post_id", filter=Q(comment__isnull=True), distinct=True),
    )
    page_count = max(1, -(-totals["items"] // size))
    number = min(max(1, number), page_count)
    # 2: this page's items, grouped from the open reports.
    grouped = (
        _open_reports()
        .values("post_id", "comment_id")
        .annotate(open_reports=Count("id"), latest_report_at=Max("created_at"))
        .order_by("-latest_report_at", "post_id", "comment_id")
    )[(number - 1) * size : number * size]
    items = [QueueItem(**row) for row in grouped]
    if items:
        _fill(items)
    return QueuePage(items, number, totals["items"], totals["reports"], page_count)


def _fill(items: list[QueueItem]) -> None:
    by_key = {item.key: item for item in items}
    # 3: the reported comments, with their post, author and parent's author.
    comments = Comment.objects.select_related("post__author", "author", "parent__author").filter(
        id__in=[item.comment_id for item in items if item.comment_id is not None]
    )
    for comment in comments:
        by_key[(comment.post_id, comment.id)].comment = comment
        by_key[(comment.post_id, comment.id)].post = comment.post
    # 4: the reported posts (a comment's post came with it).
    posts = Post.objects.select_related("author").filter(
        id__in=[item.post_id for item in items if item.comment_id is None]
    )
    for post in posts:
        by_key[(post.id, None)].post = post
    # 5: the reasons given, counted per item.
    reasons: dict[tuple[Any, Any], list[tuple[str, int]]] = defaultdict(list)
    labels = dict(ReportReason.choices)
    counted = (
        _open_reports()
        .filter(_of_items(items))
        .values("post_id", "comment_id", "reason")
        .annotate(count=Count("id"))
        .order_by("-count", "reason")
    )
    for row in counted:
        reasons[(row["post_id"], row["comment_id"])].append(
            (labels.get(row["reason"], row["reason"]), row["count"])
        )
    # 6: each item's newest reports, with their reporters: a window, however many there are.
    newest = (
        _open_reports()
        .filter(_of_items(items))
        .select_related("reporter")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("post_id"), F("comment_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=REPORTERS_SHOWN)
        .order_by("-created_at", "-id")
    )
    for report in newest:
        by_key[(report.post_id, report.comment_id)].reports.append(report)
    for item in items:
        item.reasons = reasons[item.key]


@dataclass
class HeldComments:
    """The oldest comments waiting for review (first come, first seen), and how many wait."""

    comments: list[Comment]
    total: int


def held_comments() -> HeldComments:
    """Two queries, whatever the number held: the count, then the first page with each
    comment's post, author and parent."""
    held = Comment.objects.filter(status=CommentStatus.HELD)
    total = held.count()
    first = (
        held.select_related("post", "author", "parent__author").order_by("created_at", "id")[
            : settings.MODERATION_QUEUE_PAGE_SIZE
        ]
        if total
        else []
    )
    return HeldComments(list(first), total)


def held_comment(*, comment_id: UUID) -> Comment:
    """A comment to review; NotFound once it is gone (rejected from another tab)."""
    comment = Comment.objects.select_related("post__author", "author").filter(id=comment_id).first()
    if comment is None:
        raise NotFound("This comment is gone.")
    return comment
