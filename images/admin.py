"""Images in Django admin: moderators see and delete uploads (their files go with them)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from images import services
from images.models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin[Image]):
    list_display = [
        "id",
        "owner",
        "post",
        "format",
        "width",
        "height",
        "stored_bytes",
        "created_at",
    ]
    list_select_related = ["owner", "post"]
    search_fields = ["owner__email", "alt"]
    readonly_fields = [field.name for field in Image._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the site, which checks and re-encodes them

    def delete_model(self, request: HttpRequest, obj: Image) -> None:
        services.delete_image(image=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            services.delete_image(image=image)
