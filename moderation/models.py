"""Reports from readers and the log of moderation actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from blog.models import Comment, Post

REPORT_DETAILS_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    HARASSMENT = "harassment", "Harassment or hate"
    INAPPROPRIATE = "inappropriate", "Inappropriate or explicit"
    OFF_TOPIC = "off_topic", "Off topic"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISMISSED = "dismissed", "Dismissed"
    ACTIONED = "actioned", "Acted on"


class Report(models.Model):
    """A reader's flag on a post (``comment`` empty) or on one of its comments. A reader has
    at most one open report per item; the report goes with its item when that is deleted (the
    moderation log keeps what was done)."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.TextField(blank=True, max_length=REPORT_DETAILS_MAX_LENGTH)
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_resolved",
    )

    class Meta:
        # Its admin list is the queue of reported items (moderation/admin.py).
        verbose_name_plural = "reports (moderation queue)"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The queue: open reports grouped by item, newest first.
            models.Index(
                fields=["post", "comment", "-created_at"],
                condition=Q(status="open"),
                name="moderation_report_open_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="moderation_report_one_open_per_comment",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=Q(status="open", comment__isnull=True),
                name="moderation_report_one_open_per_post",
            ),
        ]

    def __str__(self) -> str:
        item = f"comment {self.comment_id}" if self.comment_id else f"post {self.post_id}"
        return f"{self.get_reason_display()} report on {item}"


class ActionKind(models.TextChoices):
    UNPUBLISH_POST = "unpublish_post", "Unpublished a post"
    EDIT_POST = "edit_post", "Edited a post"
    DELETE_POST = "delete_post", "Deleted a post"
    EDIT_COMMENT = "edit_comment", "Edited a comment"
    HIDE_COMMENT = "hide_comment", "Hid a comment"
    DELETE_COMMENT = "delete_comment", "Deleted a comment"
    DISMISS_REPORTS = "dismiss_reports", "Dismissed reports"
    RELEASE_COMMENT = "release_comment", "Released a held comment"
    REJECT_COMMENT = "reject_comment", "Rejected a held comment"
    RESTORE_COMMENT = "restore_comment", "Showed a hidden comment again"
    HIDE_USER_CONTENT = "hide_user_content", "Hid all of a user's content"
    RESTORE_USER_CONTENT = "restore_user_content", "Restored a user's hidden content"
    SUSPEND_ACCOUNT = "suspend_account", "Suspended an account"
    REINSTATE_ACCOUNT = "reinstate_account", "Reinstated an account"


class ModerationAction(models.Model):
    """One thing a moderator did to someone's content: who, what, to whose, why, when.

    The post and comment are kept as plain ids (not foreign keys) and described in ``target``,
    so the entry outlives what it describes: a deleted post's log still lists its deletion.
    """

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions_taken",
    )
    action = models.CharField(max_length=20, choices=ActionKind.choices)
    # The author of the content acted on.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions_received",
    )
    post_id = models.UUIDField(null=True, blank=True, db_index=True)
    comment_id = models.UUIDField(null=True, blank=True)
    target = models.CharField(max_length=300)
    reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "moderation log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-created_at"], name="moderation_action_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.moderator} {self.get_action_display().lower()}: {self.target}"


class ContentSweep(models.Model):
    """One "hide all of this user's content": the comments it hid and the posts it unpublished,
    so that restoring brings back exactly those (not what was hidden for other reasons, nor
    what the author unpublished themselves). Restored once (``restored_at``)."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_sweeps"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="content_sweeps_made",
    )
    reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    # Ids as strings: the rows may be deleted meanwhile, and restoring then skips them.
    hidden_comment_ids = models.JSONField(default=list)
    unpublished_post_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="content_sweeps_restored",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["subject"],
                condition=Q(restored_at__isnull=True),
                name="moderation_sweep_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Content of {self.subject} hidden at {self.created_at:%Y-%m-%d %H:%M}"
