"""Writes of users: accounts, identities linked from tokens, profiles, roles, deletions.

Which token ``sub`` may create an account: a ``sub`` with a row is that user; a ``sub`` in
DeletedIdentity (written by ``delete_user``) is refused for good, so a still-valid token of a
deleted account never brings it back; any other ``sub`` creates (or links) an account only
when the provider creates users on first sight (Cognito: the person signed up at the pool).
The local provider never does: every legitimate token it issued names an existing row.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import avatars, password_hashing
from accounts.models import DeletedIdentity, User
from lib.errors import InvalidInput, NotFound, Unauthorized

NAME_MAX_LENGTH = 120
BIO_MAX_LENGTH = 2000
# The columns' own limits: PostgreSQL refuses longer values with an error, not a message.
AVATAR_URL_MAX_LENGTH = User._meta.get_field("avatar_url").max_length or 500
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length or 254
# Created, with its permissions, by migration accounts 0003.
EDITORS_GROUP = "Editors"
_http_url = URLValidator(schemes=["http", "https"])


def update_profile(
    *, user: User, name: str | None = None, bio: str | None = None, avatar_url: str | None = None
) -> User:
    """Change the given profile fields; an avatar must be an http(s) URL (or blank)."""
    errors: dict[str, list[str]] = {}
    if name is not None and len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = [f"Ensure this field has no more than {NAME_MAX_LENGTH} characters."]
    if bio is not None and len(bio) > BIO_MAX_LENGTH:
        errors["bio"] = [f"Ensure this field has no more than {BIO_MAX_LENGTH} characters."]
    if avatar_url and len(avatar_url) > AVATAR_URL_MAX_LENGTH:
        errors["avatarUrl"] = [
            f"Ensure this URL has no more than {AVATAR_URL_MAX_LENGTH} characters."
        ]
    elif avatar_url:
        try:
            _http_url(avatar_url)
        except ValidationError:
            errors["avatarUrl"] = ["Enter an http:// or https:// URL."]
    if errors:
        raise InvalidInput(errors)
    if name is not None:
        user.name = name.strip()
    if bio is not None:
        user.bio = bio.strip()
    replaced_file = ""
    if avatar_url is not None:
        user.avatar_url = avatar_url.strip()
        # A URL given instead of an uploaded avatar: the stored file is no longer shown.
        replaced_file, user.avatar_path = user.avatar_path, ""
    with transaction.atomic():
        user.save(update_fields=["name", "bio", "avatar_url", "avatar_path", "updated_at"])
        if replaced_file:
            avatars.delete_file_on_commit(replaced_file)
    return user


def create_user(
    *,
    email: str,
    password: str | None,
    name: str = "",
    is_staff: bool = False,
    email_confirmed: bool = True,
) -> User:
    """A new account; ``password`` None leaves it unusable (the identity provider signs in).
    ``email_confirmed`` False: it may not write until it follows its confirmation link."""
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    if len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = [f"Ensure this field has no more than {NAME_MAX_LENGTH} characters."]
    if password is not None:
        try:
            validate_password(password, user=User(email=email, name=name))
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if errors:
        raise InvalidInput(errors)
    # Hashed before the transaction: no database connection is held while it runs.
    password_hash = password_hashing.make(password) if password is not None else None
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email,
                None,
                password_hash=password_hash,
                name=name.strip(),
                is_staff=is_staff,
                email_confirmed_at=timezone.now() if email_confirmed else None,
            )
    except IntegrityError:
        raise InvalidInput({"email": ["An account with this email already exists."]}) from None


def set_password(*, user: User, password: str) -> User:
    """Store a new ``password`` (already validated) for ``user``, hashed under the bound."""
    user.password = password_hashing.make(password)
    with transaction.atomic():
        user.save(update_fields=["password", "updated_at"])
    return user


def make_editor(*, user: User) -> bool:
    """Put ``user`` in the Editors group, with the staff flag the admin asks for; False when
    they already were an editor (nothing changes)."""
    editors = _editors_group()
    if user.is_staff and user.groups.filter(pk=editors.pk).exists():
        return False
    with transaction.atomic():
        user.groups.add(editors)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff", "updated_at"])
    return True


def remove_editor(*, user: User) -> bool:
    """Take ``user`` out of the Editors group; the staff flag goes too unless something else
    still gives them the admin (superuser, another group, permissions of their own). False
    when they were not an editor (nothing changes)."""
    editors = _editors_group()
    if not user.groups.filter(pk=editors.pk).exists():
        return False
    with transaction.atomic():
        user.groups.remove(editors)
        keeps_admin = user.is_superuser or user.groups.exists() or user.user_permissions.exists()
        if user.is_staff and not keeps_admin:
            user.is_staff = False
            user.save(update_fields=["is_staff", "updated_at"])
    return True


def _editors_group() -> Group:
    try:
        return Group.objects.get(name=EDITORS_GROUP)
    except Group.DoesNotExist:
        raise NotFound(f"There is no {EDITORS_GROUP} group: run manage.py migrate.") from None


def delete_user(*, user: User) -> None:
    """Delete the account and everything it owns; its ``sub`` is remembered, so tokens
    issued before the deletion cannot re-create it."""
    with transaction.atomic():
        if user.cognito_sub:
            DeletedIdentity.objects.get_or_create(sub=user.cognito_sub)
        if user.avatar_path:
            avatars.delete_file_on_commit(user.avatar_path)
        user.delete()


def user_for_identity(
    *, sub: str, email: str | None, email_verified: bool, may_create: bool
) -> User:
    """The user behind an identity provider's ``sub``, created or linked on first sight when
    ``may_create`` (see the module's docstring); Unauthorized for a deleted account.

    An existing account with the same email is linked only when the provider says the email
    is verified; otherwise anyone could claim it by signing up elsewhere with that address.
    """
    user = User.objects.filter(cognito_sub=sub).first()
    if user is None:
        if DeletedIdentity.objects.filter(sub=sub).exists():
            raise Unauthorized("This account was deleted.")
        if not may_create or not email:
            raise NotFound("No account belongs to this token.")
        user = _link_or_create(sub=sub, email=email.strip().lower(), email_verified=email_verified)
    if not user.is_active:
        raise Unauthorized("This account is disabled.")
    if user.is_suspended:
        raise Unauthorized(user.suspension_notice())
    return user


def _link_or_create(*, sub: str, email: str, email_verified: bool) -> User:
    try:
        with transaction.atomic():
            existing = User.objects.with_email(email).select_for_update().first()
            if existing is None:
                return User.objects.create_user(email, None, cognito_sub=sub)
            if not email_verified:
                raise Unauthorized(
                    "An account with this email address already exists; verify the address "
                    "with the identity provider to use it."
                )
            existing.cognito_sub = sub
            fields = ["cognito_sub", "updated_at"]
            if existing.email_confirmed_at is None:
                # A local sign-up never confirmed here: the provider has verified the address.
                existing.email_confirmed_at = timezone.now()
                fields.append("email_confirmed_at")
            existing.save(update_fields=fields)
            return existing
    except IntegrityError:
        # Another request saw the same new identity first and created the row.
        user = User.objects.filter(cognito_sub=sub).first()
        if user is None:
            raise Unauthorized("This account is being created; try again.") from None
        return user


def ensure_subject(*, user: User) -> str:
    """The user's ``sub`` for tokens the local provider issues (their id, stored on first use)."""
    if user.cognito_sub is None:
        with transaction.atomic():
            User.objects.filter(pk=user.pk, cognito_sub__isnull=True).update(
                cognito_sub=str(user.pk)
            )
        user.refresh_from_db(fields=["cognito_sub"])
    # The update only fills an empty subject, so the row now has one (ours or a racer's).
    assert user.cognito_sub is not None
    return user.cognito_sub


def update_email_settings(*, user: User, on_reply: bool, on_post_comment: bool) -> User:
    """Which notification emails ``user`` gets (their email settings page)."""
    user.emails_on_reply = on_reply
    user.emails_on_post_comment = on_post_comment
    with transaction.atomic():
        user.save(update_fields=["emails_on_reply", "emails_on_post_comment", "updated_at"])
    return user


def stop_reply_emails(user_id: str) -> bool:
    """One-click unsubscribe from reply notifications; False when they were already off."""
    return _switch_off(user_id, "emails_on_reply")


def stop_post_comment_emails(user_id: str) -> bool:
    """One-click unsubscribe from new-comment notifications; False when already off."""
    return _switch_off(user_id, "emails_on_post_comment")


def _switch_off(user_id: str, field: str) -> bool:
    try:
        with transaction.atomic():
            return bool(User.objects.filter(pk=user_id, **{field: True}).update(**{field: False}))
    except ValidationError:
        return False  # not a user id: nobody to unsubscribe
