"""Writes of user profiles."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from accounts.models import User
from api.errors import InvalidInput

NAME_MAX_LENGTH = 120
BIO_MAX_LENGTH = 2000
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
    if avatar_url:
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
    if avatar_url is not None:
        user.avatar_url = avatar_url.strip()
    with transaction.atomic():
        user.save(update_fields=["name", "bio", "avatar_url", "updated_at"])
    return user
