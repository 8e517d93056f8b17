"""Follows: readers (signed in or not) who follow an author, or the whole site, by email."""

from django.apps import AppConfig


class FollowsConfig(AppConfig):
    name = "follows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from follows.delivery import register_with_mail

        register_with_mail()
