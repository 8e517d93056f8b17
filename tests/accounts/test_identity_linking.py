"""A token's sub maps to one user: created on first sight, linked by email only when verified."""

import pytest

from accounts.models import User
from accounts.tokens import TokenRejected, user_for_token


@pytest.mark.django_db
def test_first_sight_creates_a_user_without_a_usable_password(fake_issuer):
    user = user_for_token(fake_issuer.token("id", sub="sub-new", email="New@Example.com"))

    assert (user.email, user.cognito_sub) == ("new@example.com", "sub-new")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_later_tokens_find_the_same_user_in_one_query(fake_issuer, django_assert_num_queries):
    first = user_for_token(fake_issuer.token("id"))
    token = fake_issuer.token("access")

    with django_assert_num_queries(1):  # the user by cognito_sub
        assert user_for_token(token) == first


@pytest.mark.django_db
def test_verified_email_links_the_existing_account(fake_issuer, author):
    user = user_for_token(fake_issuer.token("id", email="author@example.com", email_verified=True))

    assert user == author
    assert User.objects.get(pk=author.pk).cognito_sub == "sub-ada"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_unverified_email_does_not_take_over_the_existing_account(fake_issuer, author):
    token = fake_issuer.token("id", email="author@example.com", email_verified=False)

    with pytest.raises(TokenRejected, match="verify the address") as refused:
        user_for_token(token)

    assert not refused.value.retryable
    assert User.objects.get(pk=author.pk).cognito_sub is None


@pytest.mark.django_db
def test_token_of_a_disabled_account_is_refused(fake_issuer):
    user = user_for_token(fake_issuer.token("id"))
    User.objects.filter(pk=user.pk).update(is_active=False)

    with pytest.raises(TokenRejected, match="disabled"):
        user_for_token(fake_issuer.token("access"))
