"""The outbound queue: one row per email, rendered when it is queued, sent by the worker."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboundEmail(models.Model):
    """An email to one address. The worker (``manage.py send_queued_mail``) sends the queued
    ones whose ``next_attempt_at`` has come; a failure is retried later, up to
    settings.MAIL_MAX_ATTEMPTS, then stays ``failed`` with its error for the admin."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"

    to = models.EmailField(max_length=254)
    # Which templates made it (``accounts/email/confirm_email``…): what the admin filters by.
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Extra headers (List-Unsubscribe, List-Unsubscribe-Post), name to value.
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the worker may next take it; a worker taking it moves this past its lease, so a
    # worker that dies mid-send leaves it to be taken again once the lease is over.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound email"
        indexes = [
            # The worker's only question: which queued emails are due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="queued"),
                name="mail_outbound_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
