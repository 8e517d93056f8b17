"""The local provider's tokens round-trip through the one validator; its JWKS is public-only."""

import stat

import jwt
import pytest
from django.conf import settings as django_settings

from accounts import keys
from accounts.models import User
from accounts.providers import local
from accounts.tokens import TokenRejected, claims_for_token, user_for_token
from tests.conftest import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["id", "access"])
def test_local_token_names_its_user(author, kind):
    token = local.issue_token(user=author, kind=kind)

    assert user_for_token(token) == author
    claims = claims_for_token(token)
    assert claims["token_use"] == kind
    assert claims["iss"] == django_settings.LOCAL_JWT_ISSUER
    assert claims["sub"] == User.objects.get(pk=author.pk).cognito_sub == str(author.pk)


@pytest.mark.django_db
def test_local_tokens_carry_cognito_shaped_claims(author):
    id_claims = jwt.decode(
        local.issue_token(user=author, kind="id"), options={"verify_signature": False}
    )
    access_claims = jwt.decode(
        local.issue_token(user=author, kind="access"), options={"verify_signature": False}
    )

    assert id_claims["aud"] == django_settings.LOCAL_APP_CLIENT_ID
    assert id_claims["email"] == "author@example.com"
    assert {"email_verified", "cognito:username", "auth_time", "iat", "exp"} <= set(id_claims)
    assert access_claims["client_id"] == django_settings.LOCAL_APP_CLIENT_ID
    assert "aud" not in access_claims


@pytest.mark.django_db
def test_api_client_gets_tokens_for_credentials_and_uses_them(client, author):
    answer = client.post(
        "/auth/token",
        {"email": "Author@Example.com", "password": PASSWORD},
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    result = answer.json()["AuthenticationResult"]
    assert set(result) == {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}
    for token in (result["IdToken"], result["AccessToken"]):
        me = client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert me.json()["email"] == "author@example.com"


@pytest.mark.django_db
def test_wrong_password_answers_401_in_cognitos_error_shape(client, author):
    answer = client.post(
        "/auth/token", {"email": author.email, "password": "nope"}, content_type="application/json"
    )

    assert answer.status_code == 401
    assert answer.json() == {
        "__type": "NotAuthorizedException",
        "message": "Wrong email or password.",
    }


@pytest.mark.django_db
def test_token_request_that_is_not_json_is_refused(client, author):
    answer = client.post("/auth/token", {"email": author.email, "password": PASSWORD})

    assert answer.status_code == 415
    assert answer.json()["__type"] == "InvalidParameterException"


@pytest.mark.django_db
def test_token_request_without_password_names_the_field(client):
    answer = client.post("/auth/token", {"email": "a@example.com"}, content_type="application/json")

    assert answer.status_code == 400
    assert "password" in answer.json()["fieldErrors"]


@pytest.mark.django_db
def test_refresh_gives_new_tokens_without_a_new_refresh_token(client, author):
    refresh_token = local.sign_in(email=author.email, password=PASSWORD)["RefreshToken"]

    answer = client.post(
        "/auth/token/refresh", {"refreshToken": refresh_token}, content_type="application/json"
    )

    assert answer.status_code == 200
    result = answer.json()["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert user_for_token(result["AccessToken"]) == author


@pytest.mark.django_db
def test_password_change_revokes_refresh_tokens(client, author):
    refresh_token = local.sign_in(email=author.email, password=PASSWORD)["RefreshToken"]
    author.refresh_from_db()
    author.set_password("another long passphrase")
    author.save()

    answer = client.post(
        "/auth/token/refresh", {"refreshToken": refresh_token}, content_type="application/json"
    )

    assert answer.status_code == 401
    assert "revoked" in answer.json()["message"]


@pytest.mark.django_db
def test_forged_refresh_token_is_refused(client):
    answer = client.post(
        "/auth/token/refresh",
        {"refreshToken": "eyJzdWIiOiJ4In0:forged"},
        content_type="application/json",
    )

    assert answer.status_code == 401


@pytest.mark.django_db
def test_token_of_a_disabled_account_is_refused(author):
    token = local.issue_token(user=author, kind="access")
    author.is_active = False
    author.save()

    with pytest.raises(TokenRejected, match="disabled"):
        user_for_token(token)


@pytest.mark.django_db
def test_jwks_endpoint_serves_only_the_public_key(client, author):
    answer = client.get("/.well-known/jwks.json")

    assert answer.status_code == 200
    (key,) = answer.json()["keys"]
    assert set(key) == {"kty", "n", "e", "alg", "use", "kid"}
    token = local.issue_token(user=author, kind="id")
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience=django_settings.LOCAL_APP_CLIENT_ID,
    )


@pytest.mark.django_db
def test_jwks_endpoint_is_absent_when_cognito_signs_tokens(client, settings):
    settings.AUTH_PROVIDER = "cognito"

    assert client.get("/.well-known/jwks.json").status_code == 404


def test_key_pair_is_generated_once_outside_the_repository_and_kept_private(settings, tmp_path):
    settings.JWT_PRIVATE_KEY = ""
    settings.JWT_PRIVATE_KEY_PATH = tmp_path / "state" / "jwt.pem"

    first = keys.signing_key()
    second = keys.signing_key()

    assert first.kid == second.kid
    assert stat.S_IMODE(settings.JWT_PRIVATE_KEY_PATH.stat().st_mode) == 0o600
    assert list(settings.JWT_PRIVATE_KEY_PATH.parent.iterdir()) == [settings.JWT_PRIVATE_KEY_PATH]


def test_key_from_the_environment_that_is_not_a_pem_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.JWT_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"

    with pytest.raises(ImproperlyConfigured, match="not an unencrypted PEM"):
        keys.signing_key()
