"""Hiding all of a user's content in one action, and restoring exactly what that hid: every
visible comment hidden and every published post unpublished, through ``blog.services`` (so
open pages drop them live), remembered in a ``ContentSweep`` and logged."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from blog import services as blog_services
from blog.models import Comment, CommentStatus, Post
from lib.errors import Conflict, Forbidden
from moderation.models import (
    REASON_MAX_LENGTH,
    ActionKind,
    ContentSweep,
    ModerationAction,
)
from moderation.permissions import is_moderator
from moderation.services import log_account_action


def _check_may_sweep(moderator: User, user: User) -> None:
    if not is_moderator(moderator) or not (
        moderator.has_perm("blog.change_comment") and moderator.has_perm("blog.change_post")
    ):
        raise Forbidden("Only editors may hide or restore a user's content.")
    if user.is_superuser and not moderator.is_superuser:
        raise Forbidden(f"Only a superuser may hide or restore {user}'s content.")


def _counted(comments: int, posts: int, verb_comments: str, verb_posts: str) -> str:
    return (
        f"{comments} comment{'s' if comments != 1 else ''} {verb_comments}, "
        f"{posts} post{'s' if posts != 1 else ''} {verb_posts}"
    )


def hide_user_content(*, moderator: User, user: User, reason: str = "") -> ContentSweep:
    """Hide every visible comment of ``user`` and unpublish every published post of theirs,
    remembering which, and log it with ``reason``. A user with nothing visible is a Conflict
    that changes nothing."""
    _check_may_sweep(moderator, user)
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update(of=("self",))
            .filter(author=user, status=CommentStatus.VISIBLE, is_deleted=False)
            .select_related("post")
            .order_by("created_at", "id")
        )
        posts = list(
            Post.objects.select_for_update().filter(author=user, published=True).order_by("id")
        )
        if not comments and not posts:
            raise Conflict(f"{user} has no visible content; nothing was changed.")
        for comment in comments:
            blog_services.hide_comment(comment=comment)
        for post in posts:
            blog_services.update_post(post=post, published=False)
        sweep = ContentSweep.objects.create(
            subject=user,
            moderator=moderator,
            reason=reason.strip()[:REASON_MAX_LENGTH],
            hidden_comment_ids=[str(comment.id) for comment in comments],
            unpublished_post_ids=[str(post.id) for post in posts],
        )
        summary = _counted(len(comments), len(posts), "hidden", "unpublished")
        log_account_action(
            moderator=moderator,
            action=ActionKind.HIDE_USER_CONTENT,
            user=user,
            target=f"All of {user}'s content: {summary}",
            reason=reason,
        )
    return sweep


def restore_user_content(*, moderator: User, user: User, reason: str = "") -> tuple[int, int]:
    """Show again what "hide all content" hid of ``user`` and was not changed since: its
    comments still hidden and not hidden again by a moderator, its posts still unpublished and
    not unpublished again by one. The numbers of comments and posts restored. With nothing
    left to restore (restored already, from another tab) a Conflict that changes nothing."""
    _check_may_sweep(moderator, user)
    with transaction.atomic():
        sweeps = list(
            ContentSweep.objects.select_for_update()
            .filter(subject=user, restored_at__isnull=True)
            .order_by("created_at", "id")
        )
        if not sweeps:
            raise Conflict(
                f'Nothing of {user}\'s is hidden by "hide all content" (or it was restored '
                "already); nothing was changed."
            )
        ContentSweep.objects.filter(id__in=[sweep.id for sweep in sweeps]).update(
            restored_at=timezone.now(), restored_by=moderator
        )
        since = sweeps[0].created_at
        comment_ids = [item for sweep in sweeps for item in sweep.hidden_comment_ids]
        post_ids = [item for sweep in sweeps for item in sweep.unpublished_post_ids]
        # Hidden or unpublished again by a moderator since, for another reason: stays so.
        acted_on_since = ModerationAction.objects.filter(created_at__gte=since)
        hidden_again = acted_on_since.filter(
            action=ActionKind.HIDE_COMMENT, comment_id__in=comment_ids
        ).values_list("comment_id", flat=True)
        unpublished_again = acted_on_since.filter(
            action=ActionKind.UNPUBLISH_POST, post_id__in=post_ids
        ).values_list("post_id", flat=True)
        comments = list(
            Comment.objects.filter(id__in=comment_ids, author=user, status=CommentStatus.HIDDEN)
            .exclude(id__in=hidden_again)
            .select_related("post")
        )
        posts = list(
            Post.objects.filter(id__in=post_ids, author=user, published=False).exclude(
                id__in=unpublished_again
            )
        )
        restored_comments = sum(
            blog_services.unhide_comment(comment=comment) for comment in comments
        )
        for post in posts:
            blog_services.update_post(post=post, published=True)
        summary = _counted(restored_comments, len(posts), "shown again", "published again")
        log_account_action(
            moderator=moderator,
            action=ActionKind.RESTORE_USER_CONTENT,
            user=user,
            target=f"All of {user}'s hidden content: {summary}",
            reason=reason,
        )
    return restored_comments, len(posts)
