"""The types of the blog's procedures: one input serializer per operation, outputs in camelCase."""

from collections import deque
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from api.fields import IdField, TextField, TimestampField
from blog import pagination, selectors
from blog.models import (
    COMMENT_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TAG_NAME_MAX_LENGTH,
    TAG_SLUG_MAX_LENGTH,
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


# Tags one call may send: the service refuses more than settings.TAGS_PER_POST_MAX with its own
# message; this only bounds the work of reading the list.
_TAGS_SENT_MAX = 100
TAG_SUGGESTIONS_MAX = 20


def _tags() -> serializers.ListField:
    return serializers.ListField(
        child=TextField(allow_blank=True, trim_whitespace=False),
        max_length=_TAGS_SENT_MAX,
        required=False,
        help_text="Tag names; new ones are created. Names that slugify alike are one tag. "
        f"At most TAGS_PER_POST_MAX (default 10) tags of {TAG_NAME_MAX_LENGTH} characters.",
    )


def _tag_filter() -> TextField:
    return TextField(
        max_length=TAG_SLUG_MAX_LENGTH,
        required=False,
        allow_null=True,
        default=None,
        help_text="A tag's slug: only posts filed under it.",
    )


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


class ScheduleField(serializers.DateTimeField):
    """A publication time: ISO 8601 with its offset (``2026-12-24T09:00:00+01:00`` or ``…Z``),
    since a time without one would mean a different moment in each reader's zone; null
    unschedules."""

    default_error_messages = {
        "invalid": "Enter a date and time in ISO 8601 with its offset: 2026-12-24T09:00+01:00.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "When to publish this draft (ISO 8601 with offset); null unschedules it. Shown to "
            "its author and staff only.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        if not isinstance(value, str):
            self.fail("invalid")
        try:
            parsed = parse_datetime(value)
            if parsed is None or parsed.tzinfo is None:
                self.fail("invalid")
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # a month 13; beyond the years a datetime holds
            self.fail("invalid")


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
    tag = _tag_filter()

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
    tag = _tag_filter()

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
    publishAt = ScheduleField(source="publish_at", required=False, allow_null=True, default=None)
    tags = _tags()
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
    publishAt = ScheduleField(source="publish_at", required=False, allow_null=True)
    tags = _tags()
    coverImageId = IdField(
        source="cover_image_id",
        required=False,
        allow_null=True,
        help_text="One of the author's images as the cover; null removes the cover.",
    )


class PostPreviewInput(serializers.Serializer):
    # As a post's content: the preview is of what a save would store.
    content = TextField(max_length=CONTENT_MAX_LENGTH, allow_blank=True, trim_whitespace=False)


class PostDeleteInput(serializers.Serializer):
    id = IdField()


class TagSearchInput(serializers.Serializer):
    prefix = TextField(max_length=TAG_NAME_MAX_LENGTH, trim_whitespace=False)
    limit = serializers.IntegerField(min_value=1, max_value=TAG_SUGGESTIONS_MAX, default=10)


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


class TagOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField(help_text="The tag's page is /tags/<slug>/.")


class TagListOutput(serializers.ListSerializer):  # type: ignore[type-arg]
    child = TagOutput()


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
    tags = TagOutput(many=True, help_text="By slug.")
    image = ShownImageOutput(
        source="cover_image", allow_null=True, help_text="The cover image, or null."
    )


class PostOutput(HandsOnBuilt, PostSummaryOutput):
    publishAt = TimestampField(
        source="publish_at",
        allow_null=True,
        help_text="When this draft is scheduled to be published (null: not scheduled). Only "
        "drafts are scheduled, so only their author and staff ever see one.",
    )
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


class PostPreviewOutput(serializers.Serializer):
    html = serializers.CharField(help_text="The content as sanitised HTML, as the post shows it.")


class PostDeleteOutput(serializers.Serializer):
    id = serializers.UUIDField()


# --- revisions (inputs and outputs) -----------------------------------------------------------


class PostRevisionsInput(serializers.Serializer):
    postId = IdField(source="post_id")
    limit = _limit()
    cursor = TextField(
        required=False, allow_null=True, allow_blank=True, validators=[_position_cursor]
    )

    def validate_cursor(self, value: str | None) -> str | None:
        return value or None


class PostRevisionInput(serializers.Serializer):
    postId = IdField(source="post_id")
    id = IdField()
    against = serializers.ChoiceField(
        choices=["previous", "current"],
        default="previous",
        help_text="Diff from the revision before it to this one, or from this one to the "
        "post's current text.",
    )


class PostRestoreRevisionInput(serializers.Serializer):
    postId = IdField(source="post_id")
    revisionId = IdField(source="revision_id")


class PostAutosaveInput(serializers.Serializer):
    id = IdField(
        required=False, allow_null=True, default=None, help_text="Absent: a new draft is made."
    )
    title = TextField(max_length=TITLE_MAX_LENGTH)
    content = TextField(max_length=CONTENT_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    excerpt = TextField(max_length=EXCERPT_MAX_LENGTH, allow_blank=True, default="")
    baseRevisionId = IdField(
        source="base_revision_id",
        required=False,
        allow_null=True,
        default=None,
        help_text="The newest revision the editor had; another one now is CONFLICT.",
    )


class RevisionSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="created, saved, autosaved or restored.")
    savedAt = TimestampField(source="saved_at")
    title = serializers.CharField()
    savedBy = AuthorOutput(source="saved_by", allow_null=True)


class PostRevisionsOutput(serializers.Serializer):
    items = RevisionSummaryOutput(many=True)
    nextCursor = serializers.CharField(source="next_cursor", allow_null=True)


class RevisionOutput(RevisionSummaryOutput):
    content = serializers.CharField()
    excerpt = serializers.CharField()


class DiffRowOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="same, removed, added, changed or folded.")
    beforeLine = serializers.IntegerField(source="before_number", allow_null=True)
    before = serializers.CharField(allow_null=True)
    afterLine = serializers.IntegerField(source="after_number", allow_null=True)
    after = serializers.CharField(allow_null=True)
    foldedLines = serializers.IntegerField(
        source="folded_lines", help_text="For a folded row: the unchanged lines left out."
    )


class LineDiffOutput(serializers.Serializer):
    rows = DiffRowOutput(many=True)
    removedLines = serializers.IntegerField(source="removed_lines")
    addedLines = serializers.IntegerField(source="added_lines")
    isLineByLine = serializers.BooleanField(
        source="is_line_by_line",
        help_text="false: the change was too large to compare line by line (over "
        "POST_REVISION_DIFF_MAX_LINES lines) and its changed stretch is shown whole.",
    )
    rowsLeftOut = serializers.IntegerField(source="rows_left_out")


class PostRevisionOutput(serializers.Serializer):
    revision = RevisionOutput()
    against = serializers.CharField()
    previousId = serializers.UUIDField(source="previous_id", allow_null=True)
    titleBefore = serializers.CharField(source="title_before")
    titleAfter = serializers.CharField(source="title_after")
    diff = LineDiffOutput()


class PostAutosaveOutput(serializers.Serializer):
    id = serializers.UUIDField(source="post.id")
    slug = serializers.CharField(source="post.slug")
    revisionId = serializers.UUIDField(source="revision.id")
    savedAt = TimestampField(source="revision.saved_at")


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
