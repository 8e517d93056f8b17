"""Spam checks on new comments: the built-in ones (links, repeats, rate, account age) and the
pluggable list in settings.SPAM_CHECKERS, each answering ok, suspicious (held for review) or
spam (refused). No check calls the network; counts live in ``lib.counters``, so each costs a
few cache round trips whatever the size of the site.

A site adds a check, e.g. an external service, by appending the dotted path of a function (or
of a class whose instances are called) taking a ``Submission`` and answering a ``Verdict``.
"""

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from lib import counters

logger = logging.getLogger(__name__)

# A link as a reader (or a spammer) writes one: a scheme, or a bare www. address.
_LINK = re.compile(r"\bhttps?://|(?<![/\w.])www\.", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


class Outcome(StrEnum):
    OK = "ok"
    SUSPICIOUS = "suspicious"  # stored held, for a moderator to release or reject
    SPAM = "spam"  # refused: nothing stored


@dataclass(frozen=True)
class Verdict:
    """A check's answer, with a reason a moderator (held) or the writer (refused) reads, and
    for a refusal by rate, the seconds after which writing again may succeed."""

    outcome: Outcome
    reason: str = ""
    retry_after: int | None = None

    @classmethod
    def ok(cls) -> "Verdict":
        return cls(Outcome.OK)

    @classmethod
    def suspicious(cls, reason: str) -> "Verdict":
        return cls(Outcome.SUSPICIOUS, reason)

    @classmethod
    def spam(cls, reason: str, *, retry_after: int | None = None) -> "Verdict":
        return cls(Outcome.SPAM, reason, retry_after)


@dataclass(frozen=True)
class Submission:
    """What is being written, by whom and from where (``client_address`` is None when the
    transport does not know it)."""

    author: User
    content: str
    client_address: str | None = None


Checker = Callable[[Submission], Verdict]


def check_links(submission: Submission) -> Verdict:
    """More than settings.SPAM_LINKS_HELD links wait for review; more than
    settings.SPAM_LINKS_REFUSED are refused."""
    links = len(_LINK.findall(submission.content))
    if links > settings.SPAM_LINKS_REFUSED:
        return Verdict.spam(
            f"This has too many links ({links}); at most {settings.SPAM_LINKS_REFUSED} are allowed."
        )
    if links > settings.SPAM_LINKS_HELD:
        return Verdict.suspicious(f"{links} links")
    return Verdict.ok()


def content_digest(content: str) -> str:
    """The words compared by the repeat check: case and spacing do not make them new."""
    normalised = _WHITESPACE.sub(" ", content).strip().casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def check_repeats(submission: Submission) -> Verdict:
    """The same words again within settings.SPAM_REPEAT_WINDOW_SECONDS: from the same account
    they wait for review, and past settings.SPAM_REPEATS_REFUSED times are refused; posted
    settings.SPAM_REPEAT_ACCOUNTS_HELD times site-wide, by anyone, they wait for review. Short
    replies ("Thanks!") are never compared. Counted by a hash of the words, not by a scan."""
    if len(submission.content.strip()) < settings.SPAM_REPEAT_MIN_LENGTH:
        return Verdict.ok()
    digest = content_digest(submission.content)
    window = settings.SPAM_REPEAT_WINDOW_SECONDS
    by_author = counters.add(
        f"spam.repeat.{submission.author.id}.{digest}", window_seconds=window
    ).value
    site_wide = counters.add(f"spam.repeat.{digest}", window_seconds=window).value
    if by_author > settings.SPAM_REPEATS_REFUSED:
        return Verdict.spam("You have already posted these same words several times.")
    if by_author > 1:
        return Verdict.suspicious(f"The same words again from this account ({by_author} times)")
    if site_wide >= settings.SPAM_REPEAT_ACCOUNTS_HELD:
        return Verdict.suspicious(f"The same words posted {site_wide} times on the site")
    return Verdict.ok()


def check_rate(submission: Submission) -> Verdict:
    """At most settings.SPAM_COMMENTS_PER_ACCOUNT per account and
    settings.SPAM_COMMENTS_PER_ADDRESS per client address in each
    settings.SPAM_RATE_WINDOW_SECONDS; more are refused until the window ends."""
    window = settings.SPAM_RATE_WINDOW_SECONDS
    by_author = counters.add(f"spam.rate.account.{submission.author.id}", window_seconds=window)
    if by_author.value > settings.SPAM_COMMENTS_PER_ACCOUNT:
        return Verdict.spam(
            "You are commenting faster than we allow. Wait a moment and try again.",
            retry_after=by_author.window_ends_in,
        )
    if submission.client_address:
        by_address = counters.add(
            f"spam.rate.address.{submission.client_address}", window_seconds=window
        )
        if by_address.value > settings.SPAM_COMMENTS_PER_ADDRESS:
            return Verdict.spam(
                "Too many comments come from your network. Wait a moment and try again.",
                retry_after=by_address.window_ends_in,
            )
    return Verdict.ok()


def check_account_age(submission: Submission) -> Verdict:
    """An account younger than settings.SPAM_NEW_ACCOUNT_SECONDS waits for review."""
    minimum = settings.SPAM_NEW_ACCOUNT_SECONDS
    age = timezone.now() - submission.author.created_at
    if minimum and age < timedelta(seconds=minimum):
        return Verdict.suspicious(f"An account created {int(age.total_seconds()) // 60} min ago")
    return Verdict.ok()


@cache
def _checkers(paths: tuple[str, ...]) -> list[tuple[str, Checker]]:
    loaded: list[tuple[str, Checker]] = []
    for path in paths:
        found = import_string(path)
        loaded.append((path, found() if isinstance(found, type) else found))
    return loaded


def judge(submission: Submission) -> Verdict:
    """Every check of settings.SPAM_CHECKERS in order: the first "spam" refuses; otherwise the
    "suspicious" ones' reasons, joined; otherwise ok. Staff are not checked. A check that
    raises is logged and counts as ok (fail open: a broken service must not stop comments)."""
    if submission.author.is_staff:
        return Verdict.ok()
    reasons: list[str] = []
    for path, checker in _checkers(tuple(settings.SPAM_CHECKERS)):
        try:
            verdict = checker(submission)
        except Exception:
            logger.exception("The spam check %s failed; the comment counts as ok for it.", path)
            continue
        if verdict.outcome is Outcome.SPAM:
            return verdict
        if verdict.outcome is Outcome.SUSPICIOUS:
            reasons.append(verdict.reason)
    return Verdict.suspicious("; ".join(reasons)) if reasons else Verdict.ok()


@register()
def check_spam_checkers(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[Error]:
    """Every path of settings.SPAM_CHECKERS imports and is callable (inkwell.E030): a broken
    one would otherwise fail every comment at its first check."""
    errors = []
    for path in settings.SPAM_CHECKERS:
        try:
            found = import_string(path)
        except ImportError as error:
            problem = f"cannot be imported ({error})"
        else:
            if callable(found):
                continue
            problem = "is neither a function nor a class"
        errors.append(
            Error(
                f"SPAM_CHECKERS names {path!r}, which {problem}.",
                hint="List dotted paths of functions, or classes whose instances are called, "
                "taking a blog.spam.Submission and answering a blog.spam.Verdict.",
                id="inkwell.E030",
            )
        )
    return errors
