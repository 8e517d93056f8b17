"""Deterministic session ids: the same user in the same browser always gets the same id.

Pure: no Django. ``session_id = uuid-formatted HMAC-SHA256(key, user_sub + client_uuid)``,
where the key is derived from the site's secret with a purpose of its own, so the id reveals
neither the secret nor anything another HMAC of the site could be checked against.
"""

import hashlib
import hmac
import uuid

_PURPOSE = b"inkwell.sessions_app.session-id"


def session_key(secret_key: str) -> bytes:
    """The HMAC key of session ids, derived from the site's secret for this purpose only."""
    return hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()


def derive_session_id(*, key: bytes, user_sub: str, client_uuid: uuid.UUID) -> str:
    """The session id of ``user_sub`` in the browser ``client_uuid``: a version-4 UUID string."""
    # The separator keeps ("ab", c) and ("a", "bc…") apart whatever a sub looks like.
    message = f"{user_sub}\x00{client_uuid}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
