"""Confirming a new account's email address: the signed, expiring, single-use link, mailing
it (again, within a budget), following it, and the rule that an unconfirmed account may not
write.

A link signs the account's id and a digest of its address and confirmation state: once the
account is confirmed (or its address changes), every link made before stops working, so a
link is used once. Links expire after settings.EMAIL_CONFIRMATION_MAX_AGE_SECONDS.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from lib import counters
from lib.errors import Forbidden, InvalidInput, TooManyRequests
from mail.services import enqueue_email

_SALT = "accounts.email-confirmation"
_TEMPLATE = "accounts/email/confirm_email"
NOT_CONFIRMED = (
    "Confirm your email address before you write: follow the link we emailed you, "
    "or ask for a new one."
)
_BROKEN = "This confirmation link is not valid: copy the whole link from the email."
_EXPIRED = "This confirmation link has expired: sign in and ask for a new one."
_USED = "This confirmation link was already used: your email address is confirmed."


def require_confirmed_email(*, user: User) -> None:
    """Forbidden unless ``user`` has confirmed their address (the rule of every write of
    content: posts and comments, whatever the door)."""
    if not user.is_email_confirmed:
        raise Forbidden(NOT_CONFIRMED)


def confirmation_link(*, user: User) -> str:
    """The absolute link that confirms ``user``'s current address."""
    token = signing.dumps({"user": str(user.pk), "state": _state(user)}, salt=_SALT)
    return settings.MAIL_SITE_URL + reverse("accounts:confirm-email", kwargs={"token": token})


def send_confirmation(*, user: User) -> None:
    """Queue the confirmation email of an unconfirmed account."""
    enqueue_email(
        to=user.email,
        template=_TEMPLATE,
        context={
            "user": user,
            "link": confirmation_link(user=user),
            "days": settings.EMAIL_CONFIRMATION_MAX_AGE_SECONDS // 86400,
        },
    )


def resend_confirmation(*, user: User) -> bool:
    """Mail a new link to a signed-in, unconfirmed ``user``, at most
    settings.EMAIL_CONFIRMATION_RESENDS_PER_HOUR times an hour (TooManyRequests past that);
    False when there is nothing to confirm."""
    if user.is_email_confirmed:
        return False
    count = counters.add(f"accounts.confirmation-resends.{user.pk}", window_seconds=3600)
    if count.value > settings.EMAIL_CONFIRMATION_RESENDS_PER_HOUR:
        counters.add(f"accounts.confirmation-resends.{user.pk}", window_seconds=3600, amount=-1)
        raise TooManyRequests(
            "We already sent several links this hour: look for them in your inbox (and spam "
            "folder), or ask again later.",
            retry_after=count.window_ends_in,
        )
    send_confirmation(user=user)
    return True


@dataclass(frozen=True)
class PendingConfirmation:
    """The account a valid link would confirm."""

    user: User
    token: str


def pending_confirmation(*, token: str) -> PendingConfirmation:
    """The account ``token`` confirms; InvalidInput (under ``token``) saying why when the link
    is broken or tampered with, expired, or already used."""
    try:
        payload = signing.loads(
            token, salt=_SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired:
        raise InvalidInput({"token": [_EXPIRED]}, _EXPIRED) from None
    except signing.BadSignature:
        raise InvalidInput({"token": [_BROKEN]}, _BROKEN) from None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None:
        raise InvalidInput({"token": [_BROKEN]}, _BROKEN)
    if not constant_time_compare(payload.get("state", ""), _state(user)):
        message = _USED if user.is_email_confirmed else _BROKEN
        raise InvalidInput({"token": [message]}, message)
    return PendingConfirmation(user=user, token=token)


def confirm_email(*, token: str) -> User:
    """Confirm the address ``token`` names, once (see ``pending_confirmation`` for refusals)."""
    user = pending_confirmation(token=token).user
    with transaction.atomic():
        # Only an unconfirmed row moves: two clicks at once confirm it once.
        updated = User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(
            email_confirmed_at=timezone.now(), updated_at=timezone.now()
        )
    if not updated:
        raise InvalidInput({"token": [_USED]}, _USED)
    user.refresh_from_db(fields=["email_confirmed_at", "updated_at"])
    return user


def _state(user: User) -> str:
    """Changes when the account is confirmed or its address changes: what makes links single-use."""
    value = f"{user.pk}|{user.email}|{user.email_confirmed_at}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]
