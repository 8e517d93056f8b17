"""The whole Cognito path on moto: sign up, confirm, sign in, tokens, refresh, sign out."""

import pytest

from accounts.models import User
from accounts.tokens import user_for_token

PASSWORD = "Sturdy-Passw0rd!"


@pytest.mark.django_db
def test_browser_sign_up_confirm_and_sign_in_creates_and_signs_in_the_user(client, cognito_pool):
    signed_up = client.post(
        "/sign-up/",
        {
            "email": "new@example.com",
            "name": "Nia New",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert signed_up.status_code == 302
    assert signed_up["Location"] == "/sign-up/confirm/?email=new%40example.com"

    confirmed = client.post("/sign-up/confirm/", {"email": "new@example.com", "code": "123456"})
    assert confirmed.status_code == 302
    assert confirmed["Location"].startswith("/sign-in/")

    signed_in = client.post(
        "/sign-in/", {"email": "new@example.com", "password": PASSWORD, "next": "/profile/"}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/profile/"
    user = User.objects.get(email="new@example.com")
    assert user.cognito_sub
    assert not user.has_usable_password()
    assert client.get("/profile/").context["user"] == user


@pytest.mark.django_db
def test_signing_in_before_confirming_leads_to_the_confirmation_page(client, cognito_pool):
    cognito_pool.client.sign_up(
        ClientId=cognito_pool.client_id, Username="late@example.com", Password=PASSWORD
    )

    answer = client.post("/sign-in/", {"email": "late@example.com", "password": PASSWORD})

    assert answer.status_code == 302
    assert answer["Location"] == "/sign-up/confirm/?email=late%40example.com"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_wrong_password_is_a_form_error(client, cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)

    answer = client.post("/sign-in/", {"email": "ada@example.com", "password": "wrong"})

    assert answer.status_code == 200
    assert "Wrong email or password." in answer.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unknown_account_gets_the_same_answer_as_a_wrong_password(client, cognito_pool):
    answer = client.post("/sign-in/", {"email": "nobody@example.com", "password": "wrong"})

    assert "Wrong email or password." in answer.content.decode()


@pytest.mark.django_db
def test_weak_password_and_taken_email_are_form_errors(client, cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    form = {"name": "", "password_again": ""}

    weak = client.post(
        "/sign-up/",
        {**form, "email": "b@example.com", "password": "short", "password_again": "short"},
    )
    taken = client.post(
        "/sign-up/",
        {**form, "email": "ada@example.com", "password": PASSWORD, "password_again": PASSWORD},
    )

    assert weak.status_code == 200
    assert "does not meet the policy" in weak.content.decode()
    assert "An account with this email already exists." in taken.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["IdToken", "AccessToken"])
def test_api_token_from_the_pool_authenticates_api_calls(client, cognito_pool, kind):
    sub = cognito_pool.confirmed_user("ada@example.com", PASSWORD)

    answer = client.post(
        "/auth/token",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    token = answer.json()["AuthenticationResult"][kind]
    me = client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert me.status_code == 200
    assert me.json() == {
        "id": str(User.objects.get(cognito_sub=sub).id),
        "email": "ada@example.com",
        "name": "",
        "sub": sub,
    }


@pytest.mark.django_db
def test_first_sight_access_token_reads_the_email_from_the_pool(cognito_pool):
    sub = cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    result = cognito_pool.client.initiate_auth(
        ClientId=cognito_pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]

    user = user_for_token(result["AccessToken"])

    assert (user.email, user.cognito_sub) == ("ada@example.com", sub)


@pytest.mark.django_db
def test_refresh_through_the_pool_gives_tokens_for_the_same_user(client, cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    first = client.post(
        "/auth/token",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
    ).json()["AuthenticationResult"]

    answer = client.post(
        "/auth/token/refresh",
        {"refreshToken": first["RefreshToken"]},
        content_type="application/json",
    )

    assert answer.status_code == 200
    refreshed = answer.json()["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert user_for_token(refreshed["AccessToken"]) == user_for_token(first["IdToken"])


@pytest.mark.django_db
def test_session_token_and_sign_out_with_cognito(client, cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    client.post("/sign-in/", {"email": "ada@example.com", "password": PASSWORD})

    issued = client.get("/auth/session-token").json()
    signed_out = client.post("/sign-out/")

    assert user_for_token(issued["token"]).email == "ada@example.com"
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/auth/session-token").status_code == 401


@pytest.mark.django_db
def test_forgot_password_with_code_sets_a_new_password(client, cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    new_password = "Another-Passw0rd!"

    asked = client.post("/password/forgot/", {"email": "ada@example.com"})
    reset = client.post(
        "/password/reset/",
        {
            "email": "ada@example.com",
            "code": "123456",
            "password": new_password,
            "password_again": new_password,
        },
    )
    signed_in = client.post("/sign-in/", {"email": "ada@example.com", "password": new_password})

    assert asked["Location"] == "/password/reset/?email=ada%40example.com"
    assert reset.status_code == 302
    assert signed_in.status_code == 302


@pytest.mark.django_db
def test_wrong_reset_code_is_a_form_error(client, cognito_pool):
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    client.post("/password/forgot/", {"email": "ada@example.com"})

    answer = client.post(
        "/password/reset/",
        {
            "email": "ada@example.com",
            # moto checks codes only in its own format; this one is wrong.
            "code": "moto-confirmation-code:1",
            "password": "Another-Passw0rd!",
            "password_again": "Another-Passw0rd!",
        },
    )

    assert answer.status_code == 200
    assert "The code is wrong or has expired" in answer.content.decode()


@pytest.mark.django_db
def test_forgot_password_for_an_unknown_address_reveals_nothing(client, cognito_pool):
    answer = client.post("/password/forgot/", {"email": "nobody@example.com"})

    assert answer.status_code == 302
