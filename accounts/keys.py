"""The local provider's RS256 signing key and the public JWKS it publishes."""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwt.algorithms import RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    def public_jwk(self) -> dict[str, str]:
        """The public half only (kty, n, e): never d, p, q or the CRT values."""
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {
            "kty": "RSA",
            "n": jwk["n"],
            "e": jwk["e"],
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
        }


def signing_key() -> SigningKey:
    """The configured key: JWT_PRIVATE_KEY if set, else the file at JWT_PRIVATE_KEY_PATH."""
    return _load(settings.JWT_PRIVATE_KEY, str(settings.JWT_PRIVATE_KEY_PATH))


def public_jwks() -> dict[str, list[dict[str, str]]]:
    return {"keys": [signing_key().public_jwk()]}


@lru_cache(maxsize=4)
def _load(pem: str, path: str) -> SigningKey:
    pem_bytes = pem.encode() if pem else _read_or_generate(Path(path))
    try:
        private_key = serialization.load_pem_private_key(pem_bytes, password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"The JWT private key is not an unencrypted PEM: {error}"
        ) from None
    if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size < 2048:
        raise ImproperlyConfigured("The JWT private key must be an RSA key of 2048 bits or more.")
    return SigningKey(private_key=private_key, kid=_thumbprint(private_key.public_key()))


def _read_or_generate(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written aside then hard-linked into place: linking fails if another process won the
    # race, and nobody ever reads a half-written key.
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    try:
        os.link(draft, path)
    except FileExistsError:
        pem = path.read_bytes()
    finally:
        draft.unlink()
    return pem


def _thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 thumbprint, so the kid changes exactly when the key does."""
    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
