"""Idempotent mutations: a mutation sent with a key runs at most once per signed-in user and key
within ``IDEMPOTENCY_WINDOW_SECONDS``, and every retry gets the first answer back, its error
included.

The key is claimed in the transaction that runs the mutation (one statement: insert the key,
or take over one whose window has passed), and its answer is written there before the commit.
The write and its answer commit together or not at all, so there is no "running" state for
anyone else to see and nothing to clean up after a crash: a process that dies mid-run takes its
claim down with its writes, and the next retry runs. A retry arriving during the run waits on
PostgreSQL's unique index for the first transaction to end, then reads its answer; after
``CONCURRENT_RUN_WAIT_MILLISECONDS`` it gets CONFLICT with Retry-After instead. SQLite's
IMMEDIATE transactions run keyed calls one after the other, with the same outcome.

Keys are the user's own (unique per user and key): two users' keys never meet. A key is 1 to
255 printable ASCII characters, without a space at either end (HTTP drops those from a
header, so a key reads the same over HTTP and over the socket); HTTP may also send it as a
Structured Field string, quoted, as the IETF's Idempotency-Key draft writes it. The same key
sent with another procedure or input is a CONFLICT, and nothing runs.

Every answer is kept, errors included (a refused input, a post not found), except those that
say "not now" (TOO_MANY_REQUESTS, SERVICE_UNAVAILABLE): nothing ran, and the retry they ask for
must be able to run. Calls refused before their procedure is known to be callable (rate,
unknown procedure, sign-in, unreadable JSON) never reach here: they are not recorded. Callers
who are not signed in have no one to scope a key to (an address is shared behind a NAT) and
are refused one.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from psycopg.errors import LockNotAvailable

from api import superjson, trpc
from api.models import IdempotencyKey
from lib.errors import Conflict, InvalidInput

if TYPE_CHECKING:  # the user model's app registers procedures in api: no import at run time
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

MAX_KEY_LENGTH = 255
_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
# RFC 8941's sf-string: printable ASCII in double quotes, where only \" and \\ are escapes.
_STRUCTURED_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_ESCAPE = re.compile(r"\\([\"\\])")
# A mutation runs in milliseconds (a long post's rendering in about two seconds); a retry that
# waits longer is waiting on a run that is stuck, and would hold a pooled connection meanwhile.
CONCURRENT_RUN_WAIT_MILLISECONDS = 10_000
_STILL_RUNNING_RETRY_AFTER_SECONDS = 1
_NOT_KEPT = frozenset({"TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE"})

# The claim: a new key, or one whose window has passed, taken over. Nothing comes back when
# the key is held in its window; the conflicting row is locked all the same, so its answer
# stays there for the read that follows. A row inserted by a transaction still open is waited
# for, and claimed here if that transaction rolls back.
_CLAIM = """
    INSERT INTO api_idempotencykey (user_id, key, path, fingerprint, outcome, created_at)
    VALUES (%(user)s, %(key)s, %(path)s, %(fingerprint)s, '', %(now)s)
    ON CONFLICT (user_id, key) DO UPDATE
        SET path = excluded.path, fingerprint = excluded.fingerprint, outcome = '',
            created_at = excluded.created_at
        WHERE api_idempotencykey.created_at <= %(expired_at)s
    RETURNING id
