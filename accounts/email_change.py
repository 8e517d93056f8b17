"""Changing one's email address: asked for with the current password (checked by the identity
provider), done only when a link sent to the new address is opened by the same signed-in
account; the provider is then given the new address (Cognito: verified, by this link).

The link is signed, expires after EMAIL_CHANGE_LINK_MAX_AGE_SECONDS, and names the account's
state when it was asked for (its address and last update): once used, or once the account has
changed otherwise, it is refused, so a link cannot be replayed after changing back. The link is
queued (mail.services), never sent in the request; opening it also confirms the new address.
"""

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import sign_in_attempts
from accounts.models import User
from accounts.providers import current
from lib.errors import InvalidInput
from mail.services import enqueue_email

_SALT = "accounts.email-change"
_TAKEN = "An account with this email already exists."
_USED = "This link was already used, or your account has changed since."


def start_email_change(
    *,
    user: User,
    new_email: str,
    current_password: str,
    ip: str,
    confirmation_url: Callable[[str], str],
) -> str:
    """Mail a confirmation link (``confirmation_url(token)``) to ``new_email``; the address
    it went to. InvalidInput (``email``, ``currentPassword``) sends nothing."""
    address = new_email.strip().lower()
    try:
        if len(address) > (User._meta.get_field("email").max_length or 254):
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        raise InvalidInput({"email": ["Enter a valid email address."]}) from None
    if address == user.email.lower():
        raise InvalidInput({"email": ["This is already your address."]})
    attempt = sign_in_attempts.reserve_sign_in(account=user.email, ip=ip)
    with attempt.kept_on(InvalidInput):
        current().check_password(user=user, password=current_password)
    attempt.clear_account()
    if User.objects.with_email(address).exists():
        raise InvalidInput({"email": [_TAKEN]})
    change = {
        "user": str(user.id),
        "from": user.email,
        "version": user.updated_at.isoformat(),
        "to": address,
    }
    token = signing.dumps(change, salt=_SALT)
    context = {"user": user, "new_email": address, "url": confirmation_url(token)}
    enqueue_email(to=address, template="accounts/email/email_change", context=context)
    return address


def confirm_email_change(*, user: User, token: str) -> str:
    """Apply the change a link carries for ``user``; the new address. InvalidInput ``token``
    for a link that is expired, tampered with, used, or another account's: nothing changes."""
    try:
        change = signing.loads(
            token, salt=_SALT, max_age=settings.EMAIL_CHANGE_LINK_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired:
        raise _bad_link("This link has expired; ask for a new one from your profile.") from None
    except signing.BadSignature:
        raise _bad_link("This link is not valid; copy the whole address from the email.") from None
    if change.get("user") != str(user.id):
        raise _bad_link("This link is for another account: sign in as that account to use it.")
    if (change.get("from"), change.get("version")) != (user.email, user.updated_at.isoformat()):
        raise _bad_link(_USED)
    now = timezone.now()
    try:
        with transaction.atomic():
            # The row first, and only if it is still as the link saw it (a link opened twice
            # at once is used once): its unique index refuses a taken address before the
            # provider is asked, and a provider failure rolls the row back, so the two agree.
            # The link reached the new address: it is confirmed, as a sign-up's link is.
            claimed = User.objects.filter(
                pk=user.pk, email=change["from"], updated_at=user.updated_at
            ).update(email=change["to"], email_confirmed_at=now, updated_at=now)
            if not claimed:
                raise _bad_link(_USED)
            current().change_email(user=user, new_email=change["to"])
    except IntegrityError:
        raise InvalidInput({"token": [_TAKEN]}) from None
    user.email, user.email_confirmed_at, user.updated_at = change["to"], now, now
    return user.email


def _bad_link(message: str) -> InvalidInput:
    return InvalidInput({"token": [message]})
