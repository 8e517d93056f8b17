"""Posts and threaded comments. Rules that span rows live in services; these are the rows."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 220
EXCERPT_MAX_LENGTH = 300
CONTENT_MAX_LENGTH = 2 * 1024 * 1024
COMMENT_MAX_LENGTH = 10_000
TAG_NAME_MAX_LENGTH = 50
# A tag's slug is its name slugified: never longer than the name.
TAG_SLUG_MAX_LENGTH = TAG_NAME_MAX_LENGTH


class Post(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Unique among published posts and among one author's posts: a draft's slug is its
    # author's alone, so no reader can learn of a draft from the slugs others get.
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH)
    content = models.TextField(blank=True, help_text="Markdown.")
    # The content rendered to safe HTML by the service that saved it, so no view renders
    # Markdown. NULL (not "", which some content renders to) marks a row written outside the
    # services, not rendered yet (see rendering.post_html).
    content_html = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    # Minutes a reader takes over content_html, counted when it is rendered; NULL alongside it.
    reading_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    excerpt = models.CharField(
        max_length=EXCERPT_MAX_LENGTH, blank=True, help_text="Derived from the content when blank."
    )
    published = models.BooleanField(default=False)
    # Deleting a user deletes what they wrote: an account's removal is the erasure of its content.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the post was first published (set by the services, kept when it is unpublished and
    # published again); NULL for a post never published. Listings of published posts order by it.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a draft is to be published by ``manage.py publish_scheduled`` (a scheduled post);
    # NULL for a post not scheduled. Cleared when the post is published, however it is.
    publish_at = models.DateTimeField(null=True, blank=True)
    # Written by the services only (services.create_post / update_post), which keep each
    # PostTag's listing time in step with the post.
    tags: "models.ManyToManyField[Tag, PostTag]" = models.ManyToManyField(
        "Tag", through="PostTag", related_name="posts", blank=True, editable=False
    )
    # The image shown above the post and beside its summaries, one of its author's (checked by
    # the services); deleting the image leaves the post without one.
    cover_image = models.ForeignKey(
        "images.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The home page, feeds, search's newest matches and post.list: newest published
            # first, keyset-paginated. Partial on the listings' own WHERE (``published``).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(published=True),
                name="blog_post_published_idx",
            ),
            # An author's page: their published posts, newest first.
            models.Index(
                fields=["author", "-published_at", "-id"],
                condition=Q(published=True),
                name="blog_post_author_published_idx",
            ),
            # An author's drafts, newest first (their dashboard).
            models.Index(fields=["author", "-created_at"], name="blog_post_author_idx"),
            # The scheduler's due posts: only scheduled drafts are in it, so it stays small.
            models.Index(
                fields=["publish_at"],
                condition=Q(published=False, publish_at__isnull=False),
                name="blog_post_scheduled_idx",
            ),
        ]
        constraints = [
            # A published post always has its publication time: listings order by it.
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="blog_post_published_has_time",
            ),
            # Only a draft is scheduled: a published post's schedule would say nothing true.
            models.CheckConstraint(
                condition=Q(published=False) | Q(publish_at__isnull=True),
                name="blog_post_scheduled_is_draft",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(published=True), name="blog_post_published_slug"
            ),
            models.UniqueConstraint(fields=["author", "slug"], name="blog_post_author_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post", kwargs={"slug": self.slug})


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"
    # Kept, with its words, for the moderators; shown to everyone as a removed comment.
    HIDDEN = "hidden", "Hidden by a moderator"
    # A new account's comment waiting for a moderator: shown to its author alone, marked.
    HELD = "held", "Awaiting review"


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content = models.TextField(max_length=COMMENT_MAX_LENGTH)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # Deleting a comment through the site keeps a reply's thread (services.delete_comment marks
    # it deleted); deleting the row itself (admin) removes its replies with it.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # 0 for a comment on the post, its parent's depth + 1 for a reply; kept at or under
    # settings.COMMENT_MAX_DEPTH by services.create_comment.
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_deleted = models.BooleanField(default=False)
    # What moderation decided (moderation.services); a site-deleted comment stays "visible".
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    # Why a held comment waits for review (a new account, the spam checks), for the queue.
    held_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"], name="blog_comment_thread_idx")]

    def __str__(self) -> str:
        return f"{self.author} on {self.post}: {self.content[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.id}"

    @property
    def is_hidden(self) -> bool:
        return self.status == CommentStatus.HIDDEN

    @property
    def is_held(self) -> bool:
        return self.status == CommentStatus.HELD

    def clean(self) -> None:
        if (
            self.parent_id is not None
            and self.parent is not None
            and self.parent.post_id != self.post_id
        ):
            raise ValidationError({"parent": "A reply must be on the same post as its parent."})


class PostSlug(models.Model):
    """A slug a post had while it could be public: its old links lead to it (a 301 to its
    current slug). Held by one post only, and never taken by another (``services.update_post``);
    deleting the post deletes them."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.slug


class PostRevision(models.Model):
    """A post's title, content and excerpt as one save through the services left them: what
    its history page compares and what restoring writes back. Written, coalesced and pruned by
    ``blog.revisions`` only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SAVED = "saved", "Saved"
        AUTOSAVED = "autosaved", "Autosaved"
        RESTORED = "restored", "Restored"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    # Who saved it: the author, or staff; kept as "someone" when that account is deleted.
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # When it was saved; coalesced autosaves move it to the last of them.
    saved_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    content = models.TextField(blank=True)
    excerpt = models.CharField(max_length=EXCERPT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        indexes = [
            # A post's history, newest first (keyset pages), and its newest revision.
            models.Index(fields=["post", "-saved_at", "-id"], name="blog_revision_post_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind} {self.saved_at:%Y-%m-%d %H:%M})"


class Tag(models.Model):
    """A topic posts are filed under. Its slug is its identity (``/tags/<slug>/``): names that
    slugify alike are one tag, so names are also unique without regard to case."""

    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=TAG_SLUG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(Lower("name"), name="blog_tag_name_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", kwargs={"slug": self.slug})


class PostTag(models.Model):
    """A post filed under a tag, with the post's publication time while it is published, so a
    tag's page reads its newest posts from one index, as the home page does."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="post_tags")
    # The post's published_at while it is published; NULL while it is a draft (so a draft's
    # tags count nowhere). Kept by the services, like the post's own.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "tag"], name="blog_posttag_post_tag"),
        ]
        indexes = [
            # A tag's page, feed and post.list filter: newest published first, keyset-paginated.
            models.Index(
                fields=["tag", "-published_at", "-post"],
                condition=Q(published_at__isnull=False),
                name="blog_posttag_listing_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.tag_id}"
