"""The public read key of pages served to signed-out readers (``<meta name="inkwell-public-key">``
in base.html), with which their browser subscribes to live posts and comments."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from realtime.public_read_keys import current_key


def public_read_key(request: HttpRequest) -> dict[str, object]:
    """``public_read_key``: the current key's value, looked up only when a template shows it
    (signed-out pages), or empty when public read keys are off."""
    if not settings.REALTIME_PUBLIC_READ_KEYS:
        return {"public_read_key": ""}
    return {"public_read_key": SimpleLazyObject(lambda: current_key().value)}
