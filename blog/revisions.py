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
    previous autosave (within settings.POST_REVISION_COALESCE_SECONDS) updates that one."""
    now = timezone.now()
    if kind == PostRevision.Kind.AUTOSAVED and saved_by is not None:
        newest = PostRevision.objects.filter(post=post).order_by("-saved_at", "-id").first()
        window = timedelta(seconds=settings.POST_REVISION_COALESCE_SECONDS)
        if (
            newest is not None
            and newest.kind == PostRevision.Kind.AUTOSAVED
            and newest.saved_by_id == saved_by.pk
            and newest.saved_at >= now - window
        ):
            newest.title, newest.content, newest.excerpt = text_of(post)
            newest.saved_at = now
            newest.save(update_fields=[*REVISED_FIELDS, "saved_at"])
            return newest
    revision = PostRevision.objects.create(
        post=post,
        saved_by=saved_by,
        kind=kind,
        saved_at=now,
        title=post.title,
        content=post.content,
        excerpt=post.excerpt,
    )
    if kind != PostRevision.Kind.CREATED:  # a new post's first revision is its only one
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
