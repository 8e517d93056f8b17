"""Concurrent guesses at one account cannot outrun its failure budget: the failure is counted
before the password is checked, so no race lets extra guesses through."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.chaos.site import PASSWORD, WRITER
from tests.chaos.test_sign_in_bursts import sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACCOUNT_FAILURE_BUDGET = 5  # AUTH_THROTTLE_ACCOUNT_FAILURES' default


def test_60_concurrent_guesses_at_one_account_are_held_to_its_failure_budget(chaos_site):
    with chaos_site.serving() as server, ThreadPoolExecutor(60) as pool:
        statuses = list(
            pool.map(lambda n: sign_in(server.url, WRITER, f"wrong guess {n}"), range(60))
        )
        after = sign_in(server.url, WRITER, PASSWORD)

    assert 500 not in statuses
    assert set(statuses) <= {401, 429, 503}, statuses
    checked = statuses.count(401)  # guesses whose password was actually checked
    assert checked <= ACCOUNT_FAILURE_BUDGET
    # Guesses turned away (429, or 503 past the hashing bound) spent nothing: the right
    # password waits for the window only when the checked guesses used the whole budget.
    assert after == (429 if checked == ACCOUNT_FAILURE_BUDGET else 200)
