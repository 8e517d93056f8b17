"""COGNITO_ENDPOINT_URL points the whole path (boto3 calls and JWKS) at an emulator process."""

import io

import boto3
import pytest
from django.core.management import CommandError, call_command
from moto.server import ThreadedMotoServer

from accounts.models import User
from tests.accounts.conftest import REGION
from tests.live_server import free_port

PASSWORD = "Sturdy-Passw0rd!"


@pytest.fixture(scope="module")
def moto_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def emulated_pool(settings, moto_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    admin = boto3.client("cognito-idp", region_name=REGION, endpoint_url=moto_endpoint)
    pool_id = admin.create_user_pool(PoolName="emulated", UsernameAttributes=["email"])["UserPool"][
        "Id"
    ]
    client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="inkwell")[
        "UserPoolClient"
    ]["ClientId"]
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = REGION
    settings.COGNITO_USER_POOL = pool_id
    settings.COGNITO_APP_CLIENT_ID = client_id
    settings.COGNITO_APP_CLIENT_SECRET = ""
    settings.COGNITO_ENDPOINT_URL = moto_endpoint
    admin.sign_up(ClientId=client_id, Username="ada@example.com", Password=PASSWORD)
    admin.admin_confirm_sign_up(UserPoolId=pool_id, Username="ada@example.com")
    return admin


@pytest.mark.django_db
def test_token_from_the_emulator_authenticates_through_its_jwks(client, emulated_pool):
    result = client.post(
        "/auth/token",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
    ).json()["AuthenticationResult"]

    me = client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {result['AccessToken']}")

    assert me.status_code == 200
    assert User.objects.get().email == "ada@example.com"


@pytest.mark.django_db
def test_cognito_check_lists_the_emulators_keys(emulated_pool):
    out = io.StringIO()

    call_command("cognito_check", stdout=out)

    assert "Reachable: 1 key(s)" in out.getvalue()
    assert "kid=dummy alg=RS256" in out.getvalue()


def test_cognito_check_fails_clearly_when_the_pool_is_unreachable(unreachable_pool):
    with pytest.raises(CommandError, match="Unreachable"):
        call_command("cognito_check", stdout=io.StringIO())


def test_cognito_check_refuses_to_run_for_the_local_provider():
    with pytest.raises(CommandError, match="AUTH_PROVIDER is local"):
        call_command("cognito_check", stdout=io.StringIO())
