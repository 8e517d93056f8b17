"""Call rates per caller, shared by HTTP and the WebSocket: one budget per signed-in user
(``API_THROTTLE_USER``), one per client address for anonymous HTTP (``API_THROTTLE_ANONYMOUS``).
The counters live in the cache (Redis in production), so every process counts together."""

from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

if TYPE_CHECKING:  # the user model's app registers procedures in api: no import at run time
    from accounts.models import User


class _SettingsRate:
    """Rates read from ``settings.API_THROTTLE_RATES`` at each request (tests change them)."""

    scope: str

    def get_rate(self) -> str | None:
        rate: str | None = settings.API_THROTTLE_RATES.get(self.scope)
        return rate


class AnonymousCallerThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anonymous"


class SignedInCallerThrottle(_SettingsRate, UserRateThrottle):
    scope = "user"


def seconds_until_allowed(user: "User") -> float | None:
    """None when ``user`` may make one more call now (and counts it), else how long to wait."""
    throttle = SignedInCallerThrottle()
    # DRF's throttle reads only the caller from the request: the user, never the address.
    caller = SimpleNamespace(user=user, META={})
    if throttle.allow_request(caller, None):  # type: ignore[arg-type]  # duck-typed request
        return None
    return throttle.wait() or 1.0
