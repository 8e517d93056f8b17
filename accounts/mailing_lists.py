"""The notification emails an account can stop with one click (mail.unsubscribe lists)."""

from accounts import services
from mail.unsubscribe import MailingList, register

REPLIES = "replies"
POST_COMMENTS = "post-comments"


def register_lists() -> None:
    register(MailingList(REPLIES, "replies to your comments", services.stop_reply_emails))
    register(
        MailingList(POST_COMMENTS, "new comments on your posts", services.stop_post_comment_emails)
    )
