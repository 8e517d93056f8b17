"""One email through Django's real SMTP backend to an aiosmtpd server: the path production takes."""

import email
from email.message import EmailMessage as ParsedEmail

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from mail.models import OutboundEmail
from mail.services import enqueue_email, send_due_emails
from tests.live_server import free_port


class Inbox(Message):
    """Keeps every message the server accepts."""

    def __init__(self) -> None:
        super().__init__(message_class=ParsedEmail)
        self.messages: list[ParsedEmail] = []

    def handle_message(self, message: ParsedEmail) -> None:  # type: ignore[override]
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Inkwell <no-reply@blog.example>"
    yield inbox
    controller.stop()


@pytest.mark.django_db
def test_a_queued_email_reaches_an_smtp_server_with_both_parts_and_its_headers(smtp_server):
    enqueue_email(
        to="ada@example.com",
        template="accounts/email/password_reset",
        context={
            "email": "ada@example.com",
            "protocol": "https",
            "domain": "blog.example",
            "uid": "MQ",
            "token": "abc",
        },
        unsubscribe_url="https://blog.example/email/unsubscribe/tok/",
    )

    report = send_due_emails(limit=10)

    assert report.sent == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
    (received,) = smtp_server.messages
    assert received["To"] == "ada@example.com"
    assert received["From"] == "Inkwell <no-reply@blog.example>"
    assert received["Subject"] == "Your Inkwell password"
    assert received["List-Unsubscribe"] == "<https://blog.example/email/unsubscribe/tok/>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parsed = email.message_from_bytes(received.as_bytes())
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in parsed.walk()
        if not part.is_multipart()
    }
    assert "https://blog.example/password/reset/MQ/abc/" in parts["text/plain"]
    assert 'href="https://blog.example/password/reset/MQ/abc/"' in parts["text/html"]
