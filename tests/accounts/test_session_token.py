"""A signed-in page gets a short-lived token for its WebSocket from its session, and only then."""

import jwt
import pytest

from accounts.tokens import user_for_token


@pytest.mark.django_db
def test_signed_in_page_gets_a_short_lived_token_for_itself(client, author, settings):
    client.force_login(author)

    answer = client.get("/auth/session-token", HTTP_SEC_FETCH_SITE="same-origin")

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["expiresIn"] == settings.JWT_SESSION_TOKEN_TTL_SECONDS
    assert user_for_token(body["token"]) == author
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == settings.JWT_SESSION_TOKEN_TTL_SECONDS


@pytest.mark.django_db
def test_visitor_gets_401(client):
    answer = client.get("/auth/session-token")

    assert answer.status_code == 401
    assert answer.json()["__type"] == "NotAuthorizedException"


@pytest.mark.django_db
def test_cross_site_request_is_refused(client, author):
    client.force_login(author)

    answer = client.get("/auth/session-token", HTTP_SEC_FETCH_SITE="cross-site")

    assert answer.status_code == 403
    assert "token" not in answer.json()


@pytest.mark.django_db
def test_a_bearer_token_cannot_mint_session_tokens(client, author):
    from accounts.providers import local

    bearer = local.issue_token(user=author, kind="access")

    answer = client.get("/auth/session-token", HTTP_AUTHORIZATION=f"Bearer {bearer}")

    assert answer.status_code == 401


@pytest.mark.django_db
def test_session_token_kind_follows_the_accepted_kinds(client, author, settings):
    settings.JWT_ACCEPTED_TOKEN_USE = ["id"]
    client.force_login(author)

    token = client.get("/auth/session-token").json()["token"]

    assert jwt.decode(token, options={"verify_signature": False})["token_use"] == "id"
