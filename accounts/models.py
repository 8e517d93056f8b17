"""The user: one row per person, whatever identity provider signed them in."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    def create_user(
        self,
        email: str,
        password: str | None = None,
        *,
        password_hash: str | None = None,
        **fields: Any,
    ) -> "User":
        """A new user with ``password``, or with a ``password_hash`` made beforehand."""
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password_hash is not None:
            user.password = password_hash
        else:
            user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def with_email(self, email: str) -> "models.QuerySet[User]":
        """The user (at most one) whose email matches ``email`` whatever its case.

        The comparison is the unique constraint's own, LOWER() on both sides in the database.
        ``iexact`` compares UPPER() values instead, which PostgreSQL folds differently (a
        dotless i, U+0131, uppercases to I): a look-alike address could then match a second account.
        """
        return self.annotate(email_key=Lower("email")).filter(email_key=Lower(Value(email.strip())))

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.with_email(username or "").get()


SUSPENSION_REASON_MAX_LENGTH = 1000
# A suspension without end: the latest time every supported database stores.
SUSPENDED_FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=120, blank=True)
    cognito_sub = models.CharField(max_length=64, unique=True, null=True, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    # The uploaded avatar's name in the default storage (avatar_url is its address); blank
    # when the avatar is a URL given through the API, or none.
    avatar_path = models.CharField(max_length=200, blank=True, editable=False)
    bio = models.TextField(max_length=2000, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Staff may use the admin and moderate every post."
    )
    # Set while the account is suspended (accounts.suspensions): until when (SUSPENDED_FOREVER
    # for no end) and the reason its owner is shown. Kept on the row every sign-in and token
    # check already reads.
    suspended_until = models.DateTimeField(null=True, blank=True, editable=False)
    # A database default too: rows written by code that predates the column (a data migration
    # replayed on an older state) stay valid.
    suspension_reason = models.CharField(
        max_length=SUSPENSION_REASON_MAX_LENGTH, blank=True, editable=False, db_default=""
    )
    # When the address was shown to be this person's; None while a local sign-up has not
    # followed its confirmation link (accounts.email_confirmation), and may not write. Every
    # other way in (Cognito, which confirms itself; commands; the admin) is confirmed.
    email_confirmed_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # Emails the person chose to get (their email settings page, or one-click unsubscribe).
    emails_on_reply = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Email them when someone replies to their comment.",
    )
    emails_on_post_comment = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Email them when someone comments on their post.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the password last changed: tokens issued before that second are refused
    # (accounts.tokens), so a change ends every other holder's API and WebSocket access.
    credentials_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        permissions = [("suspend_user", "Can suspend and reinstate accounts")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="A user with this email already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def display_name(self) -> str:
        # Never the email: it is private, and this name is shown to everyone.
        return self.name or "Anonymous"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("blog:author", kwargs={"user_id": self.id})

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    def suspension_notice(self) -> str:
        """What the account's owner is told when a suspension refuses them."""
        if self.suspended_until is None or self.suspended_until >= SUSPENDED_FOREVER:
            return f"This account is suspended: {self.suspension_reason}"
        until = self.suspended_until.strftime("%d %b %Y %H:%M UTC")
        return f"This account is suspended until {until}: {self.suspension_reason}"

    # A suspension changes the hash every session of the account was signed with, so each ends
    # on its next request (Django compares it on every one), whatever backend signed it in; a
    # session of an account never suspended keeps Django's hash.
    def get_session_auth_hash(self) -> str:
        if self.is_suspended:
            return salted_hmac(
                "accounts.User.suspended", f"{self.password}:{self.suspended_until}"
            ).hexdigest()
        return super().get_session_auth_hash()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        if not self.is_suspended:
            yield from super().get_session_auth_fallback_hash()

    def is_token_revoked(self, issued_at: int) -> bool:
        """Whether a token issued at ``issued_at`` (its ``iat``, whole seconds) predates the
        last password change. Tokens of the change's own second still pass: ``iat`` has no
        finer grain, and the browser that made the change gets its new tokens in it."""
        if self.credentials_changed_at is None:
            return False
        return issued_at < int(self.credentials_changed_at.timestamp())


class DeletedIdentity(models.Model):
    """The ``sub`` of a deleted account: a still-valid token naming it is refused, never
    allowed to create the account again (accounts.services.user_for_identity)."""

    sub = models.CharField(max_length=64, primary_key=True)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deleted identities"

    def __str__(self) -> str:
        return self.sub
