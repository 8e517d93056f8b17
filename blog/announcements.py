"""What subscribers are told about posts and comments: the public fields, never a draft."""

from typing import Any

from django.db.models import OuterRef, Value
from django.db.models.functions import Concat

from accounts.models import User
from blog.models import Comment, Post
from lib.uuid_text import UUIDText
from realtime.broadcast import Change, ChangeType

POSTS_CHANNEL = "/subscriptions/posts"
COMMENTS_CHANNELS = "/subscriptions/comments/<post-id>"
# The channels blog announces on, declared to realtime by BlogConfig.ready.
CHANNELS = (POSTS_CHANNEL, COMMENTS_CHANNELS)
# New comments held for review: for those who review them only (declared restricted).
HELD_COMMENTS_CHANNEL = "/subscriptions/held-comments"


def may_review_comments(user: Any) -> bool:
    """Who may follow the held comments: staff who may change comments (editors)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("blog.change_comment")
    )


_COMMENTS_CHANNEL_PREFIX = "/subscriptions/comments/"


def comments_channel(post_id: object) -> str:
    return f"{_COMMENTS_CHANNEL_PREFIX}{post_id}"


def comments_channel_column() -> Concat:
    """``comments_channel`` of the Post row a subquery is correlated with, in SQL."""
    return Concat(Value(_COMMENTS_CHANNEL_PREFIX), UUIDText(OuterRef("pk")))


def _author(user: User) -> dict[str, str]:
    return {"id": str(user.id), "name": user.display_name, "avatarUrl": user.avatar_url}


def post_change(post: Post, change_type: ChangeType) -> Change:
    data: dict[str, object] = {}
    if change_type != "deleted":
        data = {
            "id": str(post.id),
            "title": post.title,
            "slug": post.slug,
            "excerpt": post.excerpt,
            "published": post.published,
            "authorId": str(post.author_id),
            "author": _author(post.author),
            "url": post.get_absolute_url(),
            "createdAt": post.created_at,
            "updatedAt": post.updated_at,
            "publishedAt": post.published_at,
        }
    return Change(POSTS_CHANNEL, "posts", change_type, [str(post.id)], data)


def comment_change(comment: Comment, change_type: ChangeType) -> Change:
    data: dict[str, object] = {"id": str(comment.id), "postId": str(comment.post_id)}
    if change_type != "deleted":
        data |= {
            "content": comment.content,
            "authorId": str(comment.author_id),
            "author": _author(comment.author),
            "parentId": str(comment.parent_id) if comment.parent_id else None,
            "createdAt": comment.created_at,
            "updatedAt": comment.updated_at,
        }
    return Change(
        comments_channel(comment.post_id), "comments", change_type, [str(comment.id)], data
    )


def held_comment(comment: Comment) -> Change:
    """A comment waiting for review, told to the reviewers only: where, not what."""
    return Change(
        HELD_COMMENTS_CHANNEL,
        "held-comments",
        "created",
        [str(comment.id)],
        {"postId": str(comment.post_id), "createdAt": comment.created_at},
    )
