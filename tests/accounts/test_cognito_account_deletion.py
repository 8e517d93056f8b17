"""Deleting one's account with the Cognito provider, on moto: the pool forgets the user
(AdminDeleteUser), the row and its sub's tokens are gone; a wrong confirmation leaves both."""

import pytest
from botocore.exceptions import ClientError
from django.test import Client

from accounts.models import DeletedIdentity, User
from accounts.tokens import TokenRejected, user_for_token

PASSWORD = "Sturdy-Passw0rd!"


def _signed_in(pool) -> Client:
    pool.confirmed_user("ada@example.com", PASSWORD)
    browser = Client()
    browser.post("/sign-in/", {"email": "ada@example.com", "password": PASSWORD})
    return browser


@pytest.mark.django_db
def test_deletion_removes_the_user_from_the_pool_and_here(cognito_pool):
    browser = _signed_in(cognito_pool)
    token = browser.get("/auth/session-token").json()["token"]
    sub = User.objects.get(email="ada@example.com").cognito_sub
    cognito_pool.client.admin_get_user(UserPoolId=cognito_pool.pool_id, Username=sub)

    answer = browser.post("/profile/delete/", {"confirmation": "ada@example.com"})

    assert answer.status_code == 302
    with pytest.raises(ClientError, match="UserNotFound"):
        cognito_pool.client.admin_get_user(UserPoolId=cognito_pool.pool_id, Username=sub)
    assert not User.objects.exists()
    assert DeletedIdentity.objects.filter(sub=sub).exists()
    with pytest.raises(TokenRejected):
        user_for_token(token)


@pytest.mark.django_db
def test_wrong_confirmation_leaves_the_pool_user_and_the_account(cognito_pool):
    browser = _signed_in(cognito_pool)

    answer = browser.post("/profile/delete/", {"confirmation": "ada@example.org"})

    assert answer.status_code == 200
    assert User.objects.filter(email="ada@example.com").exists()
    cognito_pool.client.admin_get_user(UserPoolId=cognito_pool.pool_id, Username="ada@example.com")


@pytest.mark.django_db
def test_an_unreachable_pool_is_a_clear_error_and_deletes_nothing(client, author, unreachable_pool):
    client.force_login(author)

    answer = client.post("/profile/delete/", {"confirmation": author.email})

    assert answer.status_code == 503
    assert "unavailable" in answer.content.decode()
    assert User.objects.filter(pk=author.pk).exists()
