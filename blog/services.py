"""Writes of posts and comments: one transaction each, announced to subscribers on commit.

Callers fetch what they change through ``blog.selectors`` (which checks the permission);
these functions check the rules of the data itself.
"""

import re
import time
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Final, Literal
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from accounts.email_confirmation import require_confirmed_email
from accounts.models import User
from api.rate_limits import parse_rate
from blog import revisions, spam, view_counts
from blog.announcements import comment_change, held_comment, post_change
from blog.models import (
    COMMENT_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Comment,
    CommentStatus,
    Post,
    PostRevision,
    PostSlug,
    PostTag,
    Tag,
)
from blog.notifications import notify_on_commit
from blog.rendering import derive_excerpt, reading_minutes, render_markdown
from blog.tag_names import TagName, tag_name, tag_names
from follows.services import record_publication, withdraw_publication
from images import selectors as image_selectors
from images.models import Image
from images.services import delete_post_images, upload_image
from lib import counters, metrics
from lib.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from lib.text import has_uncarriable_characters
from realtime.broadcast import announce

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# A title is cut short enough to leave room for a "-N" suffix.
_SLUG_BASE_LENGTH = SLUG_MAX_LENGTH - 12
_SLUG_ATTEMPTS = 5
_NUMBER_SUFFIX = re.compile(r"-\d+$")
_SLUG_FORM = re.compile(r"[a-z0-9-]+")


class Unchanged(Enum):
    """An argument left out: the field keeps its value (where None is a value: ``update_post``'s
    ``publish_at=None`` unschedules, ``cover_image_id=None`` removes the cover)."""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED
# What ``update_post`` may be told of a schedule: a time, None (unschedule) or UNCHANGED.
ScheduleChange = datetime | Literal[Unchanged.UNCHANGED] | None


def _check_length(field: str, value: str, *, minimum: int, maximum: int) -> None:
    """Length rules, and only characters every page, feed and sitemap can carry."""
    if has_uncarriable_characters(value):
        raise InvalidInput({field: ["This field cannot contain control characters."]})
    if len(value.strip()) < minimum:
        raise InvalidInput({field: ["This field may not be blank."]})
    if len(value) > maximum:
        raise InvalidInput({field: [f"Ensure this field has no more than {maximum} characters."]})


def _check_post_fields(*, title: str | None, content: str | None, excerpt: str | None) -> None:
    if title is not None:
        _check_length("title", title, minimum=1, maximum=TITLE_MAX_LENGTH)
    if content is not None:
        _check_length("content", content, minimum=0, maximum=CONTENT_MAX_LENGTH)
    if excerpt is not None:
        _check_length("excerpt", excerpt, minimum=0, maximum=EXCERPT_MAX_LENGTH)


def _rendered(content: str) -> str:
    """The content as safe HTML, rendered once here so no view renders it; content that takes
    longer than settings.POST_RENDER_BUDGET_SECONDS is refused rather than stored."""
    started = time.perf_counter()
    html = render_markdown(content)
    if time.perf_counter() - started > settings.POST_RENDER_BUDGET_SECONDS:
        raise InvalidInput(
            {"content": ["This content takes too long to display; split it into smaller posts."]}
        )
    return html


def _check_publish_at(publish_at: datetime, *, is_published: bool) -> None:
    """A schedule is for a draft, at a time to come within settings.SCHEDULE_MAX_DAYS_AHEAD."""
    if is_published:
        raise InvalidInput(
            {"publishAt": ["A published post cannot be scheduled; unpublish it first."]}
        )
    now = timezone.now()
    if publish_at <= now:
        raise InvalidInput({"publishAt": ["Choose a time in the future."]})
    if publish_at > now + timedelta(days=settings.SCHEDULE_MAX_DAYS_AHEAD):
        raise InvalidInput(
            {"publishAt": [f"Choose a time within {settings.SCHEDULE_MAX_DAYS_AHEAD} days."]}
        )


