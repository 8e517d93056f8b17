"""The outbound queue: requests only queue; the worker sends HTML and text parts, retries a
failure with a doubling wait, gives up after the last attempt, and shows it in the admin."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import services as account_services
from mail.models import OutboundEmail
from mail.services import enqueue_email, retry_delay, send_due_emails
from tests.factories import UserFactory
from tests.live_server import free_port
from tests.mail_outbox import deliver_queued

RESET_TEMPLATE = "accounts/email/password_reset"


def _queue_reset(to: str = "ada@example.com") -> OutboundEmail:
    context = {
        "email": to,
        "protocol": "https",
        "domain": "blog.example",
        "uid": "MQ",
        "token": "abc-123",
    }
    return enqueue_email(
        to=to,
        template=RESET_TEMPLATE,
        context=context,
        unsubscribe_url="https://blog.example/email/unsubscribe/t/",
    )


def _unreachable_smtp(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


@pytest.mark.django_db
def test_a_request_only_queues_and_the_worker_sends(client, author):
    client.post("/password/forgot/", {"email": author.email})

    assert mail.outbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED
    (message,) = deliver_queued()
    assert message.to == [author.email]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_an_email_has_text_and_html_parts_and_one_click_unsubscribe_headers():
    _queue_reset()

    (message,) = deliver_queued()

    assert message.subject == "Your Inkwell password"
    assert "https://blog.example/password/reset/MQ/abc-123/" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert 'href="https://blog.example/password/reset/MQ/abc-123/"' in html
    assert (
        message.extra_headers["List-Unsubscribe"] == "<https://blog.example/email/unsubscribe/t/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_text_parts_are_not_html_escaped_and_html_parts_are():
    enqueue_email(
        to="o@example.com",
        template=RESET_TEMPLATE,
        context={
            "email": "o'<b>@example.com",
            "protocol": "https",
            "domain": "x",
            "uid": "u",
            "token": "t",
        },
    )

    (message,) = deliver_queued()

    assert "o'<b>@example.com" in message.body
    assert "o&#x27;&lt;b&gt;@example.com" in message.alternatives[0][0]


@pytest.mark.django_db
def test_a_failure_is_retried_later_with_a_doubling_wait(settings, caplog):
    _unreachable_smtp(settings)
    settings.MAIL_RETRY_BASE_SECONDS, settings.MAIL_MAX_ATTEMPTS = 60, 3
    email = _queue_reset()

    with caplog.at_level(logging.WARNING, logger="mail.services"):
        report = send_due_emails(limit=10)

    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert timedelta(seconds=55) < email.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    assert "failed (attempt 1), retrying" in caplog.text
    # Not due yet: a second pass leaves it alone.
    assert send_due_emails(limit=10).taken == 0
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]


@pytest.mark.django_db
def test_the_wait_is_capped(settings):
    settings.MAIL_RETRY_BASE_SECONDS, settings.MAIL_RETRY_MAX_SECONDS = 60, 300

    assert retry_delay(10) == timedelta(seconds=300)


@pytest.mark.django_db
def test_after_the_last_attempt_the_email_stays_failed_and_is_logged(settings, caplog):
    _unreachable_smtp(settings)
    settings.MAIL_MAX_ATTEMPTS = 2
    email = _queue_reset()

    with caplog.at_level(logging.ERROR, logger="mail.services"):
        send_due_emails(limit=10)
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
        report = send_due_emails(limit=10)

    assert report.failed == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 2)
    assert "failed for good after 2 attempts" in caplog.text
    assert send_due_emails(limit=10).taken == 0


@pytest.mark.django_db
def test_an_email_taken_by_a_worker_is_not_taken_again_until_its_lease_ends(settings):
    settings.MAIL_SEND_LEASE_SECONDS = 600
    email = _queue_reset()
    # A worker took it and died before sending: the row is as it left it.
    OutboundEmail.objects.filter(id=email.id).update(
        next_attempt_at=timezone.now() + timedelta(seconds=600), attempts=1
    )

    assert send_due_emails(limit=10).taken == 0
    OutboundEmail.objects.filter(id=email.id).update(next_attempt_at=timezone.now())
    assert send_due_emails(limit=10).sent == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_command_sends_everything_due_in_batches():
    for n in range(5):
        _queue_reset(f"reader{n}@example.com")

    call_command("send_queued_mail", "--batch-size", "2")

    assert sorted(message.to[0] for message in mail.outbox) == [
        f"reader{n}@example.com" for n in range(5)
    ]
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--interval", "soon"], "is not a duration"), (["--batch-size", "0"], "at least 1")],
)
def test_the_command_refuses_bad_arguments(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_queued_mail", *arguments)


@pytest.mark.django_db
def test_editors_see_failed_emails_in_the_admin_and_only_superusers_queue_them_again(
    client, editor, settings
):
    _unreachable_smtp(settings)
    settings.MAIL_MAX_ATTEMPTS = 1
    email = _queue_reset()
    send_due_emails(limit=10)
    moderator = UserFactory(email="mod@example.com")
    account_services.make_editor(user=moderator)

    client.force_login(moderator)
    listing = client.get("/admin/mail/outboundemail/?status__exact=failed")
    refused = client.post(
        "/admin/mail/outboundemail/",
        {"action": "retry_now", "_selected_action": [email.id]},
    )

    assert listing.status_code == 200
    assert "ada@example.com" in listing.content.decode()
    assert (
        "ConnectionRefusedError"
        in client.get(f"/admin/mail/outboundemail/{email.id}/change/").content.decode()
    )
    assert refused.status_code == 200  # no such action for them: the list again, unchanged
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.FAILED

    client.force_login(editor)
    client.post(
        "/admin/mail/outboundemail/", {"action": "retry_now", "_selected_action": [email.id]}
    )
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 0)


@pytest.mark.django_db
def test_pruning_deletes_old_sent_and_failed_emails_and_keeps_queued_ones():
    old, failed, waiting, recent = (_queue_reset(f"r{n}@example.com") for n in range(4))
    OutboundEmail.objects.filter(id=old.id).update(status=OutboundEmail.Status.SENT)
    OutboundEmail.objects.filter(id=failed.id).update(status=OutboundEmail.Status.FAILED)
    OutboundEmail.objects.filter(id__in=[old.id, failed.id, waiting.id]).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    OutboundEmail.objects.filter(id=recent.id).update(status=OutboundEmail.Status.SENT)

    call_command("prune_sent_mail")

    assert set(OutboundEmail.objects.values_list("id", flat=True)) == {waiting.id, recent.id}
