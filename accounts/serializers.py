"""The types of the user procedures: the caller's own profile, and others' public one."""

from rest_framework import serializers

from api.fields import IdField, TextField, TimestampField


class UserByIdInput(serializers.Serializer):
    id = IdField()


class UserUpdateProfileInput(serializers.Serializer):
    # Lengths and the URL are checked by accounts.services.update_profile, the one rule-keeper.
    name = TextField(required=False, allow_blank=True, trim_whitespace=False)
    bio = TextField(required=False, allow_blank=True, trim_whitespace=False)
    avatarUrl = TextField(
        source="avatar_url", required=False, allow_blank=True, trim_whitespace=False
    )


class UserPublicOutput(serializers.Serializer):
    """What anyone may see of a user: never the email."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    avatarUrl = serializers.CharField(source="avatar_url")
    bio = serializers.CharField()
    createdAt = TimestampField(source="created_at")


class UserProfileOutput(UserPublicOutput):
    """The caller's own profile."""

    email = serializers.EmailField()
