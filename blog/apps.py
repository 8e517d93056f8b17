"""Blog: posts and their threaded comments."""

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from blog import (
            selectors,
            spam,  # noqa: F401  (registers its system check)
        )
        from blog.announcements import (
            COMMENTS_CHANNELS,
            HELD_COMMENTS_CHANNEL,
            POSTS_CHANNEL,
            may_review_comments,
        )
        from realtime.namespaces import declare_broadcast_channel

        # Anyone may follow the published posts (a draft's changes never go there), and the
        # comments of a published post; never a draft's comments.
        declare_broadcast_channel(POSTS_CHANNEL, readable_by_anyone=lambda _: True)
        declare_broadcast_channel(
            COMMENTS_CHANNELS,
            readable_by_anyone=lambda ids: selectors.is_published_post(post_id=ids["post-id"]),
        )
        declare_broadcast_channel(HELD_COMMENTS_CHANNEL, may_subscribe=may_review_comments)
