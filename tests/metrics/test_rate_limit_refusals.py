"""Calls refused for their rate are counted by the limit that refused them."""

import pytest

pytestmark = pytest.mark.django_db

REFUSALS = "inkwell_rate_limit_refusals_total"


def test_an_anonymous_call_over_its_rate_is_counted(client, settings, scrape):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "2/minute"}
    before = scrape()

    statuses = [client.get("/api/trpc/post.list").status_code for _ in range(4)]

    assert statuses == [200, 200, 429, 429]
    after = scrape()
    assert (
        after.value(REFUSALS, limit="api_anonymous")
        == before.value(REFUSALS, limit="api_anonymous") + 2
    )
    assert after.value(REFUSALS, limit="api_user") == before.value(REFUSALS, limit="api_user")


def test_a_sign_in_past_its_attempt_budget_is_counted(client, settings, scrape, author):
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 1
    before = scrape()

    answers = [
        client.post(
            "/auth/token",
            {"email": author.email, "password": "wrong"},
            content_type="application/json",
        ).status_code
        for _ in range(3)
    ]

    assert answers == [401, 429, 429]
    assert (
        scrape().value(REFUSALS, limit="auth_attempts")
        == before.value(REFUSALS, limit="auth_attempts") + 2
    )