def _slug_neighbours(author_id: UUID) -> QuerySet[Post]:
    """The posts a slug of this author's must not repeat: the published ones and the author's
    own. The author can see all of them, so the slug they get (and readers then see) says
    nothing about anyone else's drafts."""
    return Post.objects.filter(Q(published=True) | Q(author_id=author_id))


def _free_slug(base: str, post: Post) -> str:
    """``base``, or ``base-N`` with the smallest N ≥ 2 that no neighbour of ``post`` has, nor
    any other post had."""
    # Both in one query: a new post costs no more for it.
    taken = set(
        _slug_neighbours(post.author_id)
        .exclude(id=post.id)
        .filter(slug__startswith=base)
        .order_by()
        .values_list("slug", flat=True)
        .union(
            PostSlug.objects.exclude(post_id=post.id)
            .filter(slug__startswith=base)
            .order_by()
            .values_list("slug", flat=True)
        )
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _save_under_free_slug(post: Post, base: str, *, is_new: bool) -> None:
    """Save ``post`` under a free slug; a concurrent save of the same slug is retried."""
    for _ in range(_SLUG_ATTEMPTS):
        post.slug = _free_slug(base, post)
        try:
            with transaction.atomic():
                post.save(force_insert=is_new)
            return
        except IntegrityError:
            neighbours = _slug_neighbours(post.author_id).exclude(id=post.id)
            if not neighbours.filter(slug=post.slug).exists():
                raise
    raise InvalidInput({"slug": ["Could not find a free slug; try another title."]})


def _save_new_post(post: Post, slug_source: str) -> None:
    base = slugify(slug_source)[:_SLUG_BASE_LENGTH].strip("-") or "post"
    _save_under_free_slug(post, base, is_new=True)


def _save_published(post: Post) -> None:
    """Save a post going public. Its draft slug was its author's alone; if a published post
    took it meanwhile, it is numbered like any other collision."""
    if (
        Post.objects.filter(published=True, slug=post.slug).exclude(id=post.id).exists()
        or PostSlug.objects.filter(slug=post.slug).exclude(post_id=post.id).exists()
    ):
        _save_under_free_slug(post, _NUMBER_SUFFIX.sub("", post.slug), is_new=False)
    else:
        post.save()


def create_post(
    *,
    author: User,
    title: str,
    content: str = "",
    excerpt: str = "",
    published: bool = False,
    slug: str = "",
    publish_at: datetime | None = None,
    tags: list[str] | None = None,
    cover_image_id: UUID | None = None,
) -> Post:
    """A new post; its slug comes from ``slug`` or the title and never collides. A draft with
    ``publish_at`` is scheduled (``publish_due_posts`` publishes it then). ``tags`` are names:
    new ones are created, and names that slugify alike are one tag. Its cover image must be one
    of the author's. Its author must have confirmed their email address (Forbidden otherwise)."""
    require_confirmed_email(user=author)
    _check_post_fields(title=title, content=content, excerpt=excerpt)
    if publish_at is not None:
        _check_publish_at(publish_at, is_published=published)
    names = _checked_tags(tags)
    if slug:
        _check_length("slug", slug, minimum=1, maximum=SLUG_MAX_LENGTH)
    html = _rendered(content)
    post = Post(
        author=author,
        cover_image=_cover_image(author, cover_image_id),
        title=title.strip(),
        content=content,
        content_html=html,
        reading_minutes=reading_minutes(html),
        excerpt=excerpt.strip() or derive_excerpt(content),
        published=published,
        published_at=timezone.now() if published else None,
        publish_at=publish_at,
    )
    with transaction.atomic():
        _save_new_post(post, slug or title)
        if names:
            _file_post(post, names)
        revisions.record(post=post, saved_by=author, kind=PostRevision.Kind.CREATED)
        if post.published:
            announce(post_change(post, "created"))
            _record_publication(post)
    return post


def _record_publication(post: Post) -> None:
    """The post's first publication, for its email followers (the worker tells them)."""
    assert post.published_at is not None
    record_publication(
        post_id=post.id,
        author_id=post.author_id,
        title=post.title,
        path=post.get_absolute_url(),
        excerpt=post.excerpt,
        published_at=post.published_at,
    )


def _cover_image(author: User, image_id: UUID | None) -> Image | None:
    """The author's image ``image_id`` (None: no cover); anyone else's is refused."""
    if image_id is None:
        return None
    try:
        return image_selectors.owned_image(owner=author, image_id=image_id)
    except NotFound:
        raise InvalidInput({"coverImageId": ["Choose one of the author's own images."]}) from None


def _check_new_slug(post: Post, slug: str) -> None:
    """A slug the author chose: its form, and free among the post's neighbours' slugs and
    every other post's old ones (whose links must keep leading to that post)."""
    _check_length("slug", slug, minimum=1, maximum=SLUG_MAX_LENGTH)
    if not _SLUG_FORM.fullmatch(slug):
        raise InvalidInput({"slug": ["Use only lowercase letters, digits and hyphens."]})
    if _slug_neighbours(post.author_id).exclude(id=post.id).filter(slug=slug).exists():
        raise InvalidInput({"slug": ["Another post has this slug."]})
    if PostSlug.objects.exclude(post_id=post.id).filter(slug=slug).exists():
        raise InvalidInput({"slug": ["Another post had this slug; its old links lead there."]})


def _retire_slug(post: Post, new_slug: str, *, was_public: bool) -> None:
    """Move the post to ``new_slug``. The old one keeps answering (``PostSlug``) if the post
    has been public, so links to it could exist; a never-published draft's old slug just
    goes. Taking back one of its own old slugs removes that record."""
    PostSlug.objects.filter(post_id=post.id, slug=new_slug).delete()
    if was_public:
        PostSlug.objects.create(post=post, slug=post.slug)
    post.slug = new_slug


def update_post(
    *,
    post: Post,
    title: str | None = None,
    content: str | None = None,
    excerpt: str | None = None,
    published: bool | None = None,
    slug: str | None = None,
    publish_at: ScheduleChange = UNCHANGED,
    saved_by: User | None = None,
    revision_kind: str = PostRevision.Kind.SAVED,
    tags: list[str] | None = None,
    cover_image_id: UUID | Unchanged | None = UNCHANGED,
) -> Post:
    """Change the given fields. A new ``slug`` retires the old one, whose links keep leading
    to the post; without one the slug stays, and only a post going public whose slug a
    published post took meanwhile gets a numbered one. ``publish_at`` schedules a draft (None
    unschedules it); publishing, however it happens, ends its schedule. ``tags`` replace the
    post's tags. ``cover_image_id`` None removes the cover; another must be the author's image.
    A change of its title, content or excerpt keeps a revision of ``revision_kind`` by
    ``saved_by``."""
    _check_post_fields(title=title, content=content, excerpt=excerpt)
    if publish_at is not UNCHANGED and publish_at is not None:
        _check_publish_at(
            publish_at, is_published=post.published if published is None else published
        )
    names = _checked_tags(tags)
    if not isinstance(cover_image_id, Unchanged):
        post.cover_image = _cover_image(post.author, cover_image_id)
    text_before = revisions.text_of(post)
    is_new_slug = slug is not None and slug != post.slug
    if slug is not None and is_new_slug:
        _check_new_slug(post, slug)
    was_published = post.published
    was_public = post.published_at is not None
    if title is not None:
        post.title = title.strip()
    if content is not None:
        post.content_html = _rendered(content)
        post.reading_minutes = reading_minutes(post.content_html)
        post.content = content
    if excerpt is not None or content is not None:
        given = excerpt if excerpt is not None else ""
        post.excerpt = given.strip() or derive_excerpt(post.content)
    if published is not None:
        post.published = published
    if publish_at is not UNCHANGED:
        post.publish_at = publish_at
    if post.published:
        post.publish_at = None
    if post.published and post.published_at is None:
        # First publication; unpublishing and publishing again keep this time.
        post.published_at = timezone.now()
    with transaction.atomic():
        if slug is not None and is_new_slug:
            _save_under_new_slug(post, slug, was_public=was_public)
        elif post.published and not was_published:
            _save_published(post)
        else:
            post.save()
        if names is not None or post.published != was_published:
            _file_post(post, names)
        if revisions.text_of(post) != text_before:
            revisions.record(post=post, saved_by=saved_by, kind=revision_kind)
        if was_published and post.published:
            announce(post_change(post, "updated"))
        elif post.published:
            announce(post_change(post, "created"))
            if not was_public:
                _record_publication(post)
        elif was_published:
            # Unpublished: gone, as far as readers are concerned.
            announce(post_change(post, "deleted"))
            withdraw_publication(post_id=post.id)
    return post


def _save_under_new_slug(post: Post, slug: str, *, was_public: bool) -> None:
    """Save ``post`` under the slug its author chose (checked free); one taken by a concurrent
    write meanwhile is refused like any taken slug."""
    old_slug = post.slug
    try:
        with transaction.atomic():
            _retire_slug(post, slug, was_public=was_public)
            post.save()
    except IntegrityError:
        post.slug = old_slug
        raise InvalidInput({"slug": ["Another post has this slug."]}) from None


def publish_due_posts(*, batch_size: int) -> list[Post]:
    """Publish every scheduled post whose time has come, each through ``update_post`` (so it
    is announced, listed, searchable and dropped from the read caches like any other), in
    transactions of ``batch_size`` posts; the posts published.

    Safe to run twice at once: on PostgreSQL each batch locks its rows and skips those another
    run holds (``SKIP LOCKED``); SQLite's IMMEDIATE transactions run one writer at a time. A
    post published meanwhile is no longer due, so nothing is published twice."""
    published: list[Post] = []
    while True:
        with transaction.atomic():
            due = list(
                Post.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("author")
                .filter(published=False, publish_at__lte=timezone.now())
                .order_by("publish_at", "id")[:batch_size]
            )
            for post in due:
                update_post(post=post, published=True)
        if not due:
            return published
        published += due


def preview_post(*, author: User, content: str) -> str:
    """The content as its post's page would show it, for the editor's live preview: within the
    render budget of a save, and at most settings.POST_PREVIEW_RATE per author."""
    _check_post_fields(title=None, content=content, excerpt=None)
    limit, window_seconds = parse_rate(settings.POST_PREVIEW_RATE)
    count = counters.add(f"blog.preview.{author.pk}", window_seconds=window_seconds)
    if count.value > limit:
        raise TooManyRequests(
            f"Too many previews; the next in {count.window_ends_in} s.",
            retry_after=count.window_ends_in,
        )
    return _rendered(content)


def autosave_post(
    *,
    author: User,
    post: Post | None,
    title: str,
    content: str,
    excerpt: str,
    base_revision_id: UUID | None,
) -> tuple[Post, PostRevision]:
    """Save the editor's text while its author types: a new post becomes a draft, a draft is
    updated (autosaves coalesce into one revision). A published post is refused (readers must
    not see half-typed text), and so is text based on a revision that is no longer the newest
    (another tab, or a restore, changed the post since)."""
    if post is None:
        post = create_post(author=author, title=title, content=content, excerpt=excerpt)
    else:
        if post.published:
            raise Conflict("A published post is not autosaved: save it to publish your changes.")
        with transaction.atomic():
            # One autosave at a time per post, so two cannot both pass the check below.
            list(Post.objects.select_for_update().filter(id=post.id).values_list("id"))
            newest = post.revisions.order_by("-saved_at", "-id").values_list("id", flat=True)
            if newest.first() != base_revision_id:
                raise Conflict(
                    "This post was changed elsewhere since this editor opened it; "
                    "reload to see it (copy your text first)."
                )
            update_post(
                post=post,
                title=title,
                content=content,
                excerpt=excerpt,
                saved_by=author,
                revision_kind=PostRevision.Kind.AUTOSAVED,
            )
    return post, post.revisions.order_by("-saved_at", "-id")[0]


def restore_revision(*, post: Post, revision: PostRevision, restored_by: User) -> Post:
    """Write a revision's text back to its post, as any update is written (slug, rendering,
    search and announcements follow); the result is itself a revision."""
    if revision.post_id != post.id:
        raise NotFound("No such revision of this post.")
    return update_post(
        post=post,
        title=revision.title,
        content=revision.content,
        excerpt=revision.excerpt,
        saved_by=restored_by,
        revision_kind=PostRevision.Kind.RESTORED,
    )


def _checked_tags(tags: list[str] | None) -> list[TagName] | None:
    if tags is None:
        return None
    return tag_names(tags, maximum=settings.TAGS_PER_POST_MAX)


def _file_post(post: Post, names: list[TagName] | None) -> None:
    """File ``post`` under exactly ``names`` (None: the tags it has), each filing listed at
    the post's publication time while it is published and at none while it is a draft."""
    listed_at = post.published_at if post.published else None
    if names is not None:
        tags = _tags_named(names, writer_id=post.author_id)
        PostTag.objects.filter(post=post).exclude(tag__in=tags).delete()
        filed = set(PostTag.objects.filter(post=post).values_list("tag_id", flat=True))
        # A concurrent save of the same post may have filed it meanwhile: one filing stays.
        PostTag.objects.bulk_create(
            (
                PostTag(post=post, tag=tag, published_at=listed_at)
                for tag in tags
                if tag.id not in filed
            ),
            ignore_conflicts=True,
        )
        # The caller's post may hold its old tags, prefetched by the selector that fetched it.
        getattr(post, "_prefetched_objects_cache", {}).pop("tags", None)
    PostTag.objects.filter(post=post).exclude(published_at=listed_at).update(published_at=listed_at)


def _tags_named(names: list[TagName], *, writer_id: UUID) -> list[Tag]:
    """The tag of each name, created when new. A tag the writer cannot see (only other
    people's drafts carry it) takes the writer's spelling, so its name tells them nothing."""
    found = {tag.slug: tag for tag in Tag.objects.filter(slug__in=[name.slug for name in names])}
    seen_by_writer = set(
        Tag.objects.filter(id__in=[tag.id for tag in found.values()])
        .filter(
            Exists(
                PostTag.objects.filter(tag=OuterRef("pk")).filter(
                    Q(published_at__isnull=False) | Q(post__author_id=writer_id)
                )
            )
        )
        .values_list("id", flat=True)
    )
    tags = []
    for name in names:
        tag = found.get(name.slug)
        if tag is None:
            tag = _new_tag(name)
        elif tag.id not in seen_by_writer and tag.name != name.name:
            tag.name = name.name
            tag.save(update_fields=["name"])
        tags.append(tag)
    return tags


def _new_tag(name: TagName) -> Tag:
    """A new tag; one made meanwhile by a concurrent save (same slug) is that one."""
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name.name, slug=name.slug)
    except IntegrityError:
        tag = Tag.objects.filter(Q(slug=name.slug) | Q(name__iexact=name.name)).first()
        if tag is None:
            raise
        return tag


