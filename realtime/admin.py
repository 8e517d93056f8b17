"""Public read keys in the admin, for editors: adding one is a rotation, and a key can be
switched off. Keys are never deleted, so the record says which key was handed out when."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from realtime.models import PublicReadKey
from realtime.public_read_keys import current_key, rotate_public_read_keys, set_key_active


@admin.register(PublicReadKey)
class PublicReadKeyAdmin(admin.ModelAdmin[PublicReadKey]):
    list_display = ("value", "state", "description", "created_at", "expires_at", "created_by")
    list_filter = ("is_active",)
    list_select_related = ("created_by",)
    readonly_fields = ("value", "state", "created_at", "expires_at", "created_by")

    def get_fields(self, request: HttpRequest, obj: PublicReadKey | None = None) -> Any:
        if obj is None:
            return ("description",)
        return ("value", "state", "description", "is_active", "created_at", "expires_at")

    def get_readonly_fields(self, request: HttpRequest, obj: PublicReadKey | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        grace_hours = settings.REALTIME_PUBLIC_KEY_GRACE_SECONDS / 3600
        context = {
            **(extra_context or {}),
            "title": "Rotate the public read key",
            "subtitle": (
                "Saving makes a new key that pages hand to signed-out readers from now on. "
                f"Every other key keeps working for at most {grace_hours:g} hours, so pages "
                "already open stay live."
            ),
        }
        return super().add_view(request, form_url, context)

    def save_model(
        self, request: HttpRequest, obj: PublicReadKey, form: ModelForm[Any], change: bool
    ) -> None:
        description = form.cleaned_data.get("description", "")
        if change:
            set_key_active(key=obj, is_active=obj.is_active, description=description)
            return
        user = request.user if request.user.is_authenticated else None
        made = rotate_public_read_keys(by=user, description=description)  # type: ignore[arg-type]
        # The admin logs and redirects to the object it was given: make it the new key.
        obj.pk, obj.value, obj.expires_at = made.pk, made.value, made.expires_at
        obj.created_at, obj.created_by = made.created_at, made.created_by

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, key: PublicReadKey) -> str:
        now = timezone.now()
        if not key.is_active:
            return "switched off"
        if key.expires_at <= now:
            return "expired"
        if key.pk == current_key().id:
            return "current: handed out to pages"
        return "still accepted, no longer handed out"
