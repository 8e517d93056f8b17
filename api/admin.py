"""Read-only view of the idempotency keys kept for retries (at most a window's worth)."""

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest

from api.models import IdempotencyKey
from lib.admin_access import SuperuserOnlyAdminMixin
from lib.admin_display import ReadOnlyAdminMixin

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class OutcomeSize(TypedDict):
    outcome_size: int


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(
    SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin[IdempotencyKey]
):
    list_display = ("key", "user", "path", "answer_size", "created_at")
    list_filter = ("path",)
    list_select_related = ("user",)
    search_fields = ("key", "user__email")
    exclude = ("outcome", "fingerprint")

    def get_queryset(self, request: HttpRequest) -> QuerySet[IdempotencyKey]:
        # The list shows the size of each answer, never the answer (a post: up to 2 MiB).
        keys: QuerySet[IdempotencyKey] = super().get_queryset(request)
        return keys.defer("outcome").annotate(outcome_size=Length("outcome"))

    @admin.display(description="answer size", ordering="outcome_size")
    def answer_size(self, key: "WithAnnotations[IdempotencyKey, OutcomeSize]") -> str:
        return f"{key.outcome_size:,} chars"
