"""Reads of posts and comments. Anything that could leak a draft takes the viewer."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Left

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
from blog.rendering import HIGHLIGHT_START, HIGHLIGHT_STOP
from blog.search import INDEXED_CONTENT_CHARS, SEARCH_CONFIG, search_document
from lib.errors import Forbidden, InvalidInput, NotFound

Viewer = User | AnonymousUser


class Headline(TypedDict):
    headline: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A post found by search_posts, carrying its ``headline`` snippet. Type-checking only:
    # Python 3.11's typing cannot subscript WithAnnotations with two arguments at run time.
    SearchHit = WithAnnotations[Post, Headline]

# Ranking costs grow with the number of matches: only the newest matches are ranked.
SEARCH_CANDIDATES = 1000


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


def readable_posts(*, viewer: Viewer) -> QuerySet[Post]:
    """Published posts, plus the viewer's own drafts (every draft for staff)."""
    if _is_staff(viewer):
        return Post.objects.all()
    if viewer.is_authenticated:
        return Post.objects.filter(Q(published=True) | Q(author=viewer))
    return Post.objects.filter(published=True)


def post_page(
    *,
    viewer: Viewer,
    limit: int,
    cursor: str | None = None,
    author_id: UUID | None = None,
    published: bool = True,
) -> Page[Post]:
    """Newest first. ``published=False`` lists the viewer's own drafts (nobody else's)."""
    posts = _summaries()
    if published:
        posts = posts.filter(published=True)
    elif viewer.is_authenticated:
        posts = posts.filter(published=False, author=viewer)
    else:
        posts = posts.none()
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
    if cursor:
        position = decode_position(cursor)
        posts = posts.filter(
            Q(created_at__lt=position.created_at)
            | Q(created_at=position.created_at, id__lt=position.id)
        )
    items = list(posts.order_by("-created_at", "-id")[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_position(Position(items[-1].created_at, items[-1].id))
    return Page(items, next_cursor)


def post_for_viewer(
    *, viewer: Viewer, slug: str | None = None, post_id: UUID | None = None
) -> Post:
    """One post with its content; drafts are NotFound to everyone but their author and staff."""
    lookup = {"slug": slug} if slug is not None else {"id": post_id}
    post = _summaries().defer(None).filter(**lookup).first()
    if post is None or not (post.published or _is_staff(viewer) or post.author_id == viewer.pk):
        raise NotFound("No such post.")
    return post


def published_post(*, post_id: UUID) -> Post:
    """A published post (comments are open on these only)."""
    post = Post.objects.filter(id=post_id, published=True).first()
    if post is None:
        raise NotFound("No such post.")
    return post


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
    shown_under = _placements(nodes)
    roots: list[CommentNode] = []
    for comment_id, node in nodes.items():
        parent = shown_under[comment_id]
        (parent.replies if parent else roots).append(node)
    return roots


def _placements(nodes: dict[UUID, CommentNode]) -> dict[UUID, CommentNode | None]:
    """Which node each comment is shown under (None: a thread of its own). Iterative: no
    thread depth can exhaust the stack; a parent cycle written around the services breaks
    at the comment where it closes."""
    cap = settings.COMMENT_MAX_DEPTH
    level: dict[UUID, int] = {}
    shown_under: dict[UUID, CommentNode | None] = {}
    for start in nodes.values():
        path: list[Comment] = []
        on_path: set[UUID] = set()
        current: CommentNode | None = start
        while current is not None and current.comment.id not in level:
            if current.comment.id in on_path:
                break
            path.append(current.comment)
            on_path.add(current.comment.id)
            current = nodes.get(current.comment.parent_id) if current.comment.parent_id else None
        for comment in reversed(path):
            parent = nodes.get(comment.parent_id) if comment.parent_id else None
            if parent is None or parent.comment.id not in level:
                level[comment.id], shown_under[comment.id] = 0, None
            elif level[parent.comment.id] < cap:
                level[comment.id] = level[parent.comment.id] + 1
                shown_under[comment.id] = parent
            else:
                level[comment.id], shown_under[comment.id] = cap, shown_under[parent.comment.id]
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
    matches are wrapped in HIGHLIGHT_START / HIGHLIGHT_STOP."""
    offset = decode_offset(cursor) if cursor else 0
    if offset > SEARCH_CANDIDATES:
        raise InvalidInput({"cursor": ["This cursor is not valid."]})
    if "\x00" in query:
        raise InvalidInput({"query": ["A search cannot contain NUL characters."]})
    if connection.vendor == "postgresql":
        items = _ranked_matches(query, offset, limit)
    else:
        items = _substring_matches(query, offset, limit)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_offset(offset + limit)
    return Page(items, next_cursor)


def _ranked_matches(query: str, offset: int, limit: int) -> list["SearchHit"]:
    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    candidates = (
        Post.objects.annotate(document=search_document())
        .filter(published=True, document=search_query)
        .order_by("-created_at")
        .values("id")[:SEARCH_CANDIDATES]
    )
    return list(
        _summaries()
        .filter(id__in=candidates)
        .annotate(
            rank=SearchRank(search_document(), search_query),
            headline=SearchHeadline(
                # The indexed head only: a headline over 2 MiB of text costs seconds per row.
                Left("content", INDEXED_CONTENT_CHARS),
                search_query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
            ),
        )
        .order_by("-rank", "-created_at", "-id")[offset : offset + limit + 1]
    )


def _substring_matches(query: str, offset: int, limit: int) -> list["SearchHit"]:
    """The embedded database's stand-in for full-text search: every word must appear."""
    posts = _summaries().filter(published=True)
    words = query.split()[:10]
    for word in words:
        posts = posts.filter(Q(title__icontains=word) | Q(content__icontains=word))
    # The headline column first holds the searched text (content stays deferred); the
    # snippet made from it replaces it.
    items = list(
        posts.annotate(headline=Left("content", INDEXED_CONTENT_CHARS)).order_by(
            "-created_at", "-id"
        )[offset : offset + limit + 1]
    )
    for post in items:
        post.headline = _substring_headline(post.headline, words)
        post.content = ""
    return items


def _substring_headline(text: str, words: list[str], width: int = 200) -> str:
    lowered = text.lower()
    hits = [lowered.find(word.lower()) for word in words if word.lower() in lowered]
    start = max(0, min(hits) - width // 3) if hits else 0
    snippet = text[start : start + width]
    for word in words:
        snippet = _mark(snippet, word)
    return snippet


def _mark(text: str, word: str) -> str:
    lowered, needle, out, index = text.lower(), word.lower(), [], 0
    while (found := lowered.find(needle, index)) != -1:
        out += [
            text[index:found],
            HIGHLIGHT_START,
            text[found : found + len(needle)],
            HIGHLIGHT_STOP,
        ]
        index = found + len(needle)
    return "".join(out) + text[index:]


def reply_parent(*, post: Post, comment_id: UUID) -> Comment:
    """The live comment on ``post`` a new reply answers; anything else is invalid input."""
    parent = Comment.objects.filter(post=post, id=comment_id, is_deleted=False).first()
    if parent is None:
        raise InvalidInput({"parentId": ["A reply must be to a live comment on the same post."]})
    return parent
