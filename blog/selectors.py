"""Reads of posts and comments. Anything that could leak a draft takes the viewer."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, TruncMonth

from accounts.models import User
from blog.announcements import comments_channel_column
from blog.models import Comment, CommentStatus, Post, PostRevision, PostTag, Tag
from blog.pagination import (
    Page,
    Position,
    decode_offset,
    decode_position,
    encode_offset,
    encode_position,
)
from blog.revision_diffs import LineDiff, diff_lines
from blog.search import SEARCH_CANDIDATES, matching_posts
from blog.tag_names import tag_name
from images import outputs as image_outputs
from lib.compiled_query import CompiledQuery
from lib.errors import Forbidden, InvalidInput, NotFound
from lib.process_cache import process_cache
from realtime.event_log import head_columns

Viewer = User | AnonymousUser


if TYPE_CHECKING:
    from blog.search import SearchHit


def _is_staff(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_staff)


def _live_comment_count() -> Coalesce:
    """A post's live comments, counted per row: a correlated subquery rather than a join and
    GROUP BY, so a newest-first page reads 20 rows of the feed index, not every post."""
    comments = (
        Comment.objects.filter(post=OuterRef("pk"), is_deleted=False, status=CommentStatus.VISIBLE)
        .order_by()
        .values("post")
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(comments, output_field=IntegerField()), 0)


# Tag names and slugs never hold control characters (blog.tag_names): these two separate them
# in a row's ``tag_list`` column, "slug\x1fname" pairs joined by "\x1e".
_TAG_PART_SEPARATOR = "\x1f"
_TAG_SEPARATOR = "\x1e"


class _JoinedText(Aggregate):
    """The group's texts joined by character 30 (``_TAG_SEPARATOR``), in no set order:
    PostgreSQL's string_agg, SQLite's group_concat."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, chr(30))"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, char(30))",
            **extra,
        )


def _tag_list() -> Subquery:
    """A post's tags in one text column (a correlated subquery on the filings' (post, tag)
    index): a page of rows carries its tags with no query of their own."""
    filings = (
        PostTag.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(
            joined=_JoinedText(
                Concat(
                    "tag__slug",
                    Value(_TAG_PART_SEPARATOR),
                    "tag__name",
                    output_field=TextField(),
                )
            )
        )
        .values("joined")
    )
    return Subquery(filings, output_field=TextField())


def _tags_of(tag_list: str | None) -> list[dict[str, str]]:
    """A row's ``tag_list`` as ``{"name", "slug"}`` items, by slug."""
    if not tag_list:
        return []
    tags = []
    for pair in tag_list.split(_TAG_SEPARATOR):
        slug, _, name = pair.partition(_TAG_PART_SEPARATOR)
        tags.append({"name": name, "slug": slug})
    return sorted(tags, key=lambda tag: tag["slug"])


def _rows_of(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Posts with what a summary row needs besides their columns: comment count, tags."""
    return posts.annotate(comment_count=_live_comment_count(), tag_list=_tag_list())


def _with_tags() -> Prefetch:
    """A post's tags, by slug: one query for a whole page of posts."""
    return Prefetch("tags", queryset=Tag.objects.only("name", "slug").order_by("slug"))


def _summaries() -> QuerySet[Post]:
    """Posts with what a listing shows: author (joined), live comment count (annotated),
    where each post's comments channel stood when that count was read (``comments_epoch``,
    ``comments_offset``), for a live page to count on from, and tags (prefetched)."""
    return (
        Post.objects.select_related("author", "cover_image")
        .defer("content", "content_html")
        .annotate(
            comment_count=_live_comment_count(),
            **head_columns(comments_channel_column(), "comments"),
        )
        .prefetch_related(_with_tags())
    )


# What a post summary shows (blog.outputs): the author's shown columns, not select_related's
# every one (password hash, bio, …).
SUMMARY_COLUMNS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "published",
    "view_count",
    "created_at",
    "updated_at",
    "published_at",
    "author_id",
    "author__name",
    "author__avatar_url",
    # The cover image (one LEFT JOIN): images.outputs.shown_from_row.
    *(f"cover_image__{column}" for column in image_outputs.SHOWN_COLUMNS),
    # Last: lib.compiled_query names a row's columns with the annotations after the fields.
    "comment_count",
    "tag_list",
)
_SHOWN_AUTHOR_COLUMNS = ("author__id", "author__name", "author__avatar_url")
_SHOWN_COVER_COLUMNS = tuple(f"cover_image__{column}" for column in image_outputs.SHOWN_COLUMNS)


