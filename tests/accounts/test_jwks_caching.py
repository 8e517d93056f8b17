"""The issuer's JWKS is fetched once for many requests; key rotation is picked up, rate-limited."""

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.tokens import TokenRejected, user_for_token
from tests.accounts.conftest import public_jwk


@pytest.mark.django_db
def test_many_requests_fetch_the_jwks_once(client, fake_issuer):
    token = fake_issuer.token("id")

    statuses = {
        client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(25)
    }

    assert statuses == {200}
    assert fake_issuer.fetches == 1


@pytest.mark.django_db
def test_a_rotated_key_is_fetched_once_and_then_accepted(fake_issuer, settings):
    settings.JWKS_REFETCH_INTERVAL_SECONDS = 0
    user_for_token(fake_issuer.token("id"))
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    fake_issuer.published = [public_jwk(fake_issuer.key, "key-1"), public_jwk(new_key, "key-2")]
    fake_issuer.kid = "key-2"

    users = {user_for_token(fake_issuer.token("id", key=new_key)) for _ in range(5)}

    assert len(users) == 1
    assert fake_issuer.fetches == 2


@pytest.mark.django_db
def test_forged_kids_cause_no_refetch_within_the_interval(fake_issuer):
    user_for_token(fake_issuer.token("id"))

    for attempt in range(10):
        with pytest.raises(TokenRejected) as refused:
            user_for_token(fake_issuer.token(headers={"kid": f"forged-{attempt}"}))
        assert not refused.value.retryable

    assert fake_issuer.fetches == 1


@pytest.mark.django_db
def test_forged_kids_after_the_interval_cause_one_refetch_between_them(fake_issuer, settings):
    settings.JWKS_REFETCH_INTERVAL_SECONDS = 0
    user_for_token(fake_issuer.token("id"))
    settings.JWKS_REFETCH_INTERVAL_SECONDS = 3600

    for attempt in range(10):
        with pytest.raises(TokenRejected):
            user_for_token(fake_issuer.token(headers={"kid": f"forged-{attempt}"}))

    assert fake_issuer.fetches == 2


@pytest.mark.django_db
def test_requests_right_after_a_failed_fetch_are_refused_without_fetching(fake_issuer):
    fake_issuer.is_down = True
    for _ in range(5):
        with pytest.raises(TokenRejected) as refused:
            user_for_token(fake_issuer.token("id"))
        assert refused.value.retryable

    assert fake_issuer.fetches == 1


@pytest.mark.django_db
def test_a_failed_fetch_is_retried_after_the_backoff(fake_issuer, settings):
    settings.JWKS_FAILURE_BACKOFF_SECONDS = 0
    fake_issuer.is_down = True
    with pytest.raises(TokenRejected):
        user_for_token(fake_issuer.token("id"))
    fake_issuer.is_down = False

    assert user_for_token(fake_issuer.token("id")).email == "ada@example.com"
    assert fake_issuer.fetches == 2
