"""Password hashes run a bounded few at a time: a burst of sign-ins beyond the bound is
answered 503 with Retry-After at once, never 500, and hashing holds no database connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from accounts import password_hashing
from tests.accounts.hashers import SLOW_HASHER, SlowHasher

BURST = 6


@pytest.fixture
def slow_hashing(settings):
    settings.PASSWORD_HASHERS = [SLOW_HASHER]
    settings.AUTH_MAX_CONCURRENT_HASHES = 1
    settings.AUTH_HASH_WAIT_MILLISECONDS = 50
    settings.AUTH_THROTTLE_IP_FAILURES = 1000
    SlowHasher.reset()


def _burst(post) -> list:
    start = threading.Barrier(BURST)

    def one(n: int):
        start.wait()
        try:
            return post(Client(), n)
        finally:
            connection.close()

    with ThreadPoolExecutor(BURST) as pool:
        return list(pool.map(one, range(BURST)))


@pytest.mark.django_db(transaction=True)
def test_burst_of_token_requests_beyond_the_bound_gets_503_with_retry_after(slow_hashing):
    answers = _burst(
        lambda client, n: client.post(
            "/auth/token",
            {"email": f"made-up-{n}@example.com", "password": "guess"},
            content_type="application/json",
        )
    )

    statuses = sorted(answer.status_code for answer in answers)
    refused = [answer for answer in answers if answer.status_code == 503]
    assert set(statuses) <= {401, 503}
    assert 401 in statuses
    assert refused
    assert all(answer["Retry-After"] == "1" for answer in refused)
    assert all(answer.json()["__type"] == "ServiceUnavailable" for answer in refused)
    assert SlowHasher.most_running == 1


@pytest.mark.django_db(transaction=True)
def test_burst_of_sign_ups_beyond_the_bound_gets_503_pages(slow_hashing):
    password = "a sturdy new passphrase"
    answers = _burst(
        lambda client, n: client.post(
            "/sign-up/",
            {
                "email": f"new-{n}@example.com",
                "name": "",
                "password": password,
                "password_again": password,
            },
        )
    )

    statuses = {answer.status_code for answer in answers}
    assert statuses <= {302, 503}
    assert 503 in statuses
    assert all(answer["Retry-After"] == "1" for answer in answers if answer.status_code == 503)
    assert SlowHasher.most_running == 1


@pytest.mark.django_db
def test_unknown_email_hashes_a_dummy_password_like_a_wrong_one(client, settings):
    settings.PASSWORD_HASHERS = [SLOW_HASHER]
    SlowHasher.reset()

    answer = client.post(
        "/auth/token",
        {"email": "nobody@example.com", "password": "guess"},
        content_type="application/json",
    )

    assert answer.status_code == 401
    assert SlowHasher.most_running == 1


@pytest.mark.django_db
def test_a_hash_beyond_the_bound_is_refused_without_running(settings):
    settings.AUTH_MAX_CONCURRENT_HASHES = 1
    settings.AUTH_HASH_WAIT_MILLISECONDS = 0
    settings.PASSWORD_HASHERS = [SLOW_HASHER]
    SlowHasher.reset()
    started = threading.Event()

    def hold_the_slot() -> None:
        started.set()
        password_hashing.make("first")

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    started.wait()
    while SlowHasher.running == 0:
        pass

    with pytest.raises(password_hashing.HashingBusy) as refused:
        password_hashing.make("second")
    holder.join()

    assert refused.value.retry_after == 1
    assert SlowHasher.most_running == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_database_connection_is_held_while_hashing(client, author, settings):
    settings.PASSWORD_HASHERS = [SLOW_HASHER]
    author.set_password("a sturdy new passphrase")
    author.save()
    SlowHasher.reset()

    answer = client.post(
        "/auth/token",
        {"email": author.email, "password": "a sturdy new passphrase"},
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert SlowHasher.most_running == 1
    assert not SlowHasher.held_a_connection
