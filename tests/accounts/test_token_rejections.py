"""Every bad Bearer token is refused with a clear message and the right status; no user is made."""

import base64
import hashlib
import hmac
import json
import socket
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import User
from tests.accounts.conftest import FAKE_CLIENT
from tests.live_server import free_port

ME = "/auth/me"
OTHER_POOL = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"


def _me(client, authorization: str):
    return client.get(ME, HTTP_AUTHORIZATION=authorization)


def _refused(response, status: int, message: str) -> None:
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert not User.objects.exists()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.django_db
def test_valid_access_token_is_accepted_and_creates_the_user_from_its_claims(client, fake_issuer):
    token = fake_issuer.token("id")

    response = _me(client, f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"
    assert User.objects.get().cognito_sub == "sub-ada"


@pytest.mark.django_db
def test_token_signed_by_another_key_is_refused(client, fake_issuer):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(_me(client, f"Bearer {fake_issuer.token(key=other_key)}"), 401, "signature")


# Signed by the pool's own key, wrong in one header or claim: what `fake_issuer.token` is
# given, and what the refusal says.
WRONG_IN_ONE_PLACE = [
    pytest.param({"headers": {"kid": "rotated-away"}}, "signing key is unknown", id="unknown-kid"),
    pytest.param({"headers": {}}, "names no signing key", id="no-kid-not-a-server-error"),
    pytest.param({"exp": int(time.time()) - 120}, "expired", id="expired"),
    pytest.param({"iss": OTHER_POOL}, "not issued by this site", id="another-pool"),
    pytest.param(
        {"kind": "id", "aud": "another-app"},
        "another application",
        id="id-token-for-another-app-client",
    ),
    pytest.param(
        {"kind": "access", "client_id": "another-app"},
        "another application",
        id="access-token-for-another-app-client",
    ),
    pytest.param(
        {"kind": "access", "client_id": None, "aud": FAKE_CLIENT},
        "another application",
        id="access-token-naming-the-app-only-in-aud",
    ),
    pytest.param(
        {"kind": "access", "token_use": "refresh"},
        "neither an ID token nor an access token",
        id="unknown-kind",
    ),
    pytest.param({"sub": None}, '"sub"', id="no-subject"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("token_args", "message"), WRONG_IN_ONE_PLACE)
def test_token_wrong_in_one_header_or_claim_is_refused(client, fake_issuer, token_args, message):
    _refused(_me(client, f"Bearer {fake_issuer.token(**token_args)}"), 401, message)


@pytest.mark.django_db
def test_token_expired_within_the_leeway_is_still_accepted(client, fake_issuer):
    token = fake_issuer.token("id", exp=int(time.time()) - 5)
    assert _me(client, f"Bearer {token}").status_code == 200


@pytest.mark.django_db
def test_id_token_is_refused_where_only_access_tokens_are_accepted(client, fake_issuer, settings):
    settings.JWT_ACCEPTED_TOKEN_USE = ["access"]
    _refused(_me(client, f"Bearer {fake_issuer.token('id')}"), 401, "Id tokens are not accepted")


@pytest.mark.django_db
def test_unsigned_alg_none_token_is_refused(client, fake_issuer):
    header = _b64(json.dumps({"alg": "none", "kid": fake_issuer.kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(fake_issuer.claims("id")).encode())
    _refused(_me(client, f"Bearer {header}.{payload}."), 401, "Only RS256")


@pytest.mark.django_db
def test_hs256_token_signed_with_the_public_key_is_refused(client, fake_issuer):
    public_pem = fake_issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": fake_issuer.kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(fake_issuer.claims("id")).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    _refused(_me(client, f"Bearer {header}.{payload}.{_b64(signature)}"), 401, "Only RS256")


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["not-a-jwt", "abc.def.ghi", "%%%.%%%.%%%", "a.b"])
def test_malformed_token_is_refused(client, fake_issuer, token):
    _refused(_me(client, f"Bearer {token}"), 401, "malformed")


@pytest.mark.django_db
def test_bearer_without_a_token_is_refused(client, fake_issuer):
    _refused(_me(client, "Bearer"), 401, "No credentials provided")


@pytest.mark.django_db
def test_bearer_with_two_tokens_is_refused(client, fake_issuer):
    token = fake_issuer.token()
    _refused(_me(client, f"Bearer {token} {token}"), 401, "should not contain spaces")


@pytest.mark.django_db
def test_refusal_names_the_bearer_scheme(client, fake_issuer):
    response = _me(client, "Bearer not-a-jwt")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_unreachable_jwks_answers_503(client, fake_issuer, settings):
    settings.COGNITO_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    _refused(_me(client, f"Bearer {fake_issuer.token()}"), 503, "unavailable")


@pytest.mark.django_db
def test_jwks_that_never_answers_times_out_with_503(client, fake_issuer, settings):
    # Accepts connections but never replies: the bounded timeout, not a hang, ends the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.COGNITO_ENDPOINT_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.JWKS_FETCH_TIMEOUT_SECONDS = 0.2
        _refused(_me(client, f"Bearer {fake_issuer.token()}"), 503, "unavailable")


def test_pyjwt_refuses_to_forge_hs256_with_a_public_key():
    # Guards the test above: the forgery must be hand-made because PyJWT itself refuses it.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({"sub": "x"}, pem, algorithm="HS256")
