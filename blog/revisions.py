"""A post's revisions as the services save it: one per change of its text, consecutive
autosaves by one person coalesced into one, and the oldest beyond settings.POST_REVISIONS_KEPT
pruned in the same transaction. Only ``blog.services`` calls these, inside its transactions."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from blog.models import Post, PostRevision

# What a revision keeps of a post: what restoring writes back.
REVISED_FIELDS = ("title", "content", "excerpt")


def text_of(post: Post) -> tuple[str, ...]:
    """The post's revised fields, to tell whether a save changed them."""
    return tuple(getattr(post, name) for name in REVISED_FIELDS)


def record(*, post: Post, saved_by: User | None, kind: str) -> PostRevision:
    """Keep the post's current text as a revision. An autosave right after the same person's
    previous autosave (within settings.POST_REVISION_COALESCE_SECONDS) replaces that one: one
    revision, under a new id, so an editor in another tab that built on the old one is told its
    text is stale (``services.autosave_post``) instead of silently overwriting this."""
    now = timezone.now()
    is_replacing = False
    if kind == PostRevision.Kind.AUTOSAVED and saved_by is not None:
        newest = PostRevision.objects.filter(post=post).order_by("-saved_at", "-id").first()
        window = timedelta(seconds=settings.POST_REVISION_COALESCE_SECONDS)
        is_replacing = (
            newest is not None
            and newest.kind == PostRevision.Kind.AUTOSAVED
            and newest.saved_by_id == saved_by.pk
            and newest.saved_at >= now - window
        )
        if newest is not None and is_replacing:
            newest.delete()
    revision = PostRevision.objects.create(
        post=post,
        saved_by=saved_by,
        kind=kind,
        saved_at=now,
        title=post.title,
        content=post.content,
        excerpt=post.excerpt,
    )
    # A new post's first revision is its only one; a replaced autosave adds none.
    if kind != PostRevision.Kind.CREATED and not is_replacing:
        _prune(post)
    return revision


def _prune(post: Post) -> None:
    """Delete the post's revisions beyond the newest settings.POST_REVISIONS_KEPT."""
    beyond = list(
        PostRevision.objects.filter(post=post)
        .order_by("-saved_at", "-id")
        .values_list("id", flat=True)[settings.POST_REVISIONS_KEPT :]
    )
    if beyond:
        PostRevision.objects.filter(id__in=beyond).delete()
