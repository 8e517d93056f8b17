"""Read-only view of client sessions for superusers (who is connected from where, since when)."""

from django.contrib import admin

from lib.admin_access import SuperuserOnlyAdminMixin
from lib.admin_display import ReadOnlyAdminMixin, age
from sessions_app.models import ClientSession


@admin.register(ClientSession)
class ClientSessionAdmin(
    SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin[ClientSession]
):
    list_display = ("session_id", "user", "client_uuid", "created_at", "last_used_at", "idle")
    list_select_related = ("user",)
    search_fields = ("session_id", "user__email", "client_uuid")
    date_hierarchy = "last_used_at"

    @admin.display(description="idle for", ordering="last_used_at")
    def idle(self, session: ClientSession) -> str:
        return age(session.last_used_at)
