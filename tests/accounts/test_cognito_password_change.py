"""Changing the password with the Cognito provider, on moto: ChangePassword in the pool, every
refresh token revoked, other browsers signed out, this one signed in with new tokens."""

import pytest
from botocore.exceptions import ClientError
from django.test import Client

from accounts.models import User
from accounts.session_tokens import kept
from accounts.tokens import user_for_token

PASSWORD = "Sturdy-Passw0rd!"
NEW_PASSWORD = "Newer-Sturdier-Passw0rd!"


def _browser(email: str) -> Client:
    browser = Client()
    assert browser.post("/sign-in/", {"email": email, "password": PASSWORD}).status_code == 302
    return browser


def _change(browser: Client, current: str = PASSWORD):
    return browser.post(
        "/profile/password/",
        {
            "current_password": current,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )


def _sign_in_with_pool(pool, password: str) -> dict:
    return pool.client.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": password},
    )


@pytest.mark.django_db
def test_password_change_goes_to_the_pool_and_revokes_every_other_credential(cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    this_browser, other_browser = _browser("ada@example.com"), _browser("ada@example.com")
    other_refresh_token = kept(other_browser.session)["refresh"]

    answer = _change(this_browser)

    assert answer.status_code == 302
    assert "AuthenticationResult" in _sign_in_with_pool(cognito_pool, NEW_PASSWORD)
    with pytest.raises(ClientError, match="NotAuthorized"):
        _sign_in_with_pool(cognito_pool, PASSWORD)
    with pytest.raises(ClientError, match="NotAuthorized"):
        cognito_pool.client.initiate_auth(
            ClientId=cognito_pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": other_refresh_token},
        )
    assert other_browser.get("/profile/")["Location"].startswith("/sign-in/")
    assert this_browser.get("/profile/").status_code == 200
    page_token = this_browser.get("/auth/session-token").json()["token"]
    assert user_for_token(page_token).email == "ada@example.com"


@pytest.mark.django_db
def test_wrong_current_password_is_refused_by_the_pool_and_nothing_changes(cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    browser = _browser("ada@example.com")
    other_browser = _browser("ada@example.com")

    answer = _change(browser, current="Not-The-Passw0rd!")

    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "current_password": ["Your current password is wrong."]
    }
    assert "AuthenticationResult" in _sign_in_with_pool(cognito_pool, PASSWORD)
    assert User.objects.get(email="ada@example.com").credentials_changed_at is None
    assert other_browser.get("/profile/").status_code == 200