"""


def key_from_header(value: str) -> str:
    """The key an ``Idempotency-Key`` header value names: the value itself (Stripe's form), or
    a quoted Structured Field string's contents (the IETF draft's form)."""
    quoted = _STRUCTURED_STRING.fullmatch(value)
    return _ESCAPE.sub(r"\1", quoted.group(1)) if quoted else value


def check_key(key: str) -> None:
    """Raise InvalidInput unless ``key`` is 1 to 255 printable ASCII characters without a
    space at either end."""
    if len(key) > MAX_KEY_LENGTH:
        message = f"An idempotency key is at most {MAX_KEY_LENGTH} characters, not {len(key)}."
    elif not _KEY.fullmatch(key):
        message = (
            "An idempotency key is 1 to 255 printable ASCII characters, with no space at "
            "either end (a UUID is a good one)."
        )
    else:
        return
    raise InvalidInput({"idempotencyKey": [message]}, message)


def call_once(
    *,
    user: "User | AnonymousUser",
    key: str,
    path: str,
    raw_input: Any,
    run: Callable[[], trpc.Outcome],
) -> trpc.Outcome:
    """The answer of the mutation at ``path`` called by ``user`` with ``key`` and ``raw_input``:
    ``run``'s (it runs in this transaction), or the answer kept from the key's first call,
    marked ``replayed``. Raises InvalidInput for a key that is not one or a caller not signed
    in, and Conflict when the key was used for another call or its first run outlasts the wait.
    """
    check_key(key)
    if not user.is_authenticated:
        raise InvalidInput({}, "Sign in to send an idempotency key: keys are kept per user.")
    fingerprint = _fingerprint(path, raw_input)
    with transaction.atomic():
        claimed = _claim(user=user, key=key, path=path, fingerprint=fingerprint)
        if claimed is None:
            return _replay(user=user, key=key, path=path, fingerprint=fingerprint)
        outcome = run()
        if isinstance(outcome, trpc.TrpcError) and outcome.code in _NOT_KEPT:
            transaction.set_rollback(True)  # the key goes with the claim: the retry runs
            return outcome
        IdempotencyKey.objects.filter(pk=claimed).update(outcome=_kept(outcome))
    return outcome


def prune_idempotency_keys(*, older_than: timedelta) -> int:
    """Delete the keys claimed more than ``older_than`` ago; how many went. One DELETE: safe to
    run from cron at any time, concurrently too. Keys younger than the window are still
    promised to their retries: prune sooner only to free space in an emergency."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def _fingerprint(path: str, raw_input: Any) -> str:
    """SHA-256 of the procedure and its input (keys sorted: the order of an object's fields is
    no difference). Dates and ``undefined`` are written as their reprs."""
    try:
        canonical = json.dumps(
            [path, raw_input],
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=repr,
        )
    except RecursionError:
        message = "The input is nested too deeply to be called with an idempotency key."
        raise InvalidInput({}, message) from None
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _claim(*, user: "User", key: str, path: str, fingerprint: str) -> int | None:
    """The id of the row claiming ``key`` for this transaction, or None when the key is held."""
    now = timezone.now()
    window = timedelta(seconds=settings.IDEMPOTENCY_WINDOW_SECONDS)
    user_field = IdempotencyKey._meta.get_field("user")
    parameters = {
        "user": user_field.get_db_prep_value(user.pk, connection),
        "key": key,
        "path": path,
        "fingerprint": fingerprint,
        "now": connection.ops.adapt_datetimefield_value(now),
        "expired_at": connection.ops.adapt_datetimefield_value(now - window),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            row = _claim_waiting(cursor, parameters)
        else:
            cursor.execute(_CLAIM, parameters)
            row = cursor.fetchone()
    return None if row is None else int(row[0])


def _claim_waiting(cursor: CursorWrapper, parameters: dict[str, Any]) -> tuple[Any, ...] | None:
    """``_CLAIM`` on PostgreSQL, waiting at most ``CONCURRENT_RUN_WAIT_MILLISECONDS`` for a run
    of the same key to end (only the claim: the mutation's own statements wait as ever); raises
    Conflict when it is still running by then."""
    cursor.execute(f"SET LOCAL lock_timeout = {CONCURRENT_RUN_WAIT_MILLISECONDS}")
    try:
        cursor.execute(_CLAIM, parameters)
    except OperationalError as error:
        if not isinstance(error.__cause__, LockNotAvailable):
            raise
        is_still_running = True
    else:
        is_still_running = False
    if is_still_running:  # raised outside the handler, whose error would read as an outage
        raise Conflict(
            "A call with this idempotency key is still running: retry in a moment to get its "
            "answer.",
            retry_after=_STILL_RUNNING_RETRY_AFTER_SECONDS,
        )
    row: tuple[Any, ...] | None = cursor.fetchone()
    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    return row


def _replay(*, user: "User", key: str, path: str, fingerprint: str) -> trpc.Outcome:
    """The answer kept for ``key``, if it was first sent with the same call."""
    kept = IdempotencyKey.objects.only("path", "fingerprint", "outcome").get(user=user, key=key)
    if kept.fingerprint != fingerprint:
        first = f"to {kept.path}" if kept.path != path else "with another input"
        raise Conflict(
            f"This idempotency key was first sent {first}: send a new key for a new call."
        )
    answer = json.loads(kept.outcome)
    if "data" in answer:
        return trpc.Success(superjson.deserialize(answer["data"]), path, replayed=True)
    error = answer["error"]
    return trpc.TrpcError(
        error["code"], error["message"], path, error["data"], error["retryAfter"], replayed=True
    )


def _kept(outcome: trpc.Outcome) -> str:
    """An answer as kept: its data as SuperJSON (dates stay dates for either transformer of a
    retry), or its error without the path (a retry's own is the same)."""
    if isinstance(outcome, trpc.Success):
        kept: dict[str, Any] = {"data": superjson.serialize(outcome.data)}
    else:
        kept = {
            "error": {
                "code": outcome.code,
                "message": outcome.message,
                "data": outcome.data,
                "retryAfter": outcome.retry_after,
            }
        }
    return trpc.dumps(kept).decode()
