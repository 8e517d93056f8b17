"""Who follows whom by email, and the publications their emails tell of."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Cadence(models.TextChoices):
    POST = "post", "An email for each new post"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"


class Follow(models.Model):
    """An address following one author (``author``) or the whole site (``author`` None). It
    gets nothing until the address confirms (double opt-in: ``confirmed_at``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Lower-cased when stored, so one address follows one author once.
    email = models.EmailField(max_length=254)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_followers",
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.POST)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The newest publication a digest has covered (digests tell of what came after it).
    digested_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "author"],
                condition=Q(author__isnull=False),
                name="follows_one_per_author",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(author__isnull=True), name="follows_one_of_the_site"
            ),
        ]
        indexes = [
            models.Index(
                fields=["author", "cadence"],
                condition=Q(confirmed_at__isnull=False),
                name="follows_confirmed_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.author or 'the site'}"


class Publication(models.Model):
    """A post's first publication, written in the publishing transaction: the one job the
    request leaves. The worker expands it into per-post emails (``fanned_out_at``) and the
    digests list it; a post unpublished or deleted takes its publication away."""

    post_id = models.UUIDField(unique=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    path = models.CharField(max_length=400)
    excerpt = models.TextField(blank=True)
    published_at = models.DateTimeField()
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            models.Index(
                fields=["published_at"],
                condition=Q(fanned_out_at__isnull=True),
                name="follows_publication_pending",
            ),
            models.Index(fields=["author", "published_at"], name="follows_publication_author"),
        ]

    def __str__(self) -> str:
        return self.title
