"""The public read keys: which are usable now, the one pages hand out, and their rotation.

A key is usable while it is active and not expired. The current key, the one pages carry, is
the newest usable key with more than ``REALTIME_PUBLIC_KEY_GRACE_SECONDS`` left; when there is
none (a fresh site, or the last key near its end) one is made on first use, so a site never
runs out. A rotation makes a new current key and gives every other usable key at most the
grace period, so a page opened just before keeps its live updates until long after it was read.

The usable keys are few; they are kept in the cache for ``_CACHED_SECONDS`` (a rotation or an
admin change forgets them at once), so neither pages nor the socket ask the database for them
on every use. Lookups compare the offered value with each key in constant time.
"""

import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from lib.process_cache import process_cache
from realtime.models import PublicReadKey

# AWS's API keys look like ``da2-`` and 26 lower-case letters and digits: clients that check
# the shape accept these too. 26 characters of 36 are 134 bits.
KEY_PREFIX = "da2-"
_KEY_ALPHABET = string.ascii_lowercase + string.digits
_KEY_LENGTH = 26

_CACHE_KEY = "realtime.public_read_keys"
# How long a process may go on using the list of usable keys it read: the longest a key
# switched off in the admin by a path that does not forget the list could still be used.
_CACHED_SECONDS = 30


@dataclass(frozen=True)
class UsableKey:
    """What the socket and the pages need of a key."""

    id: int
    value: str
    expires_at: datetime


def new_key_value() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(_KEY_LENGTH))


def usable_keys() -> list[UsableKey]:
    """The active keys not yet expired, newest first (from the cache when it has them)."""
    cache = process_cache()
    keys: list[UsableKey] | None = cache.get(_CACHE_KEY)
    if keys is None:
        rows = PublicReadKey.objects.filter(is_active=True, expires_at__gt=timezone.now())
        keys = [UsableKey(row.id, row.value, row.expires_at) for row in rows]  # newest first
        cache.set(_CACHE_KEY, keys, _CACHED_SECONDS)
    now = timezone.now()
    return [key for key in keys if key.expires_at > now]


def key_for(value: str) -> UsableKey | None:
    """The usable key whose value is ``value``; None for an unknown, expired or inactive one."""
    offered = value.encode()
    found = None
    for key in usable_keys():
        # Every key is compared, so the time taken says nothing about which one matched.
        if hmac.compare_digest(key.value.encode(), offered):
            found = key
    return found


def current_key() -> UsableKey:
    """The key pages carry now: the newest with more than the grace period left, made now if
    there is none."""
    keep_until = timezone.now() + timedelta(seconds=settings.REALTIME_PUBLIC_KEY_GRACE_SECONDS)
    for key in usable_keys():
        if key.expires_at > keep_until:
            return key
    made = create_public_read_key(description="Made on first use.")
    return UsableKey(made.id, made.value, made.expires_at)


def create_public_read_key(*, by: User | None = None, description: str = "") -> PublicReadKey:
    """A new key, usable for ``REALTIME_PUBLIC_KEY_LIFETIME_SECONDS``; the others stay as they
    are (see ``rotate_public_read_keys`` to retire them)."""
    lifetime = timedelta(seconds=settings.REALTIME_PUBLIC_KEY_LIFETIME_SECONDS)
    key = PublicReadKey.objects.create(
        value=new_key_value(),
        description=description,
        expires_at=timezone.now() + lifetime,
        created_by=by,
    )
    forget_usable_keys()
    return key


def rotate_public_read_keys(*, by: User | None, description: str = "") -> PublicReadKey:
    """A new current key; every other usable key ends within the grace period (an earlier end
    stays), so pages opened with them keep live updates that long."""
    ends_at = timezone.now() + timedelta(seconds=settings.REALTIME_PUBLIC_KEY_GRACE_SECONDS)
    with transaction.atomic():
        PublicReadKey.objects.filter(is_active=True, expires_at__gt=ends_at).update(
            expires_at=ends_at
        )
        key = create_public_read_key(by=by, description=description)
        transaction.on_commit(forget_usable_keys)
    return key


def set_key_active(*, key: PublicReadKey, is_active: bool, description: str) -> None:
    """Switch ``key`` on or off (off: refused from the next operation on, in every process
    within seconds) and keep its description."""
    key.is_active = is_active
    key.description = description
    key.save(update_fields=["is_active", "description"])
    transaction.on_commit(forget_usable_keys)


def forget_usable_keys() -> None:
    """Drop the cached list: the next use reads the keys from the database."""
    process_cache().delete(_CACHE_KEY)
