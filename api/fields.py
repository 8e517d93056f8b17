"""Serializer fields every procedure's types share: strict ids and datetimes kept as datetimes."""

import uuid
from typing import Any

from rest_framework import serializers


class IdField(serializers.UUIDField):
    """A UUID sent as a string (DRF's own field would also take an integer)."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class TimestampField(serializers.DateTimeField):
    """An output datetime left as a datetime: the transport writes it (an ISO string in plain
    JSON, a ``Date`` under SuperJSON)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(format=None, **kwargs)


class TextField(serializers.CharField):
    """A string sent as a string (DRF's own field would turn ``5`` or ``true`` into text)."""

    default_error_messages = {"not_a_string": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)