def _readable(viewer: Viewer) -> Q:
    if _is_staff(viewer):
        return Q()
    if viewer.is_authenticated:
        return Q(published=True) | Q(author=viewer)
    return Q(published=True)


def readable_posts(*, viewer: Viewer) -> QuerySet[Post]:
    """Published posts, plus the viewer's own drafts (every draft for staff)."""
    return Post.objects.filter(_readable(viewer))


def _own_first(viewer: Viewer) -> Case | Value:
    if not viewer.is_authenticated:
        return Value(0)
    return Case(When(author_id=viewer.pk, then=Value(0)), default=Value(1))


def post_page(
    *,
    viewer: Viewer,
    limit: int,
    cursor: str | None = None,
    author_id: UUID | None = None,
    published: bool = True,
    tag: str | None = None,
    with_content: bool = False,
    published_in: tuple[datetime, datetime] | None = None,
) -> Page[Post]:
    """Newest first: published posts by their publication time (those filed under the
    ``tag`` slug, when given; those first published in ``published_in``, from its start up to
    its end, when given). ``published=False`` lists the viewer's own drafts (nobody else's),
    by their creation time. ``with_content`` loads the content too (full feeds)."""
    position = decode_position(cursor) if cursor else None
    summaries = _summaries().defer(None) if with_content else _summaries()
    if tag is not None:
        posts = _tagged_listing(summaries, tag, position)
    else:
        posts = _listing(summaries, viewer, position, author_id, published)
    if published_in is not None:
        # A range of the listing's own index: a month's page reads that month's rows only.
        posts = posts.filter(published_at__gte=published_in[0], published_at__lt=published_in[1])
    items = list(posts[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = encode_position(Position(getattr(last, _order_field(published)), last.id))
    return Page(items, next_cursor)


def post_row_page(
    *,
    viewer: Viewer,
    limit: int,
    cursor: str | None = None,
    author_id: UUID | None = None,
    published: bool = True,
    tag: str | None = None,
) -> Page[dict[str, Any]]:
    """``post_page`` as ``SUMMARY_COLUMNS`` rows and each row's ``tags``, for outputs built
    without model instances. Published posts (the same for every viewer) come from a query
    compiled once per shape."""
    position = decode_position(cursor) if cursor else None
    if tag is not None:
        rows = _TAGGED_ROWS.rows(
            limit=limit + 1,
            tag=tag,
            before=position.at if position else None,
            before_id=position.id if position else None,
        )
    elif published:
        rows = _PUBLISHED_ROWS.rows(
            limit=limit + 1,
            before=position.at if position else None,
            before_id=position.id if position else None,
            author_id=author_id,
        )
    else:
        listing = _listing(_rows_of(Post.objects.all()), viewer, position, author_id, published)
        rows = list(listing.values(*SUMMARY_COLUMNS)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_position(Position(last[_order_field(published)], last["id"]))
    for row in rows:
        row["tags"] = _tags_of(row.pop("tag_list"))
    return Page(rows, next_cursor)


def _published_rows(
    *, limit: int, before: datetime | None, before_id: UUID | None, author_id: UUID | None
) -> "QuerySet[Post, dict[str, Any]]":
    position = Position(before, before_id) if before and before_id else None
    listing = _listing(_rows_of(Post.objects.all()), AnonymousUser(), position, author_id, True)
    return listing.values(*SUMMARY_COLUMNS)[:limit]


_PUBLISHED_ROWS = CompiledQuery(
    _published_rows,
    {
        "before": Post._meta.get_field("published_at"),
        "before_id": Post._meta.get_field("id"),
        "author_id": Post._meta.get_field("author"),
    },
)


def _tagged_rows(
    *, limit: int, tag: str, before: datetime | None, before_id: UUID | None
) -> "QuerySet[Post, dict[str, Any]]":
    position = Position(before, before_id) if before and before_id else None
    listing = _tagged_listing(_rows_of(Post.objects.all()), tag, position)
    return listing.values(*SUMMARY_COLUMNS)[:limit]


_TAGGED_ROWS = CompiledQuery(
    _tagged_rows,
    {
        "tag": Tag._meta.get_field("slug"),
        "before": PostTag._meta.get_field("published_at"),
        "before_id": Post._meta.get_field("id"),
    },
)


def archive_months() -> list[dict[str, Any]]:
    """Every month with published posts, newest first: ``month`` (its first instant) and
    ``post_count``. One aggregate over the published posts' index, kept in the cache for
    ARCHIVE_MONTHS_CACHE_SECONDS, so a month's new post shows there within that time."""

    def count() -> list[dict[str, Any]]:
        months = (
            Post.objects.filter(published=True)
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(post_count=Count("id"))
            .order_by("-month")
        )
        return list(months)

    return cast(
        list[dict[str, Any]],
        process_cache().get_or_set(
            "blog.archive_months", count, settings.ARCHIVE_MONTHS_CACHE_SECONDS
        ),
    )


def _listing(
    posts: QuerySet[Post],
    viewer: Viewer,
    position: Position | None,
    author_id: UUID | None,
    published: bool,
) -> QuerySet[Post]:
    """A newest-first listing's filters and order (see ``post_page``)."""
    order = _order_field(published)
    if published:
        posts = posts.filter(published=True)
    elif viewer.is_authenticated:
        posts = posts.filter(published=False, author=viewer)
    else:
        posts = posts.none()
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
    if position is not None:
        # The first condition alone bounds the index scan (PostgreSQL cannot take the OR as
        # an index condition): a deep page reads its own rows, not every newer one.
        posts = posts.filter(**{f"{order}__lte": position.at}).filter(
            Q(**{f"{order}__lt": position.at}) | Q(**{order: position.at, "id__lt": position.id})
        )
    return posts.order_by(f"-{order}", "-id")


def _tagged_listing(posts: QuerySet[Post], tag: str, position: Position | None) -> QuerySet[Post]:
    """Published posts filed under the ``tag`` slug, newest first, from the filings' own
    index (``blog_posttag_listing_idx``): the tag's id is read first (an InitPlan), so the
    scan of its filings comes in the index's order, a page at a time."""
    tag_id = Subquery(Tag.objects.filter(slug=tag).values("id")[:1])
    # One filter() call: every condition on the same filing (join) of the post.
    filed = Q(post_tags__tag_id=tag_id, post_tags__published_at__isnull=False)
    if position is not None:
        filed &= Q(post_tags__published_at__lte=position.at) & (
            Q(post_tags__published_at__lt=position.at)
            | Q(post_tags__published_at=position.at, id__lt=position.id)
        )
    return posts.filter(filed, published=True).order_by("-post_tags__published_at", "-id")


def _order_field(published: bool) -> str:
    """What a listing orders by: published posts by when they were first published (the
    ``blog_post_published_idx`` order), drafts by when they were started."""
    return "published_at" if published else "created_at"


def post_for_viewer(
    *, viewer: Viewer, slug: str | None = None, post_id: UUID | None = None
) -> Post:
    """One post with its content; drafts are NotFound to everyone but their author and staff.
    By a slug the post had, the post, under its current ``slug``."""
    return _one_post(_summaries().defer(None), viewer, slug, post_id)


def post_to_show(*, viewer: Viewer, slug: str | None = None, post_id: UUID | None = None) -> Post:
    """``post_for_viewer`` for a reader: only the author's shown columns are loaded, so the
    post is for showing and counting a view, not for saving."""
    posts = (
        Post.objects.select_related("author", "cover_image")
        .only(
            *(field.name for field in Post._meta.concrete_fields),
            *_SHOWN_AUTHOR_COLUMNS,
            *_SHOWN_COVER_COLUMNS,
        )
        .annotate(comment_count=_live_comment_count())
        .prefetch_related(_with_tags())
    )
    return _one_post(posts, viewer, slug, post_id)


def _one_post(
    posts: QuerySet[Post], viewer: Viewer, slug: str | None, post_id: UUID | None
) -> Post:
    if slug is None:
        post = posts.filter(**{"id": post_id}).first()
    else:
        # Drafts of different authors may share a slug (and one published post): the viewer's
        # own post first, then the published one.
        post = (
            posts.filter(_readable(viewer), slug=slug)
            .order_by(_own_first(viewer), "-published", "-created_at")
            .first()
        )
        if post is None:
            # A slug the post had (``PostSlug``): the post, whose ``slug`` is its current one.
            post = posts.filter(_readable(viewer), old_slugs__slug=slug).first()
    if post is None or not (post.published or _is_staff(viewer) or post.author_id == viewer.pk):
        raise NotFound("No such post.")
    return post


def published_post(*, post_id: UUID) -> Post:
    """A published post (comments are open on these only)."""
    post = Post.objects.filter(id=post_id, published=True).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def published_post_by_slug(*, slug: str) -> Post:
    """A published post at its current slug, with its author (its share card); NotFound for a
    draft, an old slug or none, as for anyone."""
    post = Post.objects.select_related("author").filter(slug=slug, published=True).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def is_published_post(*, post_id: str) -> bool:
    """Whether ``post_id`` (as a client wrote it) names a published post: whose comments anyone
    may follow live."""
    try:
        post_uuid = UUID(post_id)
    except ValueError:
        return False
    return Post.objects.filter(id=post_uuid, published=True).exists()


def post_for_edit(*, user: Viewer, post_id: UUID) -> Post:
    """A post the user may change: theirs, or any for staff. Someone else's draft is NotFound."""
    post = post_for_viewer(viewer=user, post_id=post_id)
    if not (_is_staff(user) or post.author_id == user.pk):
        raise Forbidden("Only the author or staff may change this post.")
    return post


@dataclass
class CommentNode:
    comment: Comment
    replies: list["CommentNode"] = field(default_factory=list)


def _on_show_to(viewer: Viewer) -> Q:
    """The comments ``viewer`` sees: all but those held for review, save their own."""
    not_held = ~Q(status=CommentStatus.HELD)
    return not_held | Q(author_id=viewer.pk) if viewer.is_authenticated else not_held


def comment_tree(*, post: Post, viewer: Viewer | None = None) -> list[CommentNode]:
    """The post's comments as threads, oldest first, from one query; a comment held for
    review only for its author (``viewer``).

    Threads nest at most settings.COMMENT_MAX_DEPTH deep, however the rows were written: a
    comment deeper than that is shown beside its parent, as a new one would be stored.
    """
    comments = (
        Comment.objects.filter(_on_show_to(viewer or AnonymousUser()), post=post)
        .select_related("author")
        .order_by("created_at", "id")
    )
    nodes = {comment.id: CommentNode(_shown(comment)) for comment in comments}
    shown_under = _placements({node.comment.id: node.comment.parent_id for node in nodes.values()})
    roots: list[CommentNode] = []
    for comment_id, node in nodes.items():
        parent_id = shown_under[comment_id]
        (roots if parent_id is None else nodes[parent_id].replies).append(node)
    return roots


def _shown(comment: Comment) -> Comment:
    """A hidden comment as readers see it: a removed comment, keeping its thread's shape. Its
    words stay stored for the moderators; this copy in memory is never saved."""
    if comment.is_hidden:
        comment.content, comment.is_deleted = "", True
    return comment


@dataclass(frozen=True)
class CommentRows:
    """A post's comments as rows, oldest first, and the id of the comment each is shown under
    (None: a thread of its own), placed as ``comment_tree`` places them."""

    rows: list[dict[str, Any]]
    shown_under: dict[UUID, UUID | None]


COMMENT_COLUMNS = (
    "id",
    "content",
    "parent_id",
    "is_deleted",
    "created_at",
    "updated_at",
    "author_id",
    "author__name",
    "author__avatar_url",
)


def comment_rows(*, viewer: Viewer, post_id: UUID) -> CommentRows:
    """A readable post's comments (``COMMENT_COLUMNS``), from two queries: the post's
    visibility, then every comment with its author's shown columns."""
    if not readable_posts(viewer=viewer).filter(id=post_id).exists():
        raise NotFound("No such post.")
    rows = list(
        Comment.objects.filter(_on_show_to(viewer), post_id=post_id)
        .order_by("created_at", "id")
        .values(*COMMENT_COLUMNS, "status")
    )
    for row in rows:
        if row.pop("status") == CommentStatus.HIDDEN:  # shown as removed: see _shown
            row["content"], row["is_deleted"] = "", True
    return CommentRows(rows, _placements({row["id"]: row["parent_id"] for row in rows}))


def _placements(parents: dict[UUID, UUID | None]) -> dict[UUID, UUID | None]:
    """Which comment each comment is shown under (None: a thread of its own), given each
    one's parent. Iterative: no thread depth can exhaust the stack; a parent cycle written
    around the services breaks at the comment where it closes."""
    cap = settings.COMMENT_MAX_DEPTH
    level: dict[UUID, int] = {}
    shown_under: dict[UUID, UUID | None] = {}
    for start in parents:
        path: list[UUID] = []
        on_path: set[UUID] = set()
        current: UUID | None = start
        while current is not None and current not in level:
            if current in on_path:
                break
            path.append(current)
            on_path.add(current)
            parent = parents[current]
            current = parent if parent in parents else None
        for comment_id in reversed(path):
            parent = parents[comment_id]
            if parent is None or parent not in level:
                level[comment_id], shown_under[comment_id] = 0, None
            elif level[parent] < cap:
                level[comment_id] = level[parent] + 1
                shown_under[comment_id] = parent
            else:
                level[comment_id], shown_under[comment_id] = cap, shown_under[parent]
    return shown_under


@dataclass
class ThreadRow:
    """One comment of a page's threads, in reading order: the page opens its item and reply
    list, and after it closes ``closings`` of them (the threads that end there)."""

    comment: Comment
    closings: int = 0

    @property
    def closed_lists(self) -> range:
        """For the template's loop: it cannot count to ``closings`` by itself."""
        return range(self.closings)


def thread_rows(threads: list[CommentNode]) -> list[ThreadRow]:
    """The threads flattened for a template to draw without recursion."""
    rows: list[ThreadRow] = []
    pending = [iter(threads)]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
            if pending:
                rows[-1].closings += 1
            continue
        rows.append(ThreadRow(node.comment))
        pending.append(iter(node.replies))
    return rows


def comment_for_edit(*, user: Viewer, comment_id: UUID) -> Comment:
    """A live comment the user may change: theirs, or any for staff; on a post they can read."""
    comment = (
        Comment.objects.select_related("post", "author")
        .filter(
            id=comment_id,
            is_deleted=False,
            status=CommentStatus.VISIBLE,
            post__in=readable_posts(viewer=user),
        )
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.")
    if not (_is_staff(user) or comment.author_id == user.pk):
        raise Forbidden("Only the author or staff may change this comment.")
    return comment


def search_posts(
    *, viewer: Viewer, query: str, limit: int, cursor: str | None = None, tag: str | None = None
) -> "Page[SearchHit]":
    """Published posts matching ``query`` (and filed under the ``tag`` slug, when given), best
    first, each with a ``headline`` snippet whose matches are wrapped in HIGHLIGHT_START /
    HIGHLIGHT_STOP (see ``blog.search``)."""
    offset = decode_offset(cursor) if cursor else 0
    if offset > SEARCH_CANDIDATES:
        raise InvalidInput({"cursor": ["This cursor is not valid."]})
    if "\x00" in query:
        raise InvalidInput({"query": ["A search cannot contain NUL characters."]})
    published = _summaries().filter(published=True)
    if tag is not None:
        published = published.filter(
            Exists(_public_filings().filter(post=OuterRef("pk"), tag__slug=tag))
        )
    items = matching_posts(published, query=query, offset=offset, limit=limit + 1)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_offset(offset + limit)
    return Page(items, next_cursor)


def reply_parent(*, post: Post, comment_id: UUID) -> Comment:
    """The live comment on ``post`` a new reply answers; anything else is invalid input."""
    parent = Comment.objects.filter(
        post=post, id=comment_id, is_deleted=False, status=CommentStatus.VISIBLE
    ).first()
    if parent is None:
        raise InvalidInput({"parentId": ["A reply must be to a live comment on the same post."]})
    return parent


# --- revisions: of a post fetched by ``post_for_edit``, which checked the permission ----------

# What a history list shows of a revision: not its content (up to 2 MiB each).
_REVISION_LIST_COLUMNS = (
    *("id", "post_id", "kind", "saved_at", "title"),
    *("saved_by__id", "saved_by__name", "saved_by__avatar_url"),
)


def revision_page(*, post: Post, limit: int, cursor: str | None = None) -> Page[PostRevision]:
    """A post's revisions, newest first, keyset-paginated, without their content."""
    revisions = PostRevision.objects.filter(post=post).select_related("saved_by")
    if cursor:
        position = decode_position(cursor)
        revisions = revisions.filter(
            Q(saved_at__lt=position.at) | Q(saved_at=position.at, id__lt=position.id)
        )
    rows = list(revisions.only(*_REVISION_LIST_COLUMNS).order_by("-saved_at", "-id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_position(Position(last.saved_at, last.id))
    return Page(rows[:limit], next_cursor)


def post_revision(*, post: Post, revision_id: UUID) -> PostRevision:
    """One revision of ``post``; one of another post, or pruned, is NotFound."""
    revision = (
        PostRevision.objects.filter(post=post, id=revision_id).select_related("saved_by").first()
    )
    if revision is None:
        raise NotFound("No such revision of this post: it may have been pruned.")
    return revision


def newest_revision_id(*, post: Post) -> UUID | None:
    """The revision an editor's autosaves build on (None for a post saved before revisions)."""
    newest = post.revisions.order_by("-saved_at", "-id").values_list("id", flat=True)
    return newest.first()


@dataclass(frozen=True)
class RevisionComparison:
    """A revision beside what it is compared with: the revision before it (``against`` is
    "previous"; none for the first), or the post's current text ("current")."""

    revision: PostRevision
    against: str
    previous: PostRevision | None
    title_before: str
    title_after: str
    diff: LineDiff

    @property
    def previous_id(self) -> UUID | None:
        return self.previous.id if self.previous else None


def compare_revision(*, post: Post, revision: PostRevision, against: str) -> RevisionComparison:
    """The diff of ``revision`` against the one before it (from that to this), or against the
    post's current text (from this to that, what restoring it would undo)."""
    max_lines = settings.POST_REVISION_DIFF_MAX_LINES
    if against == "current":
        return RevisionComparison(
            revision=revision,
            against=against,
            previous=None,
            title_before=revision.title,
            title_after=post.title,
            diff=diff_lines(revision.content, post.content, max_lines=max_lines),
        )
    previous = (
        PostRevision.objects.filter(post_id=revision.post_id)
        .filter(
            Q(saved_at__lt=revision.saved_at) | Q(saved_at=revision.saved_at, id__lt=revision.id)
        )
        .select_related("saved_by")
        .order_by("-saved_at", "-id")
        .first()
    )
    before = previous.content if previous else ""
    return RevisionComparison(
        revision=revision,
        against="previous",
        previous=previous,
        title_before=previous.title if previous else "",
        title_after=revision.title,
        diff=diff_lines(before, revision.content, max_lines=max_lines),
    )


# --- tags ---------------------------------------------------------------------------------
# A tag exists for readers only while a published post carries it: one used only by drafts
# (someone else's, or anyone's) is not found, listed, suggested or counted.


def _public_filings() -> QuerySet[PostTag]:
    """Filings of published posts (a draft's filing has no listing time)."""
    return PostTag.objects.filter(published_at__isnull=False)


def _public_post_count() -> Count:
    return Count("post_tags", filter=Q(post_tags__published_at__isnull=False))


def public_tag(*, slug: str) -> Tag:
    """The tag at ``slug`` with its ``post_count`` of published posts; NotFound if none."""
    tag = Tag.objects.filter(slug=slug).annotate(post_count=_public_post_count()).first()
    if tag is None or not tag.post_count:  # type: ignore[attr-defined]
        raise NotFound("No such tag.")
    return tag


def public_tags(*, limit: int) -> list[Tag]:
    """The ``limit`` tags with the most published posts (``post_count``), by slug."""
    tags = list(
        Tag.objects.annotate(post_count=_public_post_count())
        .filter(post_count__gt=0)
        .order_by("-post_count", "slug")[:limit]
    )
    return sorted(tags, key=lambda tag: tag.slug)


def tags_with_posts() -> QuerySet[Tag]:
    """Every tag a published post carries, by slug (the sitemap's)."""
    return Tag.objects.filter(Exists(_public_filings().filter(tag=OuterRef("pk")))).order_by("slug")


def tag_suggestions(*, viewer: Viewer, prefix: str, limit: int) -> list[Tag]:
    """Tags whose slug starts with ``prefix`` slugified (the tag's own ``LIKE`` index), that
    the viewer may know of: those on published posts and on the viewer's own drafts."""
    try:
        slug_prefix = tag_name(prefix).slug
    except InvalidInput:
        return []  # nothing a tag's address could start with
    seen = Q(published_at__isnull=False)
    if viewer.is_authenticated:
        seen |= Q(post__author_id=viewer.pk)
    return list(
        Tag.objects.filter(slug__startswith=slug_prefix)
        .filter(Exists(PostTag.objects.filter(seen, tag=OuterRef("pk"))))
        .order_by("slug")
        .only("name", "slug")[:limit]
    )
