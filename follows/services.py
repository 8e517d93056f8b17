"""Writes of follows: asking to follow (double opt-in), confirming, leaving, and the
publications the blog records when a post first goes public (or takes back).

Asking answers the same whether or not the address already follows, so the form cannot be
used to learn who follows whom; the emailed link confirms the choice made in that request
(author and cadence), once, within settings.FOLLOW_CONFIRMATION_MAX_AGE_SECONDS.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from follows.models import Cadence, Follow, Publication
from lib import counters
from lib.errors import InvalidInput, TooManyRequests
from mail.services import enqueue_email

_SALT = "follows.confirmation"
_EMAIL_MAX_LENGTH = Follow._meta.get_field("email").max_length or 254
_BROKEN = "This confirmation link is not valid: copy the whole link from the email."
_EXPIRED = "This confirmation link has expired: ask to follow again."
_USED = "This confirmation link was already used: you follow with these settings."
_TOO_MANY = "We already sent several confirmation emails: check your inbox, or try again later."


def request_follow(*, email: str, author: User | None, cadence: str, ip: str) -> None:
    """Record that ``email`` asks to follow ``author`` (or the site, None) at ``cadence``, and
    mail it a confirmation link; nothing is sent to it before that link is followed. Within a
    budget per address and per client (TooManyRequests), as each request sends an email."""
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        if len(email) > _EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    if cadence not in Cadence.values:
        errors["cadence"] = ["Choose an email for each post, a daily or a weekly digest."]
    if errors:
        raise InvalidInput(errors)
    _count_request(f"follows.requests.address.{email}", settings.FOLLOW_REQUESTS_PER_ADDRESS)
    _count_request(f"follows.requests.ip.{ip}", settings.FOLLOW_REQUESTS_PER_IP)
    follow = _follow_row(email=email, author=author)
    enqueue_email(
        to=email,
        template="follows/email/confirm_follow",
        context={
            "followed": author.display_name if author else "Inkwell",
            "cadence": Cadence(cadence).label,
            "link": settings.MAIL_SITE_URL
            + reverse("follows:confirm", kwargs={"token": _token(follow, cadence)}),
            "days": settings.FOLLOW_CONFIRMATION_MAX_AGE_SECONDS // 86400,
        },
    )


def _count_request(key: str, budget: int) -> None:
    count = counters.add(key, window_seconds=3600)
    if count.value > budget:
        counters.add(key, window_seconds=3600, amount=-1)
        raise TooManyRequests(_TOO_MANY, retry_after=count.window_ends_in)


def _follow_row(*, email: str, author: User | None) -> Follow:
    """The address's follow of ``author``, created unconfirmed if it has none."""
    try:
        with transaction.atomic():
            follow, _ = Follow.objects.get_or_create(email=email, author=author)
    except IntegrityError:
        # A concurrent request created it first.
        follow = Follow.objects.get(email=email, author=author)
    return follow


def _state(follow: Follow, cadence: str) -> str:
    """Changes once the link is followed (or the follow left): links work once."""
    value = f"{follow.pk}|{follow.email}|{follow.confirmed_at}|{follow.cadence}|{cadence}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]


def _token(follow: Follow, cadence: str) -> str:
    payload = {"follow": str(follow.pk), "cadence": cadence, "state": _state(follow, cadence)}
    return signing.dumps(payload, salt=_SALT)


@dataclass(frozen=True)
class PendingFollow:
    follow: Follow
    cadence: str

    @property
    def followed(self) -> str:
        return self.follow.author.display_name if self.follow.author else "Inkwell"

    @property
    def cadence_label(self) -> str:
        return str(Cadence(self.cadence).label)


def pending_follow(*, token: str) -> PendingFollow:
    """What ``token`` would confirm; InvalidInput saying why for a broken, expired or used link."""
    try:
        payload = signing.loads(
            token, salt=_SALT, max_age=settings.FOLLOW_CONFIRMATION_MAX_AGE_SECONDS
        )
        follow_id, cadence = UUID(payload["follow"]), Cadence(payload["cadence"])
    except signing.SignatureExpired:
        raise InvalidInput({"token": [_EXPIRED]}, _EXPIRED) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidInput({"token": [_BROKEN]}, _BROKEN) from None
    follow = Follow.objects.select_related("author").filter(id=follow_id).first()
    if follow is None:
        raise InvalidInput({"token": [_EXPIRED]}, _EXPIRED)
    if not constant_time_compare(payload.get("state", ""), _state(follow, cadence)):
        message = _USED if follow.confirmed_at and follow.cadence == cadence else _BROKEN
        raise InvalidInput({"token": [message]}, message)
    return PendingFollow(follow=follow, cadence=cadence)


def confirm_follow(*, token: str) -> PendingFollow:
    """Start (or change) the follow the link names, with its cadence, once."""
    pending = pending_follow(token=token)
    follow = pending.follow
    now = timezone.now()
    with transaction.atomic():
        # The row's state is what the token was checked against: a concurrent click loses.
        updated = Follow.objects.filter(
            id=follow.id, confirmed_at=follow.confirmed_at, cadence=follow.cadence
        ).update(
            cadence=pending.cadence,
            confirmed_at=follow.confirmed_at or now,
            # A digest starts from the confirmation, never with the past.
            digested_until=follow.digested_until or now,
        )
    if not updated:
        raise InvalidInput({"token": [_USED]}, _USED)
    follow.refresh_from_db()
    return pending


def leave(follow_ids: str) -> bool:
    """One-click unsubscribe from the follows (comma-separated ids: a digest may come by
    several) an email came by: they end; False when they had already."""
    try:
        ids = [UUID(follow_id) for follow_id in follow_ids.split(",")]
    except ValueError:
        return False
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(id__in=ids).delete()
    return bool(deleted)


def record_publication(
    *,
    post_id: UUID,
    author_id: UUID,
    title: str,
    path: str,
    excerpt: str,
    published_at: datetime,
) -> None:
    """Note a post's first publication, in the publishing transaction: the worker tells its
    followers (follows.delivery). Called once per post; a repeat changes nothing."""
    Publication.objects.get_or_create(
        post_id=post_id,
        defaults={
            "author_id": author_id,
            "title": title,
            "path": path,
            "excerpt": excerpt,
            "published_at": published_at,
        },
    )


def withdraw_publication(*, post_id: UUID) -> None:
    """The post is no longer public: emails not yet made for it never will be, and digests
    leave it out."""
    Publication.objects.filter(post_id=post_id).delete()
