"""Identity fixtures: a shared local signing key, a fake Cognito-style issuer, a moto pool."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from moto import mock_aws

from tests.live_server import free_port

REGION = "eu-west-1"
FAKE_POOL = "eu-west-1_fakepool"
FAKE_CLIENT = "fake-app-client"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def local_key_pem() -> str:
    return (
        _new_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.fixture(autouse=True)
def _identity_defaults(settings, local_key_pem):
    # One key for the whole suite (generating RSA keys is slow); counters start empty.
    settings.AUTH_PROVIDER = "local"
    settings.JWT_PRIVATE_KEY = local_key_pem
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


@dataclass
class FakeIssuer:
    """A Cognito-like issuer on 127.0.0.1: serves a JWKS (counting fetches) and signs tokens."""

    port: int
    key: rsa.RSAPrivateKey
    kid: str = "key-1"
    published: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0
    is_down: bool = False

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{FAKE_POOL}"

    def claims(self, kind: str = "access", **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": "sub-ada",
            "iss": self.issuer,
            "token_use": kind,
            "iat": now,
            "auth_time": now,
            "exp": now + 600,
        }
        if kind == "id":
            claims.update(aud=FAKE_CLIENT, email="ada@example.com", email_verified=True)
        else:
            claims.update(client_id=FAKE_CLIENT)
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(
        self,
        kind: str = "access",
        *,
        key: rsa.RSAPrivateKey | None = None,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        return jwt.encode(
            self.claims(kind, **claims),
            key or self.key,
            algorithm="RS256",
            headers={"kid": self.kid} if headers is None else headers,
        )


@pytest.fixture(scope="session")
def _issuer_key() -> rsa.RSAPrivateKey:
    return _new_key()


@pytest.fixture(scope="session")
def _issuer_server(_issuer_key) -> Iterator[FakeIssuer]:
    issuer = FakeIssuer(port=0, key=_issuer_key)
    jwks_path = f"/{FAKE_POOL}/.well-known/jwks.json"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != jwks_path:
                self.send_error(404)
                return
            issuer.fetches += 1
            if issuer.is_down:
                self.send_error(502)
                return
            body = json.dumps({"keys": issuer.published}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield issuer
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def fake_issuer(settings, _issuer_server) -> FakeIssuer:
    """AUTH_PROVIDER=cognito, with the pool's endpoint pointed at a local fake issuer."""
    issuer = _issuer_server
    issuer.kid = "key-1"
    issuer.published = [public_jwk(issuer.key, issuer.kid)]
    issuer.fetches = 0
    issuer.is_down = False
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = REGION
    settings.COGNITO_USER_POOL = FAKE_POOL
    settings.COGNITO_APP_CLIENT_ID = FAKE_CLIENT
    settings.COGNITO_ENDPOINT_URL = f"http://127.0.0.1:{issuer.port}"
    return issuer


@pytest.fixture
def unreachable_pool(settings):
    """Cognito as the provider, at a port nobody listens on; one attempt per call."""
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = REGION
    settings.COGNITO_USER_POOL = "eu-west-1_gone"
    settings.COGNITO_APP_CLIENT_ID = "app"
    settings.COGNITO_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    settings.COGNITO_MAX_ATTEMPTS = 1


@dataclass(frozen=True)
class CognitoPool:
    client: Any
    pool_id: str
    client_id: str

    def confirmed_user(self, email: str, password: str) -> str:
        """Sign up and confirm ``email``; answers the user's sub."""
        answer = self.client.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        self.client.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=email)
        return answer["UserSub"]


@pytest.fixture
def cognito_pool(settings) -> Iterator[CognitoPool]:
    """A moto user pool (email as username) with an app client allowing USER_PASSWORD_AUTH."""
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool_id = client.create_user_pool(
            PoolName=f"inkwell-{uuid.uuid4().hex[:8]}",
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
        )["UserPool"]["Id"]
        client_id = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="inkwell",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        settings.AUTH_PROVIDER = "cognito"
        settings.COGNITO_AWS_REGION = REGION
        settings.COGNITO_USER_POOL = pool_id
        settings.COGNITO_APP_CLIENT_ID = client_id
        settings.COGNITO_APP_CLIENT_SECRET = ""
        settings.COGNITO_ENDPOINT_URL = ""
        yield CognitoPool(client=client, pool_id=pool_id, client_id=client_id)
