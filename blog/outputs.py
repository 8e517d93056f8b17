"""The hot read outputs (post.list, post.bySlug/byId, comment.list) built straight from rows.

Each builder's answer is written exactly as its declared DRF serializer's would be (those stay
the types the registry and the OpenAPI document show), without DRF's field-by-field walk:
tests/api/test_hot_outputs.py holds each pair to byte-identical JSON. Lists of posts and
comment threads come already in JSON form with their SuperJSON ``Date`` paths
(``api.superjson.Encoded``), so the transport does not walk them again.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.superjson import Encoded, js_iso
from blog.models import Post
from blog.pagination import Page
from blog.rendering import post_html
from blog.selectors import CommentRows
from images.outputs import image_shown, shown_from_row

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Built:
    """An output already in its wire shape: its declared serializer hands it on as it is."""

    value: Any


def _author(row: Row) -> dict[str, Any]:
    # accounts.User.display_name: the name, never the email; "Anonymous" without one.
    return {
        "id": str(row["author_id"]),
        "name": row["author__name"] or "Anonymous",
        "avatarUrl": row["author__avatar_url"],
    }


def _summary(row: Row) -> dict[str, Any]:
    """``PostSummaryOutput`` of a ``selectors.SUMMARY_COLUMNS`` row, its dates written."""
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "slug": row["slug"],
        "excerpt": row["excerpt"],
        "published": row["published"],
        "viewCount": row["view_count"],
        "commentCount": row["comment_count"],
        "createdAt": js_iso(row["created_at"]),
        "updatedAt": js_iso(row["updated_at"]),
        "publishedAt": None if row["published_at"] is None else js_iso(row["published_at"]),
        "author": _author(row),
        "tags": row["tags"],
        "image": shown_from_row(row, "cover_image__"),
    }


def post_list(page: Page[Row]) -> Built:
    """``PostListOutput`` of a page of summary rows."""
    dates: dict[str, list[str]] = {}
    for index, row in enumerate(page.items):
        dates[f"{index}.createdAt"] = ["Date"]
        dates[f"{index}.updatedAt"] = ["Date"]
        if row["published_at"] is not None:
            dates[f"{index}.publishedAt"] = ["Date"]
    items = Encoded([_summary(row) for row in page.items], dates)
    return Built({"items": items, "nextCursor": page.next_cursor})


def post_detail(post: Post) -> Built:
    """``PostOutput`` of a post loaded with ``selectors.post_to_show`` (its author's shown
    columns only, and its comment count)."""
    author = post.author
    return Built(
        {
            "id": str(post.id),
            "title": post.title,
            "slug": post.slug,
            "excerpt": post.excerpt,
            "published": post.published,
            "viewCount": post.view_count,
            "commentCount": post.comment_count,  # type: ignore[attr-defined]
            "createdAt": post.created_at,
            "updatedAt": post.updated_at,
            "publishedAt": post.published_at,
            "author": {
                "id": str(author.id),
                "name": author.display_name,
                "avatarUrl": author.avatar_url,
            },
            "tags": [{"name": tag.name, "slug": tag.slug} for tag in post.tags.all()],
            "image": None if post.cover_image is None else image_shown(post.cover_image),
            "publishAt": post.publish_at,
            "content": post.content,
            "contentHtml": post_html(post),
        }
    )


def comment_list(threads: CommentRows) -> Built:
    """``CommentListOutput``: each comment with its replies, threads oldest first. Iterative:
    no depth of thread can exhaust the stack."""
    nodes: dict[UUID, dict[str, Any]] = {
        row["id"]: {
            "id": str(row["id"]),
            "content": row["content"],
            "parentId": None if row["parent_id"] is None else str(row["parent_id"]),
            "isDeleted": row["is_deleted"],
            "author": _author(row),
            "createdAt": js_iso(row["created_at"]),
            "updatedAt": js_iso(row["updated_at"]),
            "replies": [],
        }
        for row in threads.rows
    }
    roots: list[dict[str, Any]] = []
    for comment_id, node in nodes.items():
        shown_under = threads.shown_under[comment_id]
        (roots if shown_under is None else nodes[shown_under]["replies"]).append(node)
    return Built([Encoded(root, _thread_dates(root)) for root in roots])


def _thread_dates(root: dict[str, Any]) -> dict[str, list[str]]:
    """The ``Date`` paths of a thread, in the depth-first order the SuperJSON walk takes."""
    dates: dict[str, list[str]] = {}
    pending = [("", root)]
    while pending:
        prefix, node = pending.pop()
        dates[f"{prefix}createdAt"] = ["Date"]
        dates[f"{prefix}updatedAt"] = ["Date"]
        replies = node["replies"]
        for index in range(len(replies) - 1, -1, -1):
            pending.append((f"{prefix}replies.{index}.", replies[index]))
    return dates