def rename_tag(*, tag: Tag, name: str) -> Tag:
    """Give ``tag`` a new spelling of the same slug (its address stays): an editor's
    correction. Cached public reads show the old name for at most
    ``settings.PUBLIC_READ_CACHE_SECONDS``."""
    try:
        renamed = tag_name(name)
    except InvalidInput as error:
        raise InvalidInput({"name": error.field_errors["tags"]}) from None
    if renamed.slug != tag.slug:
        raise InvalidInput({"name": [f"The new name must keep the address “{tag.slug}”."]})
    tag.name = renamed.name
    try:
        with transaction.atomic():
            tag.save(update_fields=["name"])
    except IntegrityError:
        raise InvalidInput({"name": ["Another tag has this name."]}) from None
    return tag


def add_post_image(
    *, post: Post, upload: "UploadedFile", alt: str = "", as_cover: bool = False
) -> Image:
    """An image uploaded for the post by its author (``images.services.upload_image``), made
    its cover if asked, in one transaction: a refused cover keeps no image either."""
    with transaction.atomic():
        image = upload_image(owner=post.author, upload=upload, alt=alt, post_id=post.id)
        if as_cover:
            update_post(post=post, cover_image_id=image.id)
    return image


def delete_post(*, post: Post) -> None:
    """Delete the post, its comments and the images uploaded for it (their files on commit)."""
    with transaction.atomic():
        if post.published:
            announce(post_change(post, "deleted"))
        withdraw_publication(post_id=post.id)

        delete_post_images(post_id=post.id)
        post.delete()


