"""Changing one's own password: the new one validated here, set by the identity provider, and
every other holder of the account's credentials shut out.

What a change ends: Django sessions of other browsers (their auth hash follows the password
column), refresh tokens (the local provider's fingerprint follows the password hash; Cognito's
are revoked by GlobalSignOut), and every ID or access token issued before the change's second
(``User.credentials_changed_at``, checked by accounts.tokens), which is what the realtime socket
and the API accept. The browser that made the change stays signed in with new tokens.
"""

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import sign_in_attempts
from accounts.models import User
from accounts.providers import current
from lib.errors import InvalidInput


def change_password(
    *, user: User, session: SessionBase, current_password: str, new_password: str, ip: str
) -> None:
    """Replace ``user``'s password; InvalidInput (``currentPassword``, ``newPassword``)
    changes nothing. A wrong current password counts as a failed sign-in, so a borrowed
    session cannot be used to guess it."""
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise InvalidInput({"newPassword": list(error.messages)}) from None
    # Taken first: tokens the provider issues for this browser during the change must pass.
    changed_at = timezone.now()
    attempt = sign_in_attempts.reserve_sign_in(account=user.email, ip=ip)
    with attempt.kept_on(InvalidInput):
        result = current().change_password(
            user=user, session=session, current_password=current_password, new_password=new_password
        )
    attempt.clear_account()
    if not user.has_usable_password():
        # The provider holds the password: a new unusable marker still moves the session hash.
        user.set_unusable_password()
    user.credentials_changed_at = changed_at
    with transaction.atomic():
        user.save(update_fields=["password", "credentials_changed_at", "updated_at"])
    if result is not None:
        current().keep_tokens(session, result)
