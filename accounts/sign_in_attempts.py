"""Attempt budgets per account and per client address: failed sign-ins and refreshes, sign-ups
and password-reset requests, counted atomically in lib.counters over fixed windows.

An attempt is reserved (counted as a failure) before the password is checked, so concurrent
guesses cannot all pass a check that none of them has yet counted; it is refunded when it
succeeds. Past the budget the attempt is refused at once, without hashing anything.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

from accounts.errors import TooManyAttempts
from lib import counters, metrics


@dataclass
class Reservation:
    """Attempts counted in advance on some keys; refund them when the attempt succeeds."""

    counts: dict[str, int] = field(default_factory=dict)  # key: count after reserving

    @contextmanager
    def kept_on(self, *failures: type[BaseException]) -> Iterator[None]:
        """Keep the reservation when the block raises one of ``failures`` (the attempt
        failed); refund it on any other exception (nothing was checked)."""
        try:
            yield
        except failures:
            raise
        except BaseException:
            self.refund()
            raise

    def refund(self) -> None:
        for key in self.counts:
            counters.add(key, window_seconds=settings.AUTH_THROTTLE_WINDOW_SECONDS, amount=-1)
        self.counts = {}

    def clear_account(self) -> None:
        """Refund everything, and forget the account's earlier failures too (a success)."""
        for key, count in self.counts.items():
            amount = -count if key.startswith(_ACCOUNT) else -1
            counters.add(key, window_seconds=settings.AUTH_THROTTLE_WINDOW_SECONDS, amount=amount)
        self.counts = {}


_ACCOUNT = "accounts.attempts.account."


def reserve_sign_in(*, ip: str, account: str | None = None) -> Reservation:
    """Count a failed sign-in (or refresh, without ``account``) in advance; TooManyAttempts
    when the account or the address is already over its budget."""
    budgets = {_key("ip", ip): settings.AUTH_THROTTLE_IP_FAILURES}
    if account is not None:
        budgets[_key("account", account)] = settings.AUTH_THROTTLE_ACCOUNT_FAILURES
    return _reserve(budgets)


def reserve_sign_up(*, ip: str) -> Reservation:
    """Count a sign-up from this address (refunded when it creates an account)."""
    return _reserve({_key("sign-up", ip): settings.AUTH_THROTTLE_IP_FAILURES})


def reserve_password_reset(*, ip: str) -> Reservation:
    """Count a password-reset request from this address (each one may send an email)."""
    return _reserve({_key("password-reset", ip): settings.AUTH_THROTTLE_IP_FAILURES})


def _reserve(budgets: dict[str, int]) -> Reservation:
    reservation = Reservation()
    retry_after = 0
    for key, budget in budgets.items():
        count = counters.add(key, window_seconds=settings.AUTH_THROTTLE_WINDOW_SECONDS)
        reservation.counts[key] = count.value
        if count.value > budget:
            retry_after = max(retry_after, count.window_ends_in)
    if retry_after:
        # A refused attempt is not a failure: it changed nothing and checked nothing.
        reservation.refund()
        metrics.RATE_LIMIT_REFUSALS.labels("auth_attempts").inc()
        raise TooManyAttempts(retry_after=retry_after)
    return reservation


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"accounts.attempts.{scope}.{digest}"