def record_post_view(*, post_id: UUID) -> None:
    """Count one view of the post: pending in Redis and added to its ``view_count`` in batches,
    out of the read's way, or at once without Redis (``blog.view_counts``). An answer shows the
    stored count, without its own view."""
    view_counts.record(post_id)


def _check_comment_content(content: str) -> None:
    _check_length("content", content, minimum=1, maximum=COMMENT_MAX_LENGTH)


def _reply_place(parent: Comment | None) -> tuple[UUID | None, int]:
    """The parent id and depth of a reply to ``parent``. Under ``parent`` while that keeps
    within settings.COMMENT_MAX_DEPTH; a reply to a comment at the cap attaches to that
    comment's parent (the deepest allowed ancestor), beside it, as forums do."""
    if parent is None:
        return None, 0
    cap = settings.COMMENT_MAX_DEPTH
    if parent.depth < cap:
        return parent.id, parent.depth + 1
    ancestor_id, ancestor_depth = parent.parent_id, parent.depth - 1
    # Only threads stored deeper than the cap (before it, or after lowering it) walk further.
    while ancestor_id is not None and ancestor_depth >= cap:
        ancestor_id = (
            Comment.objects.filter(id=ancestor_id).values_list("parent_id", flat=True).first()
        )
        ancestor_depth -= 1
    return (ancestor_id, cap) if ancestor_id is not None else (None, 0)


