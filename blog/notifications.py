"""Notification emails about comments: "your comment got a reply" and "your post got a
comment", queued once the comment is committed.

Never to the commenter themselves, never about a comment that is gone or deleted by the time
its transaction commits, never to someone who switched that email off, and one email per
person: a post's author replied to under their own comment gets the reply email only.
"""

from functools import partial
from uuid import UUID

from django.conf import settings
from django.db import transaction

from accounts.mailing_lists import POST_COMMENTS, REPLIES
from accounts.models import User
from blog.models import Comment, CommentStatus
from mail.services import enqueue_email
from mail.unsubscribe import unsubscribe_url

# Enough of a comment to decide whether to open it; the rest is a click away.
EXCERPT_LENGTH = 500


def notify_on_commit(*, comment: Comment) -> None:
    """Queue the emails about the new ``comment`` after the current transaction commits
    (nothing if it rolls back); a failure to queue them is logged, never the comment's."""
    transaction.on_commit(partial(_notify, comment_id=comment.id), robust=True)


def _notify(*, comment_id: UUID) -> None:
    comment = (
        Comment.objects.select_related("author", "post__author", "parent__author")
        .filter(id=comment_id, is_deleted=False, status=CommentStatus.VISIBLE, post__published=True)
        .first()
    )
    if comment is None:
        return
    notified: set[UUID] = {comment.author_id}
    parent = comment.parent
    if parent is not None and not parent.is_deleted and parent.status == CommentStatus.VISIBLE:
        if _wants(parent.author, notified, parent.author.emails_on_reply):
            _send(comment, to=parent.author, template="blog/email/reply", list_name=REPLIES)
        notified.add(parent.author_id)
    post_author = comment.post.author
    if _wants(post_author, notified, post_author.emails_on_post_comment):
        _send(comment, to=post_author, template="blog/email/post_comment", list_name=POST_COMMENTS)


def _wants(user: User, notified: set[UUID], switched_on: bool) -> bool:
    return switched_on and user.id not in notified and user.is_active and user.is_email_confirmed


def _send(comment: Comment, *, to: User, template: str, list_name: str) -> None:
    content = comment.content
    excerpt = content if len(content) <= EXCERPT_LENGTH else content[:EXCERPT_LENGTH] + "…"
    enqueue_email(
        to=to.email,
        template=template,
        context={
            "recipient": to,
            "commenter": comment.author.display_name,
            "post_title": comment.post.title,
            "excerpt": excerpt,
            "comment_url": settings.MAIL_SITE_URL + comment.get_absolute_url(),
        },
        unsubscribe_url=unsubscribe_url(list_name=list_name, subscriber=str(to.id)),
    )
