"""Reads of everything one account wrote, for its owner alone: what deleting it would erase,
and its posts and comments in bounded batches for the export.

Every function takes the account's user and reads nothing else's: there is no id to pass, so
no caller can ask for another person's data.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from accounts.models import User
from blog.models import Comment, Post

# Rows read per query: the export holds at most one batch in memory, whatever the account's size.
BATCH_SIZE = 200


@dataclass(frozen=True)
class WritingSummary:
    published_posts: int
    draft_posts: int
    comments: int
    # Comments of other people on the account's posts, and other people's replies (at any
    # depth) to its comments elsewhere: they go too, with the posts and threads they belong to.
    others_comments: int


def writing_summary(*, user: User) -> WritingSummary:
    """What deleting ``user``'s account erases, counted."""
    posts = Post.objects.filter(author=user).aggregate(
        published_count=Count("id", filter=Q(published=True)),
        draft_count=Count("id", filter=Q(published=False)),
    )
    on_own_posts = Comment.objects.filter(post__author=user).exclude(author=user).count()
    replies_elsewhere = sum(len(batch) for batch in _replies_by_others(user=user))
    return WritingSummary(
        published_posts=posts["published_count"],
        draft_posts=posts["draft_count"],
        comments=Comment.objects.filter(author=user).count(),
        others_comments=on_own_posts + replies_elsewhere,
    )


def posts_in_batches(*, user: User) -> Iterator[list[Post]]:
    """``user``'s posts, drafts included, oldest first, BATCH_SIZE at a time (keyset pages)."""
    rows = Post.objects.filter(author=user).only(
        "id",
        "title",
        "slug",
        "content",
        "excerpt",
        "published",
        "created_at",
        "updated_at",
        "published_at",
    )
    yield from _in_batches(rows)


def comments_in_batches(*, user: User) -> Iterator[list[dict[str, Any]]]:
    """``user``'s comments (not the erased words of deleted ones), BATCH_SIZE at a time, each
    with its post's title and slug only where the user may see the post (theirs or public)."""
    rows = Comment.objects.filter(author=user, is_deleted=False).select_related("post")
    for batch in _in_batches(
        rows.only(
            "id",
            "content",
            "parent_id",
            "created_at",
            "updated_at",
            "post__id",
            "post__title",
            "post__slug",
            "post__published",
            "post__author_id",
        )
    ):
        yield [_comment_row(comment, user=user) for comment in batch]


def _comment_row(comment: Comment, *, user: User) -> dict[str, Any]:
    post = comment.post
    may_see_post = post.published or post.author_id == user.id
    return {
        "id": str(comment.id),
        "postId": str(post.id),
        "postTitle": post.title if may_see_post else None,
        "postSlug": post.slug if may_see_post else None,
        "parentId": str(comment.parent_id) if comment.parent_id else None,
        "content": comment.content,
        "createdAt": comment.created_at.isoformat(),
        "updatedAt": comment.updated_at.isoformat(),
    }


def published_post_ids(*, user: User) -> Iterator[list[Post]]:
    """``user``'s published posts (ids only), in batches: the ones readers may have open."""
    yield from _in_batches(Post.objects.filter(author=user, published=True).only("id"))


def comments_on_others_posts(*, user: User) -> Iterator[list[Comment]]:
    """The comments deleting ``user`` removes from other people's published posts: theirs,
    and the replies hanging under them (ids and posts only), in batches."""
    own = Comment.objects.filter(author=user, post__published=True).exclude(post__author=user)
    yield from _in_batches(own.only("id", "post_id"))
    yield from _replies_by_others(user=user)


def _replies_by_others(*, user: User) -> Iterator[list[Comment]]:
    """Other people's replies, at any depth, under ``user``'s comments on others' published
    posts, a level at a time (threads are at most COMMENT_MAX_DEPTH deep)."""
    parents = Comment.objects.filter(author=user, post__published=True).exclude(post__author=user)
    level = list(parents.values_list("id", flat=True))
    while level:
        replies = list(
            Comment.objects.filter(parent_id__in=level).exclude(author=user).only("id", "post_id")
        )
        if replies:
            yield replies
        level = [reply.id for reply in replies]


def _in_batches(rows: Any) -> Iterator[list[Any]]:
    """``rows`` in primary-key order, BATCH_SIZE per query, resuming after the last key seen."""
    last_id = None
    while True:
        page = rows.order_by("id")
        if last_id is not None:
            page = page.filter(id__gt=last_id)
        batch = list(page[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last_id = batch[-1].id
