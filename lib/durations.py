"""Parsing of human durations given to management commands (``90s``, ``30m``, ``24h``, ``7d``)."""

import re
from datetime import timedelta

_DURATION = re.compile(r"^(\d+)([smhd])$")
# A century: any age a clean-up or a token needs, and far from datetime's limits.
MAX_DURATION = timedelta(days=36500)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """``24h`` → 24 hours. Raises ValueError with a message fit for the command line."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(
            f"{text!r} is not a duration: give a positive whole number and a unit, "
            "e.g. 90s, 30m, 24h or 7d."
        )
    try:
        duration = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:
        duration = MAX_DURATION + MAX_DURATION
    if duration > MAX_DURATION:
        raise ValueError(f"{text!r} is too long: at most {MAX_DURATION.days} days.")
    return duration
