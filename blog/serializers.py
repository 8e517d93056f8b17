"""The types of the blog's procedures: one input serializer per operation, outputs in camelCase."""

from collections import deque
from datetime import UTC
from typing import Any

from rest_framework import serializers

from api.fields import IdField, TextField, TimestampField
from blog import pagination, selectors
from blog.models import (
    COMMENT_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Post,
)
from blog.outputs import Built
from blog.rendering import highlight_html, post_html
from blog.search import SEARCH_CANDIDATES, SEARCH_QUERY_MAX_LENGTH
from images.serializers import ShownImageOutput
from lib.errors import InvalidInput
from realtime.positions import InvalidPosition, Position

_INVALID_CURSOR = "This cursor is not valid."


def _limit() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=pagination.PAGE_SIZE_MAX, default=pagination.PAGE_SIZE
    )


# Validators: DRF runs them on non-blank strings only (null and blank skip validation).


def _position_cursor(value: str) -> None:
    """A listing cursor that ``blog.pagination`` made (and whose time the database can hold)."""
    try:
        pagination.decode_position(value).at.astimezone(UTC)
    except (InvalidInput, OverflowError):
        raise serializers.ValidationError(_INVALID_CURSOR) from None


def _offset_cursor(value: str) -> None:
    """A search cursor: an offset within the ranked candidates."""
    try:
        offset = pagination.decode_offset(value)
    except InvalidInput:
        raise serializers.ValidationError(_INVALID_CURSOR) from None
    if offset > SEARCH_CANDIDATES:
        raise serializers.ValidationError(_INVALID_CURSOR)


# --- inputs ---------------------------------------------------------------------------------


class PostListInput(serializers.Serializer):
    limit = _limit()
    cursor = TextField(
        required=False, allow_null=True, allow_blank=True, validators=[_position_cursor]
    )
    authorId = IdField(source="author_id", required=False, allow_null=True)
    published = serializers.BooleanField(
        default=True, help_text="false lists the caller's own drafts."
    )

    def validate_cursor(self, value: str | None) -> str | None:
        return value or None


class PostBySlugInput(serializers.Serializer):
    slug = TextField(max_length=SLUG_MAX_LENGTH)


class PostByIdInput(serializers.Serializer):
    id = IdField()


class PostSearchInput(serializers.Serializer):
    query = TextField(max_length=SEARCH_QUERY_MAX_LENGTH)
    limit = _limit()
    cursor = TextField(
        required=False, allow_null=True, allow_blank=True, validators=[_offset_cursor]
    )

    def validate_cursor(self, value: str | None) -> str | None:
        return value or None


class PostCreateInput(serializers.Serializer):
    title = TextField(max_length=TITLE_MAX_LENGTH)
    # Markdown: leading spaces and blank lines mean something.
    content = TextField(
        max_length=CONTENT_MAX_LENGTH, allow_blank=True, trim_whitespace=False, default=""
    )
    excerpt = TextField(
        max_length=EXCERPT_MAX_LENGTH,
        allow_blank=True,
        default="",
        help_text="Derived from the content when blank.",
    )
    published = serializers.BooleanField(default=False)
    coverImageId = IdField(
        source="cover_image_id",
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your images (image.upload), shown as the post's cover.",
    )


class PostUpdateInput(serializers.Serializer):
    id = IdField()
    title = TextField(max_length=TITLE_MAX_LENGTH, required=False)
    content = TextField(
        max_length=CONTENT_MAX_LENGTH, allow_blank=True, trim_whitespace=False, required=False
    )
    excerpt = TextField(max_length=EXCERPT_MAX_LENGTH, allow_blank=True, required=False)
    published = serializers.BooleanField(required=False)
    slug = TextField(
        max_length=SLUG_MAX_LENGTH,
        required=False,
        help_text="Lowercase letters, digits and hyphens; the old slug keeps finding the post.",
    )
    coverImageId = IdField(
        source="cover_image_id",
        required=False,
        allow_null=True,
        help_text="One of the author's images as the cover; null removes the cover.",
    )


