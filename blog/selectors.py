"""Reads of posts and comments. Anything that could leak a draft takes the viewer."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from blog.models import Comment, Post
from blog.pagination import (
    Page,
    Position,
    decode_offset,
    decode_position,
    encode_offset,
    encode_position,
)
from blog.search import SEARCH_CANDIDATES, matching_posts
from lib.compiled_query import CompiledQuery
from lib.errors import Forbidden, InvalidInput, NotFound

Viewer = User | AnonymousUser


if TYPE_CHECKING:
    from blog.search import SearchHit


def _is_staff(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_staff)


def _live_comment_count() -> Coalesce:
    """A post's live comments, counted per row: a correlated subquery rather than a join and
    GROUP BY, so a newest-first page reads 20 rows of the feed index, not every post."""
    comments = (
        Comment.objects.filter(post=OuterRef("pk"), is_deleted=False)
        .order_by()
        .values("post")
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(comments, output_field=IntegerField()), 0)


def _summaries() -> QuerySet[Post]:
    """Posts with what a listing shows: author (joined) and live comment count (annotated)."""
    return (
        Post.objects.select_related("author")
        .defer("content", "content_html")
        .annotate(comment_count=_live_comment_count())
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
    "comment_count",
)
_SHOWN_AUTHOR_COLUMNS = ("author__id", "author__name", "author__avatar_url")


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
) -> Page[Post]:
    """Newest first: published posts by their publication time. ``published=False`` lists the
    viewer's own drafts (nobody else's), by their creation time."""
    position = decode_position(cursor) if cursor else None
    posts = _listing(_summaries(), viewer, position, author_id, published)
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
) -> Page[dict[str, Any]]:
    """``post_page`` as ``SUMMARY_COLUMNS`` rows, for outputs built without model instances.
    Published posts (the same for every viewer) come from a query compiled once per shape."""
    position = decode_position(cursor) if cursor else None
    if published:
        rows = _PUBLISHED_ROWS.rows(
            limit=limit + 1,
            before=position.at if position else None,
            before_id=position.id if position else None,
            author_id=author_id,
        )
    else:
        posts = Post.objects.annotate(comment_count=_live_comment_count())
        listing = _listing(posts, viewer, position, author_id, published)
        rows = list(listing.values(*SUMMARY_COLUMNS)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_position(Position(last[_order_field(published)], last["id"]))
    return Page(rows, next_cursor)


def _published_rows(
    *, limit: int, before: datetime | None, before_id: UUID | None, author_id: UUID | None
) -> "QuerySet[Post, dict[str, Any]]":
    position = Position(before, before_id) if before and before_id else None
    posts = Post.objects.annotate(comment_count=_live_comment_count())
    listing = _listing(posts, AnonymousUser(), position, author_id, published=True)
    return listing.values(*SUMMARY_COLUMNS)[:limit]


_PUBLISHED_ROWS = CompiledQuery(
    _published_rows,
    {
        "before": Post._meta.get_field("published_at"),
        "before_id": Post._meta.get_field("id"),
        "author_id": Post._meta.get_field("author"),
    },
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
        Post.objects.select_related("author")
        .only(*(field.name for field in Post._meta.concrete_fields), *_SHOWN_AUTHOR_COLUMNS)
        .annotate(comment_count=_live_comment_count())
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


def comment_tree(*, post: Post) -> list[CommentNode]:
    """The post's comments as threads, oldest first, from one query.

    Threads nest at most settings.COMMENT_MAX_DEPTH deep, however the rows were written: a
    comment deeper than that is shown beside its parent, as a new one would be stored.
    """
    comments = (
        Comment.objects.filter(post=post).select_related("author").order_by("created_at", "id")
    )
    nodes = {comment.id: CommentNode(comment) for comment in comments}
    shown_under = _placements({node.comment.id: node.comment.parent_id for node in nodes.values()})
    roots: list[CommentNode] = []
    for comment_id, node in nodes.items():
        parent_id = shown_under[comment_id]
        (roots if parent_id is None else nodes[parent_id].replies).append(node)
    return roots


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
        Comment.objects.filter(post_id=post_id)
        .order_by("created_at", "id")
        .values(*COMMENT_COLUMNS)
    )
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
        .filter(id=comment_id, is_deleted=False, post__in=readable_posts(viewer=user))
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.")
    if not (_is_staff(user) or comment.author_id == user.pk):
        raise Forbidden("Only the author or staff may change this comment.")
    return comment


def search_posts(
    *, viewer: Viewer, query: str, limit: int, cursor: str | None = None
) -> "Page[SearchHit]":
    """Published posts matching ``query``, best first, each with a ``headline`` snippet whose
    matches are wrapped in HIGHLIGHT_START / HIGHLIGHT_STOP (see ``blog.search``)."""
    offset = decode_offset(cursor) if cursor else 0
    if offset > SEARCH_CANDIDATES:
        raise InvalidInput({"cursor": ["This cursor is not valid."]})
    if "\x00" in query:
        raise InvalidInput({"query": ["A search cannot contain NUL characters."]})
    published = _summaries().filter(published=True)
    items = matching_posts(published, query=query, offset=offset, limit=limit + 1)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_offset(offset + limit)
    return Page(items, next_cursor)


def reply_parent(*, post: Post, comment_id: UUID) -> Comment:
    """The live comment on ``post`` a new reply answers; anything else is invalid input."""
    parent = Comment.objects.filter(post=post, id=comment_id, is_deleted=False).first()
    if parent is None:
        raise InvalidInput({"parentId": ["A reply must be to a live comment on the same post."]})
    return parent
