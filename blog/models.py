"""Posts and threaded comments. Rules that span rows live in services; these are the rows."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 220
EXCERPT_MAX_LENGTH = 300
CONTENT_MAX_LENGTH = 2 * 1024 * 1024
COMMENT_MAX_LENGTH = 10_000


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
        ]
        constraints = [
            # A published post always has its publication time: listings order by it.
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="blog_post_published_has_time",
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
