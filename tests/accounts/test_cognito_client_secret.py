"""An app client with a secret: every call carries SECRET_HASH, and refresh needs the username."""

import pytest

PASSWORD = "Sturdy-Passw0rd!"


@pytest.fixture
def secret_client(cognito_pool, settings):
    created = cognito_pool.client.create_user_pool_client(
        UserPoolId=cognito_pool.pool_id,
        ClientName="with-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    settings.COGNITO_APP_CLIENT_ID = created["ClientId"]
    settings.COGNITO_APP_CLIENT_SECRET = created["ClientSecret"]
    cognito_pool.confirmed_user("ada@example.com", PASSWORD)
    return created


def _refresh(client, body: dict):
    return client.post("/auth/token/refresh", body, content_type="application/json")


@pytest.mark.django_db
def test_refresh_with_the_username_succeeds_and_without_it_is_refused(client, secret_client):
    tokens = client.post(
        "/auth/token",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
    ).json()["AuthenticationResult"]

    without = _refresh(client, {"refreshToken": tokens["RefreshToken"]})
    with_username = _refresh(
        client, {"refreshToken": tokens["RefreshToken"], "username": "ada@example.com"}
    )

    assert without.status_code == 401
    assert with_username.status_code == 200
    me = client.get(
        "/auth/me",
        HTTP_AUTHORIZATION=f"Bearer {with_username.json()['AuthenticationResult']['IdToken']}",
    )
    assert me.json()["email"] == "ada@example.com"
