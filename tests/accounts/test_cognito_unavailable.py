"""An unreachable Cognito endpoint is a clear 503 on pages and endpoints, never a 500."""

import pytest

from tests.accounts.conftest import REGION, free_port


@pytest.fixture
def unreachable_pool(settings):
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = REGION
    settings.COGNITO_USER_POOL = "eu-west-1_gone"
    settings.COGNITO_APP_CLIENT_ID = "app"
    settings.COGNITO_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    settings.COGNITO_MAX_ATTEMPTS = 1


@pytest.mark.django_db
def test_token_endpoint_answers_503(client, unreachable_pool):
    answer = client.post(
        "/auth/token",
        {"email": "ada@example.com", "password": "whatever"},
        content_type="application/json",
    )

    assert answer.status_code == 503
    assert answer.json()["__type"] == "ServiceUnavailable"


@pytest.mark.django_db
def test_sign_in_page_answers_503_with_a_message(client, unreachable_pool):
    answer = client.post("/sign-in/", {"email": "ada@example.com", "password": "whatever"})

    assert answer.status_code == 503
    assert "Sign-in is unavailable right now" in answer.content.decode()


@pytest.mark.django_db
def test_sign_up_page_answers_503_with_a_message(client, unreachable_pool):
    password = "Sturdy-Passw0rd!"
    answer = client.post(
        "/sign-up/",
        {"email": "ada@example.com", "name": "", "password": password, "password_again": password},
    )

    assert answer.status_code == 503
    assert "Sign-in is unavailable right now" in answer.content.decode()
