"""What a public read key lets a socket do: subscribe to channels anyone may read, within the
key's connection cap and rates; never publish, never a session channel, never a draft's.

AppSync Events' ``apiKey`` authorization sends the key as ``x-api-key``, in the connection's
``header-`` subprotocol and in each operation's ``authorization``. An operation whose headers
carry a JWT is the token's, whatever key rides along; one with only a key is a public reader's.

Counts are shared by every process through Redis (``lib.counters`` for the rates,
``api.open_streams`` leases for the connections) and kept per process while Redis is away, so
an outage makes the limits per process, never an error.
"""

import asyncio
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings

from api import open_streams
from api.rate_limits import parse_rate
from lib import counters, metrics
from lib.errors import TooManyRequests, Unauthorized
from realtime.groups import ChannelPath
from realtime.namespaces import is_readable_by_anyone
from realtime.public_read_keys import key_for

API_KEY_HEADER = "x-api-key"

UNKNOWN_KEY_MESSAGE = "The API key is not valid: unknown, expired or revoked. Reload the page."
READ_ONLY_MESSAGE = "A public read key cannot publish: sign in to take part."
CHANNEL_MESSAGE = "A public read key subscribes to the public channels of published posts only."


@dataclass(frozen=True)
class PublicReader:
    """The identity of an operation made with a public read key: the key's row id."""

    key_id: int

    @property
    def connection_caller(self) -> str:
        """Where this key's open sockets are counted (``api.open_streams``)."""
        return f"public-key.{self.key_id}"


def api_key(headers: Mapping[str, str]) -> str | None:
    """The public read key in ``headers`` (lower-cased names), unless a JWT names the caller."""
    if headers.get("authorization", "").strip():
        return None
    value = headers.get(API_KEY_HEADER, "").strip()
    return value or None


@dataclass(frozen=True)
class Admission:
    """An operation let through: its reader, and the connection's new place in the key's cap
    (None when the connection holds one for this key already)."""

    reader: PublicReader
    lease: open_streams.Lease | None


def admit(
    value: str,
    *,
    client_address: str | None,
    held_key_ids: Collection[int],
    channel: ChannelPath | None = None,
) -> Admission:
    """Let one operation made with key ``value`` through: the key is usable, the key's and the
    client address's rates are not exceeded, the connection has (or takes) a place in the key's
    connection cap, and ``channel``, when one is subscribed to, is one anyone may read.

    Unauthorized for a key that is not usable (or keys switched off) and for any other channel;
    TooManyRequests over a rate or the cap. Nothing is held when it raises.
    """
    key = key_for(value) if settings.REALTIME_PUBLIC_READ_KEYS else None
    if key is None:
        raise Unauthorized(UNKNOWN_KEY_MESSAGE)
    reader = PublicReader(key.id)
    _count("key", str(key.id), settings.REALTIME_PUBLIC_KEY_RATE)
    if client_address:
        # Hashed: an IPv6 address (or a proxy's odd value) is no cache-key character set.
        address = hashlib.sha256(client_address.encode()).hexdigest()
        _count("address", address, settings.REALTIME_PUBLIC_KEY_ADDRESS_RATE)
    if channel is not None and not is_readable_by_anyone(channel):
        raise Unauthorized(CHANNEL_MESSAGE)
    lease = None if key.id in held_key_ids else _take_connection(reader)
    return Admission(reader, lease)


def _count(scope: str, caller: str, rate: str) -> None:
    limit, window_seconds = parse_rate(rate)
    count = counters.add(f"realtime.public_key.{scope}.{caller}", window_seconds=window_seconds)
    if count.value > limit:
        metrics.RATE_LIMIT_REFUSALS.labels(f"public_key_{scope}").inc()
        raise TooManyRequests(
            f"Too many operations with this public key; try again in {count.window_ends_in} s.",
            retry_after=count.window_ends_in,
        )


def _take_connection(reader: PublicReader) -> open_streams.Lease:
    """A place for one more socket using ``reader``'s key (see ``HeldPlaces``); TooManyRequests
    when the key's cap is reached."""
    lease = open_streams.take(
        caller=reader.connection_caller, limit=settings.REALTIME_PUBLIC_KEY_MAX_CONNECTIONS
    )
    if lease is None:
        metrics.RATE_LIMIT_REFUSALS.labels("public_key_connections").inc()
        raise TooManyRequests(
            "This public key has as many live connections as it may have; the page stays "
            "readable without live updates. Try again later."
        )
    return lease


class HeldPlaces:
    """One connection's places in its keys' connection caps: kept from its first operation with
    a key until it closes, renewed meanwhile (a process that dies leaves places that lapse by
    themselves within ``open_streams.LEASE_SECONDS``)."""

    def __init__(self) -> None:
        self._leases: dict[int, open_streams.Lease] = {}
        self._renewing: asyncio.Task[None] | None = None
        self._is_closed = False

    @property
    def key_ids(self) -> set[int]:
        return set(self._leases)

    async def keep(self, admission: Admission) -> None:
        """Hold the place ``admission`` took, if it took one."""
        if admission.lease is None:
            return
        self._leases[admission.reader.key_id] = admission.lease
        if self._is_closed:  # the connection closed while the place was being taken
            await self.release_all()
        elif self._renewing is None:
            self._renewing = asyncio.create_task(self._renew())

    async def release_all(self) -> None:
        """Give every place back: the connection has closed."""
        self._is_closed = True
        if self._renewing is not None:
            self._renewing.cancel()
        leases, self._leases = list(self._leases.values()), {}
        release = sync_to_async(open_streams.release, thread_sensitive=False)
        for lease in leases:
            await release(lease)

    async def _renew(self) -> None:
        renew = sync_to_async(open_streams.renew, thread_sensitive=False)
        while True:
            await asyncio.sleep(open_streams.RENEW_SECONDS)
            for lease in list(self._leases.values()):
                await renew(lease)
