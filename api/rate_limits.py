"""Call rates, decided here for every transport (HTTP, the AppSync session channel).

The rule: each procedure call counts once, whatever carries it — a batch of three is three
calls. A signed-in caller's calls count against one budget per user, ``API_THROTTLE_USER``,
shared by all their connections and requests; an anonymous caller's against one budget per
client address (``lib.client_address``), ``API_THROTTLE_ANONYMOUS``. Only HTTP has anonymous
callers (the socket signs every operation in), so a call with neither user nor address is not
counted. Rates are ``"<n>/<second|minute|hour|day>"`` over fixed windows; ``None`` switches a
budget off. Counts live in ``lib.counters``: shared by every process through the cache, kept
per process while the cache is away, so a Redis outage never fails a call. A call over its
rate raises ``TooManyRequests`` with the seconds until its window ends.
"""

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from lib import counters, metrics
from lib.errors import TooManyRequests

if TYPE_CHECKING:  # the user model's app registers procedures in api: no import at run time
    from accounts.models import User

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


@dataclass(frozen=True)
class Budget:
    """A caller's budget (``scope``: user or anonymous): at most ``limit`` calls per window of
    ``window_seconds``, counted at ``counter`` (a ``lib.counters`` key)."""

    scope: str
    counter: str
    limit: int
    window_seconds: int

    def refusal(self, window_ends_in: int) -> TooManyRequests:
        return TooManyRequests(
            f"Too many calls; try again in {window_ends_in} s.", retry_after=window_ends_in
        )


def budget_of(*, user: "User | AnonymousUser", client_address: str | None) -> Budget | None:
    """The budget the caller's calls count against; None when they are not counted."""
    if user.is_authenticated:
        scope, caller = "user", str(user.pk)
    elif client_address is not None:
        scope, caller = "anonymous", client_address
    else:
        return None
    rate: str | None = settings.API_THROTTLE_RATES.get(scope)
    if rate is None:
        return None
    if scope == "anonymous":
        # Hashed: an IPv6 address (or a proxy's odd value) is no cache-key character set.
        caller = hashlib.sha256(caller.encode()).hexdigest()
    limit, window_seconds = parse_rate(rate)
    return Budget(scope, f"api.calls.{scope}.{caller}", limit, window_seconds)


def count_call(*, user: "User | AnonymousUser", client_address: str | None) -> None:
    """Count one procedure call of its caller; TooManyRequests when it is over the rate."""
    budget = budget_of(user=user, client_address=client_address)
    if budget is None:
        return
    count = counters.add(budget.counter, window_seconds=budget.window_seconds)
    if count.value > budget.limit:
        metrics.RATE_LIMIT_REFUSALS.labels(f"api_{budget.scope}").inc()
        raise budget.refusal(count.window_ends_in)


def parse_rate(rate: str) -> tuple[int, int]:
    """(calls, window seconds) of ``"300/minute"``; the period may be abbreviated (``"300/m"``)."""
    number, _, period = rate.partition("/")
    seconds = _PERIOD_SECONDS.get(period.strip()[:1].lower())
    if not number.strip().isdigit() or seconds is None:
        raise ImproperlyConfigured(f"A call rate is <n>/<second|minute|hour|day>, not {rate!r}.")
    return int(number), seconds
