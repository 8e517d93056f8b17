"""An issuer's public keys (JWKS), fetched over HTTP with a bounded timeout and shared via CACHES.

Keys are fetched once and kept JWKS_CACHE_SECONDS; an unknown ``kid`` (key rotation) may
trigger a refetch, but at most one per JWKS_REFETCH_INTERVAL_SECONDS for the whole site, so a
stream of forged kids cannot turn every request into a fetch. After a failed fetch, requests
are refused (503) for JWKS_FAILURE_BACKOFF_SECONDS without trying, so an issuer's outage does
not hold every worker for the whole timeout.
"""

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

Jwk = dict[str, Any]


class JwksUnavailable(Exception):
    """The JWKS could not be fetched or was not a JWKS."""


def published_keys(url: str, *, refresh: bool = False) -> dict[str, Jwk]:
    """The keys published at ``url`` by kid; ``refresh`` asks for a (rate-limited) refetch."""
    cache_key = _cache_key("keys", url)
    cached: dict[str, Jwk] | None = cache.get(cache_key)
    if cached is not None and not refresh:
        return cached
    # cache.add is atomic (Redis SET NX): only one caller per interval may refetch.
    may_fetch = cached is None or cache.add(
        _cache_key("refetch", url), True, timeout=settings.JWKS_REFETCH_INTERVAL_SECONDS
    )
    if not may_fetch:
        return cached or {}
    if cache.get(_cache_key("failed", url)):
        # A fetch just failed: answer at once instead of queueing every request on the timeout.
        raise JwksUnavailable(f"The signing keys at {url} could not be fetched just now.")
    try:
        fetched = fetch(url)
    except JwksUnavailable:
        cache.set(_cache_key("failed", url), True, timeout=settings.JWKS_FAILURE_BACKOFF_SECONDS)
        raise
    cache.set(cache_key, fetched, timeout=settings.JWKS_CACHE_SECONDS)
    cache.set(_cache_key("refetch", url), True, timeout=settings.JWKS_REFETCH_INTERVAL_SECONDS)
    return fetched


def fetch(url: str) -> dict[str, Jwk]:
    """One HTTP fetch of the JWKS at ``url``, bounded by JWKS_FETCH_TIMEOUT_SECONDS."""
    timeout = settings.JWKS_FETCH_TIMEOUT_SECONDS
    try:
        response = requests.get(url, timeout=(timeout, timeout), allow_redirects=False)
        response.raise_for_status()
        document = response.json()
        found = {key["kid"]: key for key in document["keys"] if key.get("kty") == "RSA"}
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        logger.warning("JWKS at %s could not be fetched: %s", url, error)
        raise JwksUnavailable(f"The signing keys at {url} could not be fetched.") from error
    logger.info("Fetched JWKS from %s: %d keys", url, len(found))
    return found


def _cache_key(kind: str, url: str) -> str:
    return f"accounts.jwks.{kind}.{hashlib.sha256(url.encode()).hexdigest()}"