def create_comment(
    *,
    author: User,
    post: Post,
    content: str,
    parent: Comment | None = None,
    client_address: str | None = None,
) -> Comment:
    """Add a comment to a published post; a reply stays on its parent's post, and a reply
    deeper than settings.COMMENT_MAX_DEPTH attaches to the deepest allowed ancestor. The spam
    checks (``blog.spam``) hold it for review or refuse it, storing nothing. Its author must
    have confirmed their email address (Forbidden otherwise)."""
    require_confirmed_email(user=author)
    _check_comment_content(content)
    if not post.published:
        raise InvalidInput({"postId": ["Comments are open on published posts only."]})
    if parent is not None and (parent.post_id != post.id or parent.is_deleted or parent.is_hidden):
        raise InvalidInput({"parentId": ["A reply must be to a live comment on the same post."]})
    parent_id, depth = _reply_place(parent)
    held_reason = _held_reason(author, content, client_address)
    status = CommentStatus.HELD if held_reason else CommentStatus.VISIBLE
    with transaction.atomic():
        comment = Comment.objects.create(
            author=author,
            post=post,
            parent_id=parent_id,
            depth=depth,
            content=content.strip(),
            status=status,
            held_reason=held_reason,
        )
        announce(held_comment(comment) if comment.is_held else comment_change(comment, "created"))
        if not comment.is_held:
            notify_on_commit(comment=comment)  # a held comment's, once released
    return comment