class PostDeleteInput(serializers.Serializer):
    id = IdField()


class CommentListInput(serializers.Serializer):
    postId = IdField(source="post_id")


class CommentCreateInput(serializers.Serializer):
    postId = IdField(source="post_id")
    content = TextField(max_length=COMMENT_MAX_LENGTH)
    parentId = IdField(source="parent_id", required=False, allow_null=True, default=None)


class CommentUpdateInput(serializers.Serializer):
    id = IdField()
    content = TextField(max_length=COMMENT_MAX_LENGTH)


class CommentDeleteInput(serializers.Serializer):
    id = IdField()


# --- subscription inputs --------------------------------------------------------------------


class SubscriptionInput(serializers.Serializer):
    """What every subscription takes: where to resume. tRPC's clients put it here themselves
    (``lastEventId``), as does the SSE transport from a reconnecting EventSource's header."""

    lastEventId = TextField(
        source="last_event_id",
        allow_null=True,
        default=None,
        help_text="The id of the last event received: the events after it are sent first. "
        "Absent: from now on.",
    )

    def validate_lastEventId(self, value: str | None) -> Position | None:
        if value is None:
            return None
        try:
            return Position.from_event_id(value)
        except InvalidPosition as error:
            raise serializers.ValidationError(str(error)) from None


class PostOnCreateInput(SubscriptionInput):
    pass


class PostOnUpdateInput(SubscriptionInput):
    postId = IdField(source="post_id")


class CommentOnAddInput(SubscriptionInput):
    postId = IdField(source="post_id")


# --- outputs --------------------------------------------------------------------------------


class HandsOnBuilt(serializers.BaseSerializer):  # type: ignore[type-arg]
    """An output type whose hot procedures build their answer in ``blog.outputs``: a ``Built``
    answer is handed on as it is (not even wrapped in DRF's ``ReturnDict``: a cached answer
    is JSON already, ``blog.read_cache``); anything else goes through the declared fields."""

    @property
    def data(self) -> Any:
        if isinstance(self.instance, Built):
            return self.instance.value
        return super().data


class AuthorOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="display_name")
    avatarUrl = serializers.CharField(source="avatar_url")


class PostSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()
    excerpt = serializers.CharField()
    published = serializers.BooleanField()
    viewCount = serializers.IntegerField(source="view_count")
    commentCount = serializers.IntegerField(source="comment_count")
    createdAt = TimestampField(source="created_at")
    updatedAt = TimestampField(source="updated_at")
    publishedAt = TimestampField(
        source="published_at",
        allow_null=True,
        help_text="When the post was first published (null for a draft never published); "
        "listings of published posts are newest first by it.",
    )
    author = AuthorOutput()
    image = ShownImageOutput(
        source="cover_image", allow_null=True, help_text="The cover image, or null."
    )


class PostOutput(HandsOnBuilt, PostSummaryOutput):
    content = serializers.CharField()
    contentHtml = serializers.SerializerMethodField(help_text="The content as sanitised HTML.")

    def get_contentHtml(self, post: Post) -> str:
        return post_html(post)


class PostListOutput(HandsOnBuilt, serializers.Serializer):
    items = PostSummaryOutput(many=True)
    nextCursor = serializers.CharField(source="next_cursor", allow_null=True)


class PostSearchItemOutput(PostSummaryOutput):
    headline = serializers.SerializerMethodField(
        help_text="A snippet as safe HTML, the matched words in <mark>."
    )

    def get_headline(self, post: Post) -> str:
        return highlight_html(getattr(post, "headline", "") or "")


class PostSearchOutput(serializers.Serializer):
    items = PostSearchItemOutput(many=True)
    nextCursor = serializers.CharField(source="next_cursor", allow_null=True)


class PostDeleteOutput(serializers.Serializer):
    id = serializers.UUIDField()


class CommentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    content = serializers.CharField()
    postId = serializers.UUIDField(source="post_id")
    parentId = serializers.UUIDField(source="parent_id", allow_null=True)
    isDeleted = serializers.BooleanField(
        source="is_deleted", help_text="A deleted comment kept as a placeholder for its replies."
    )
    author = AuthorOutput()
    createdAt = TimestampField(source="created_at")
    updatedAt = TimestampField(source="updated_at")


class CommentNodeOutput(serializers.Serializer):
    """A comment and its replies (``selectors.CommentNode``)."""

    id = serializers.UUIDField(source="comment.id")
    content = serializers.CharField(source="comment.content")
    parentId = serializers.UUIDField(source="comment.parent_id", allow_null=True)
    isDeleted = serializers.BooleanField(source="comment.is_deleted")
    author = AuthorOutput(source="comment.author")
    createdAt = TimestampField(source="comment.created_at")
    updatedAt = TimestampField(source="comment.updated_at")

    def get_fields(self) -> dict[str, Any]:
        # A node's replies are nodes: declared here, as a class cannot name itself in its body.
        fields = super().get_fields()
        fields["replies"] = CommentNodeOutput(many=True)
        return fields

    def to_representation(self, instance: selectors.CommentNode) -> dict[str, Any]:
        """The node and every reply below it, breadth first: iterative, so no depth of thread
        can exhaust the stack."""
        own_fields = [field for field in self._readable_fields if field.field_name != "replies"]
        top: dict[str, Any] = {}
        pending: deque[tuple[selectors.CommentNode, dict[str, Any]]] = deque([(instance, top)])
        while pending:
            node, into = pending.popleft()
            for own in own_fields:
                value = own.get_attribute(node)
                into[str(own.field_name)] = None if value is None else own.to_representation(value)
            into["replies"] = []
            for reply in node.replies:
                child: dict[str, Any] = {}
                into["replies"].append(child)
                pending.append((reply, child))
        return top


class CommentListOutput(HandsOnBuilt, serializers.ListSerializer):  # type: ignore[type-arg]
    """The post's threads, oldest first."""

    child = CommentNodeOutput()


class CommentDeleteOutput(serializers.Serializer):
    id = serializers.UUIDField()


# --- subscription outputs: the announced fields (blog.announcements) --------------------------


class AnnouncedAuthorOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    avatarUrl = serializers.CharField()


class PostAnnouncedOutput(serializers.Serializer):
    """A published post as announced: no content (``post.byId`` has it), no counts."""

    id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()
    excerpt = serializers.CharField()
    url = serializers.CharField(help_text="The post's page.")
    author = AnnouncedAuthorOutput()
    createdAt = TimestampField()
    updatedAt = TimestampField()
    publishedAt = TimestampField(help_text="When the post was first published.")


class PostChangeOutput(serializers.Serializer):
    """A change of one post: ``updated`` (with the post as it is now), or ``removed``
    (unpublished or deleted; no post). A post published again arrives as ``updated``."""

    type = serializers.ChoiceField(choices=["updated", "removed"])
    id = serializers.UUIDField()
    post = PostAnnouncedOutput(allow_null=True)


class CommentAnnouncedOutput(serializers.Serializer):
    id = serializers.UUIDField()
    postId = serializers.UUIDField()
    parentId = serializers.UUIDField(allow_null=True)
    content = serializers.CharField()
    author = AnnouncedAuthorOutput()
    createdAt = TimestampField()
    updatedAt = TimestampField()


class CommentChangeOutput(serializers.Serializer):
    """A change of one comment of the post: ``created``, ``updated`` (with the comment as it is
    now), or ``removed`` (no comment; one with replies stays on pages as a placeholder)."""

    type = serializers.ChoiceField(choices=["created", "updated", "removed"])
    id = serializers.UUIDField()
    comment = CommentAnnouncedOutput(allow_null=True)
