"""Writes of the outbound queue: queue an email (rendered from its templates), and send the
due ones with bounded retries.

Requests only queue: a row in the caller's transaction, so an email leaves only if what it
tells of was committed, and a slow or unreachable mail server never holds a request. The
worker takes due rows under ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (IMMEDIATE transactions
serialise the same step on SQLite), moves them past a lease in the same transaction and sends
them after it commits: two workers never take the same row, and a worker that dies mid-send
leaves its rows to be taken again when the lease ends.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from mail.models import OutboundEmail

logger = logging.getLogger(__name__)

_SUBJECT_MAX_LENGTH = OutboundEmail._meta.get_field("subject").max_length or 300
_ERROR_MAX_LENGTH = 2000


def enqueue_email(
    *, to: str, template: str, context: dict[str, Any], unsubscribe_url: str = ""
) -> OutboundEmail:
    """Queue an email to ``to`` rendered from ``<template>_subject.txt``, ``<template>.txt``
    and ``<template>.html``. With ``unsubscribe_url`` (absolute, answering a POST without
    CSRF), the email carries RFC 8058 one-click unsubscribe headers and the templates get
    the URL to show."""
    email = rendered_email(
        to=to, template=template, context=context, unsubscribe_url=unsubscribe_url
    )
    email.save(force_insert=True)
    return email


def enqueue_emails(emails: list[OutboundEmail]) -> None:
    """Queue many ``rendered_email``s in a few inserts (a new post's followers)."""
    OutboundEmail.objects.bulk_create(emails, batch_size=500)


def rendered_email(
    *, to: str, template: str, context: dict[str, Any], unsubscribe_url: str = ""
) -> OutboundEmail:
    """The email ``enqueue_email`` would queue, not saved yet."""
    context = {**context, "site_url": settings.MAIL_SITE_URL, "unsubscribe_url": unsubscribe_url}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    headers = {}
    if unsubscribe_url:
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return OutboundEmail(
        to=to,
        template=template,
        subject=subject[:_SUBJECT_MAX_LENGTH],
        body_text=render_to_string(f"{template}.txt", context),
        body_html=render_to_string(f"{template}.html", context),
        headers=headers,
    )


@dataclass(frozen=True)
class SendReport:
    """What one pass of the worker did."""

    sent: int
    retried: int
    failed: int

    @property
    def taken(self) -> int:
        return self.sent + self.retried + self.failed


def send_due_emails(*, limit: int) -> SendReport:
    """Send up to ``limit`` due emails through the configured backend (one connection for
    all of them); each failure is logged and retried after a backoff that doubles, until
    settings.MAIL_MAX_ATTEMPTS, when the email stays ``failed``."""
    emails = _take_due(limit=limit)
    if not emails:
        return SendReport(sent=0, retried=0, failed=0)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:
        # Nothing left: every email taken counts this attempt as failed.
        logger.warning("Could not reach the mail server: %s", error)
        return _tally([_record_failure(email, error) for email in emails])
    outcomes = []
    try:
        for email in emails:
            try:
                connection.send_messages([_message(email)])
            except Exception as error:
                outcomes.append(_record_failure(email, error))
            else:
                _record_sent(email)
                outcomes.append(OutboundEmail.Status.SENT)
    finally:
        connection.close()
    return _tally(outcomes)


def _take_due(*, limit: int) -> list[OutboundEmail]:
    now = timezone.now()
    lease_ends = now + timedelta(seconds=settings.MAIL_SEND_LEASE_SECONDS)
    with transaction.atomic():
        emails = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        OutboundEmail.objects.filter(id__in=[email.id for email in emails]).update(
            next_attempt_at=lease_ends, attempts=F("attempts") + 1
        )
    for email in emails:
        email.attempts += 1
    return emails


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers=email.headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _record_sent(email: OutboundEmail) -> None:
    OutboundEmail.objects.filter(id=email.id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: the base, doubled each time, capped."""
    seconds = settings.MAIL_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.MAIL_RETRY_MAX_SECONDS))


def _record_failure(email: OutboundEmail, error: Exception) -> str:
    description = f"{type(error).__name__}: {error}"[:_ERROR_MAX_LENGTH]
    if email.attempts >= settings.MAIL_MAX_ATTEMPTS:
        logger.error(
            "Email %s to %s failed for good after %s attempts: %s",
            email.id,
            email.to,
            email.attempts,
            description,
        )
        status, next_attempt_at = OutboundEmail.Status.FAILED, timezone.now()
    else:
        logger.warning(
            "Email %s to %s failed (attempt %s), retrying: %s",
            email.id,
            email.to,
            email.attempts,
            description,
        )
        status = OutboundEmail.Status.QUEUED
        next_attempt_at = timezone.now() + retry_delay(email.attempts)
    OutboundEmail.objects.filter(id=email.id).update(
        status=status, next_attempt_at=next_attempt_at, last_error=description
    )
    return status


def _tally(outcomes: list[str]) -> SendReport:
    return SendReport(
        sent=outcomes.count(OutboundEmail.Status.SENT),
        retried=outcomes.count(OutboundEmail.Status.QUEUED),
        failed=outcomes.count(OutboundEmail.Status.FAILED),
    )


def retry_now(*, emails: "list[OutboundEmail]") -> int:
    """Queue failed emails again, due at once, with a fresh budget of attempts (the admin's
    action once the mail server is fixed); how many were queued."""
    ids = [email.id for email in emails if email.status == OutboundEmail.Status.FAILED]
    with transaction.atomic():
        return OutboundEmail.objects.filter(id__in=ids, status=OutboundEmail.Status.FAILED).update(
            status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )


def delete_old_emails(*, older_than: timedelta) -> int:
    """Delete sent and failed emails queued longer ago than ``older_than`` (their words and
    addresses need not be kept); queued ones stay whatever their age. How many went."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        deleted, _ = (
            OutboundEmail.objects.filter(created_at__lt=cutoff)
            .exclude(status=OutboundEmail.Status.QUEUED)
            .delete()
        )
    return deleted