def _held_reason(author: User, content: str, client_address: str | None) -> str:
    """Why a new comment waits for a moderator ("" when it need not); raises when the spam
    checks refuse it."""
    verdict = spam.judge(
        spam.Submission(author=author, content=content, client_address=client_address)
    )
    if verdict.outcome is spam.Outcome.SPAM:
        metrics.SPAM_REFUSALS.labels(check="checks").inc()
        if verdict.retry_after is not None:
            raise TooManyRequests(verdict.reason, retry_after=verdict.retry_after)
        raise InvalidInput({"content": [verdict.reason]})
    reasons = [verdict.reason] if verdict.outcome is spam.Outcome.SUSPICIOUS else []
    if _is_held_for_review(author):
        reasons.insert(0, "A new account's first comments")
    return "; ".join(reasons)[: Comment._meta.get_field("held_reason").max_length]


def _is_held_for_review(author: User) -> bool:
    """Whether a new comment of ``author`` waits for a moderator: until
    settings.MODERATION_HOLD_FIRST_COMMENTS of theirs have been shown (staff never wait)."""
    first = settings.MODERATION_HOLD_FIRST_COMMENTS
    if first == 0 or author.is_staff:
        return False
    shown = Comment.objects.filter(author=author).exclude(status=CommentStatus.HELD)[:first]
    return shown.count() < first


