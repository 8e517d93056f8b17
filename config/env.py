"""Strict readers for environment variables: settings.py is their only caller.

A value that is present but malformed is an error at start-up, never a silent default.
"""

import os
from collections.abc import Sequence
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

ChoiceT = TypeVar("ChoiceT", bound=str)

# The spellings of a boolean that deployment tools write (Docker, systemd, Helm, shells).
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    """true/false, 1/0, yes/no or on/off (any case); anything else is a configuration error."""
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false, 1/0, yes/no or on/off, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """A whole number; anything else is a configuration error."""
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list, blanks dropped."""
    raw = env_str(name)
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: Sequence[ChoiceT], default: ChoiceT) -> ChoiceT:
    """One of ``choices`` (any case; typed as a Literal where the setting is declared); anything
    else is a configuration error."""
    raw = env_str(name)
    if not raw:
        return default
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")
