"""The event log: every broadcast event, written in the transaction of the change it announces.

``ChannelHead`` is one row per channel that has ever had an event: its epoch (a random token
chosen when the row is made, so a client holding a position from a wiped or restored database
is told it cannot recover) and its last offset. Taking the next offset updates that row, so
two transactions announcing on one channel take their offsets, and commit, one after the
other: offsets on a channel are contiguous and in commit order, and a subscriber that sees a
jump knows the events in between exist and reads them from the log.

``ChannelEvent`` is the event itself, kept for recovery within bounds set by
``REALTIME_EVENT_LOG_MAX_AGE_SECONDS`` and ``REALTIME_EVENT_LOG_MAX_PER_CHANNEL``
(``manage.py prune_events``). ``relayed`` says it reached the channel layer; the relay
(``realtime.relay``) publishes committed rows that are still unrelayed, for example those
committed while Redis was away.
"""

from django.db import models
from django.utils import timezone

# Five segments of at most 50 characters, their slashes and a ``*``.
CHANNEL_MAX_LENGTH = 300


class ChannelHead(models.Model):
    channel = models.CharField(max_length=CHANNEL_MAX_LENGTH, primary_key=True)
    epoch = models.CharField(max_length=16)
    last_offset = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.channel} @ {self.epoch}:{self.last_offset}"


class ChannelEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    channel = models.CharField(max_length=CHANNEL_MAX_LENGTH)
    epoch = models.CharField(max_length=16)
    offset = models.BigIntegerField()
    # The event's JSON object without its position (``realtime.event_log.with_position``).
    payload = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    relayed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # Recovery reads a channel's events by offset through this index.
            models.UniqueConstraint(fields=["channel", "offset"], name="channel_event_offset")
        ]
        indexes = [
            # The relay's sweep: the few rows the fast path has not published, oldest first.
            models.Index(
                fields=["id"], condition=models.Q(relayed=False), name="channel_event_unrelayed"
            ),
            models.Index(fields=["created_at"], name="channel_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} @ {self.epoch}:{self.offset}"


class PublicReadKey(models.Model):
    """An API key for AppSync Events' ``apiKey`` authorization: anyone holding it may subscribe
    to the broadcast channels of published content, and do nothing else
    (``realtime.public_read_keys``).

    The value is public by design (every page served to a signed-out reader carries the
    current one), so it is kept as it is; it is compared in constant time all the same.
    A rotation makes a new key and shortens the others' lives to a grace period, so pages
    already open keep their live updates; ``is_active`` off stops a key at once.
    """

    value = models.CharField(max_length=64, unique=True, editable=False)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick to stop this key at once, grace or not."
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "public read key"

    def __str__(self) -> str:
        return self.value
