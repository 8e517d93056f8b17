"""Email as the tests read it: what the backend (locmem) received once the worker has run."""

from django.core import mail
from django.core.mail import EmailMessage

from mail.services import send_due_emails


def deliver_queued() -> list[EmailMessage]:
    """Send every due queued email, as ``manage.py send_queued_mail`` would, and answer all the
    backend has received in this test."""
    while send_due_emails(limit=100).taken:
        pass
    return mail.outbox
