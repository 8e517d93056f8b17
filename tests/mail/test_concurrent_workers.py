"""Workers running at the same time (cron overlapping itself, or several --loop workers) never
send one email twice: SKIP LOCKED hands each row to one of them."""

import threading

import pytest
from django.core import mail
from django.db import connection

from mail.models import OutboundEmail
from mail.services import enqueue_email, send_due_emails

WORKERS = 4
EMAILS = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_email_once():
    for n in range(EMAILS):
        enqueue_email(
            to=f"reader{n}@example.com",
            template="accounts/email/password_reset",
            context={"email": "x", "protocol": "https", "domain": "d", "uid": "u", "token": "t"},
        )
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            while send_due_emails(limit=3).taken:
                pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == EMAILS
    assert len(set(recipients)) == EMAILS
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
