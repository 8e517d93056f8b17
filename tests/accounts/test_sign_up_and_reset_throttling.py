"""Sign-ups and password-reset requests are budgeted per client address: probing for taken
addresses or sending reset mail past the budget is answered 429."""

import pytest

from accounts.models import User
from tests.mail_outbox import deliver_queued

PASSWORD = "a sturdy new passphrase"


def _sign_up(client, email: str, ip: str = "203.0.113.7"):
    form = {"email": email, "name": "", "password": PASSWORD, "password_again": PASSWORD}
    return client.post("/sign-up/", form, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_taken_address_answers_stop_past_the_addresss_budget(client, author, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 3
    statuses = [_sign_up(client, author.email).status_code for _ in range(3)]

    refused = _sign_up(client, author.email)
    elsewhere = _sign_up(client, "new@example.com", ip="198.51.100.1")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert "already exists" not in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= settings.AUTH_THROTTLE_WINDOW_SECONDS
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_successful_sign_ups_do_not_use_up_the_budget(client, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 2
    statuses = [_sign_up(client, f"new-{n}@example.com").status_code for n in range(4)]

    assert statuses == [302, 302, 302, 302]
    assert User.objects.count() == 4


@pytest.mark.django_db
def test_reset_mail_stops_past_the_addresss_budget(client, author, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 2
    statuses = [
        client.post("/password/forgot/", {"email": author.email}).status_code for _ in range(3)
    ]

    assert statuses == [302, 302, 429]
    assert len(deliver_queued()) == 2


@pytest.mark.django_db
def test_cognito_reset_codes_stop_past_the_addresss_budget(client, cognito_pool, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 1
    cognito_pool.confirmed_user("ada@example.com", "Sturdy-Passw0rd!")

    first = client.post("/password/forgot/", {"email": "ada@example.com"})
    second = client.post("/password/forgot/", {"email": "ada@example.com"})

    assert first.status_code == 302
    assert second.status_code == 429
