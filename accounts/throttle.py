"""Failed sign-in counting per account and per client address, kept in CACHES (Redis in production).

Checked before the password, so a locked-out guesser learns nothing more and costs no hashing.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from accounts.errors import TooManyAttempts


def check(*, ip: str, account: str | None = None) -> None:
    """TooManyAttempts when the account or the address is over its failure budget."""
    budgets = {_key("ip", ip): settings.AUTH_THROTTLE_IP_FAILURES}
    if account is not None:
        budgets[_key("account", account)] = settings.AUTH_THROTTLE_ACCOUNT_FAILURES
    counts = cache.get_many(list(budgets))
    if any(counts.get(key, 0) >= budget for key, budget in budgets.items()):
        raise TooManyAttempts(retry_after=settings.AUTH_THROTTLE_WINDOW_SECONDS)


def record_failure(*, ip: str, account: str | None = None) -> None:
    keys = [_key("ip", ip)] + ([_key("account", account)] if account is not None else [])
    for key in keys:
        # add + incr are atomic in Redis, so concurrent failures are all counted.
        cache.add(key, 0, timeout=settings.AUTH_THROTTLE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            # Expired between add and incr: start a new window.
            cache.set(key, 1, timeout=settings.AUTH_THROTTLE_WINDOW_SECONDS)


def clear_account(*, account: str) -> None:
    cache.delete(_key("account", account))


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"accounts.throttle.{scope}.{digest}"
