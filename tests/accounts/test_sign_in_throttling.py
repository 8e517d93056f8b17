"""Repeated failed sign-ins are answered 429, per account and per client address."""

import pytest

from tests.conftest import PASSWORD


def _token(client, email: str, password: str, ip: str = "203.0.113.7"):
    return client.post(
        "/auth/token",
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(
    client, author, settings
):
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 3
    statuses = [
        _token(client, author.email, "wrong", ip=f"203.0.113.{n}").status_code for n in range(3)
    ]

    locked = _token(client, author.email, PASSWORD, ip="198.51.100.1")

    assert statuses == [401, 401, 401]
    assert locked.status_code == 429
    assert locked.json()["__type"] == "TooManyRequestsException"
    # Fixed windows (lib.counters): the wait is the rest of the current window.
    assert 0 < int(locked["Retry-After"]) <= settings.AUTH_THROTTLE_WINDOW_SECONDS


@pytest.mark.django_db
def test_other_accounts_are_not_locked_by_someone_elses_failures(client, author, reader, settings):
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 2
    for n in range(2):
        _token(client, author.email, "wrong", ip=f"203.0.113.{n}")

    assert _token(client, reader.email, PASSWORD, ip="203.0.113.9").status_code == 200


@pytest.mark.django_db
def test_address_is_locked_after_failures_across_many_accounts(client, author, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 4
    for n in range(4):
        assert _token(client, f"guess{n}@example.com", "wrong").status_code == 401

    assert _token(client, author.email, PASSWORD).status_code == 429
    assert _token(client, author.email, PASSWORD, ip="198.51.100.1").status_code == 200


@pytest.mark.django_db
def test_success_clears_the_accounts_failures(client, author, settings):
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 3
    _token(client, author.email, "wrong")
    _token(client, author.email, "wrong")
    _token(client, author.email, PASSWORD)
    _token(client, author.email, "wrong")

    assert _token(client, author.email, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_sign_in_page_answers_429_when_locked(client, author, settings):
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 2
    for _ in range(2):
        client.post("/sign-in/", {"email": author.email, "password": "wrong"})

    answer = client.post("/sign-in/", {"email": author.email, "password": PASSWORD})

    assert answer.status_code == 429
    assert "Too many failed attempts" in answer.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failed_refreshes_lock_the_address(client, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 2
    statuses = [
        client.post(
            "/auth/token/refresh", {"refreshToken": "forged"}, content_type="application/json"
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [401, 401, 429]


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_address_is_throttled_not_the_proxy(client, author, settings):
    settings.AUTH_THROTTLE_IP_FAILURES = 2
    settings.AUTH_PROXY_COUNT = 1

    def attempt(forwarded_for: str, password: str):
        return client.post(
            "/auth/token",
            {"email": author.email, "password": password},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    attempt("spoofed, 203.0.113.5", "wrong")
    attempt("other-spoof, 203.0.113.5", "wrong")

    assert attempt("203.0.113.5", PASSWORD).status_code == 429
    assert attempt("203.0.113.6", PASSWORD).status_code == 200
