"""Simultaneous guesses at one account are counted before any is checked: past the budget
they are refused (429), never all evaluated."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts import signin
from accounts.errors import TooManyAttempts
from lib.errors import Unauthorized
from tests.accounts.hashers import SLOW_HASHER, SlowHasher

GUESSES = 30


@pytest.mark.django_db(transaction=True)
def test_simultaneous_guesses_past_the_account_budget_are_refused_without_hashing(settings):
    settings.PASSWORD_HASHERS = [SLOW_HASHER]
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 5
    settings.AUTH_THROTTLE_IP_FAILURES = 1000
    settings.AUTH_MAX_CONCURRENT_HASHES = GUESSES
    settings.AUTH_HASH_WAIT_MILLISECONDS = 5000
    SlowHasher.reset()
    start = threading.Barrier(GUESSES)

    def guess(n: int) -> str:
        start.wait()
        try:
            signin.sign_in(email="victim@example.com", password=f"guess {n}", ip=f"10.0.0.{n}")
        except TooManyAttempts:
            return "throttled"
        except Unauthorized:
            return "wrong"
        finally:
            connection.close()
        return "signed in"

    with ThreadPoolExecutor(GUESSES) as pool:
        outcomes = list(pool.map(guess, range(GUESSES)))

    assert outcomes.count("wrong") == 5
    assert outcomes.count("throttled") == GUESSES - 5
    assert SlowHasher.most_running <= 5
