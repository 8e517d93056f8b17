"""The outbound queue in the admin: editors see what was sent and what failed, and why;
superusers may also queue failed emails again once the mail server is fixed."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from mail import services
from mail.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = ("to", "subject", "template", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # emails are queued by the site, never written by hand

    @admin.action(description="Queue the selected failed emails again", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        queued = services.retry_now(emails=list(queryset))
        self.message_user(request, f"Queued {queued} failed email(s) again.", messages.SUCCESS)
