"""Deleting one's own account: confirmed by typing its email address, removed from the
identity provider, then erased here with everything it wrote, each removal announced so live
pages drop the content.
"""

from django.db import transaction

from accounts import services as account_services
from accounts.models import User
from accounts.providers import current
from blog import account_data
from blog.announcements import comment_change, post_change
from lib.errors import InvalidInput
from realtime.broadcast import announce

CONFIRMATION_MISMATCH = "Type your email address exactly as shown to confirm."


def erase_account(*, user: User, confirmation: str) -> None:
    """Delete ``user`` and all they wrote (see ``account_data.writing_summary``); InvalidInput
    ``confirmation`` when it is not their email address, and then nothing is deleted.

    The provider goes first, outside the transaction (no connection held over a network call):
    if it fails, nothing here is deleted and the user may try again; if the database then
    fails, the identity is gone but the user's session still lets them try again."""
    if confirmation.strip().lower() != user.email.lower():
        raise InvalidInput({"confirmation": [CONFIRMATION_MISMATCH]})
    current().delete_identity(user=user)
    with transaction.atomic():
        # Logged in this transaction, sent once it commits: never for a rollback.
        for posts in account_data.published_post_ids(user=user):
            for post in posts:
                announce(post_change(post, "deleted"))
        for comments in account_data.comments_on_others_posts(user=user):
            for comment in comments:
                announce(comment_change(comment, "deleted"))
        account_services.delete_user(user=user)
