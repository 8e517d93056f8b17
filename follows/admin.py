"""Follows in the admin, for superusers: addresses are personal data that moderation does
not need."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from follows.models import Follow, Publication
from lib.admin_access import SuperuserOnlyAdminMixin


@admin.register(Follow)
class FollowAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin[Follow]):
    list_display = ("email", "author", "cadence", "confirmed_at", "created_at")
    list_filter = ("cadence",)
    search_fields = ("email",)
    raw_id_fields = ("author",)
    readonly_fields = ("confirmed_at", "digested_until", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # only the address's owner starts a follow (double opt-in)


@admin.register(Publication)
class PublicationAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin[Publication]):
    list_display = ("title", "author", "published_at", "fanned_out_at")
    readonly_fields = ("post_id", "author", "title", "path", "excerpt", "published_at")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # written by the blog when a post is first published