def update_comment(*, comment: Comment, content: str) -> Comment:
    _check_comment_content(content)
    comment.content = content.strip()
    with transaction.atomic():
        comment.save(update_fields=["content", "updated_at"])
        if comment.post.published:
            announce(comment_change(comment, "updated"))
    return comment


def delete_comment(*, comment: Comment) -> None:
    """Remove a comment. One with replies stays as a "deleted" placeholder so its thread keeps
    its shape; its words are erased either way."""
    change = comment_change(comment, "deleted")  # before delete() forgets the id
    with transaction.atomic():
        if comment.replies.exists():
            comment.is_deleted = True
            comment.content = ""
            comment.save(update_fields=["is_deleted", "content", "updated_at"])
        else:
            comment.delete()
        if comment.post.published:
            announce(change)


def hide_comment(*, comment: Comment) -> None:
    """Hide a comment from everyone (moderation): readers see it as removed, its replies stay,
    and its words are kept for the moderators. Hiding a hidden comment changes nothing."""
    if comment.is_hidden:
        return
    comment.status = CommentStatus.HIDDEN
    with transaction.atomic():
        comment.save(update_fields=["status", "updated_at"])
        if comment.post.published and not comment.is_deleted:
            announce(comment_change(comment, "deleted"))


def unhide_comment(*, comment: Comment) -> bool:
    """Show a hidden comment again (moderation undone), announced as new so open pages show
    it; whether it was hidden (one shown again meanwhile, from another tab, changes nothing)."""
    with transaction.atomic():
        shown = Comment.objects.filter(id=comment.id, status=CommentStatus.HIDDEN).update(
            status=CommentStatus.VISIBLE, updated_at=timezone.now()
        )
        if not shown:
            return False
        comment.status = CommentStatus.VISIBLE
        if comment.post.published and not comment.is_deleted:
            announce(comment_change(comment, "created"))
    return True


_ALREADY_REVIEWED = "This comment was already reviewed; nothing was changed."


def release_comment(*, comment: Comment) -> None:
    """Show a held comment to everyone, announced as if it were new. One no longer held
    (released or rejected meanwhile, from another tab) is a Conflict that changes nothing."""
    with transaction.atomic():
        released = Comment.objects.filter(id=comment.id, status=CommentStatus.HELD).update(
            status=CommentStatus.VISIBLE, updated_at=timezone.now()
        )
        if not released:
            raise Conflict(_ALREADY_REVIEWED)
        comment.status = CommentStatus.VISIBLE
        if comment.post.published:
            announce(comment_change(comment, "created"))
        notify_on_commit(comment=comment)  # as if it were new: its replies' authors hear now


def reject_comment(*, comment: Comment) -> None:
    """Delete a held comment nobody else saw (so nothing is announced); a Conflict if it is
    no longer held."""
    with transaction.atomic():
        deleted, _ = Comment.objects.filter(id=comment.id, status=CommentStatus.HELD).delete()
        if not deleted:
            raise Conflict(_ALREADY_REVIEWED)
