"""The types of moderation's procedures."""

from typing import Any

from rest_framework import serializers

from api.fields import IdField, TextField, TimestampField
from lib.errors import InvalidInput
from moderation.models import REPORT_DETAILS_MAX_LENGTH, ReportReason


class ReportCreateInput(serializers.Serializer):
    """A report on a comment (``commentId``) or on a post (``postId``): exactly one of them."""

    postId = IdField(source="post_id", required=False, allow_null=True, default=None)
    commentId = IdField(source="comment_id", required=False, allow_null=True, default=None)
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = TextField(
        max_length=REPORT_DETAILS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["post_id"] is None) == (attrs["comment_id"] is None):
            raise InvalidInput({"commentId": ["Give either a commentId or a postId."]})
        return attrs


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    postId = serializers.UUIDField(source="post_id")
    commentId = serializers.UUIDField(source="comment_id", allow_null=True)
    reason = serializers.CharField()
    details = serializers.CharField()
    status = serializers.CharField()
    createdAt = TimestampField(source="created_at")
