"""Who may open an admin page beyond Django's model permissions: the infrastructure tables
(chunks, sessions, idempotency keys, deleted identities) are for superusers only, whatever
permissions a staff account has been given."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

# The mixin goes before ModelAdmin in an admin's bases; mypy is told so, to check its super().
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class SuperuserOnlyAdminMixin(_ModelAdmin):
    """Hides the model from the index and answers 403 on its pages unless the user is a
    superuser; for superusers, the admin's own checks (and other mixins) still apply."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)
