"""Users in the admin: editors find, read, suspend and reinstate them; superusers deactivate
and grant roles. The deleted identities that keep a deleted account from coming back are for
superusers only."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts import services, suspensions
from accounts.models import SUSPENSION_REASON_MAX_LENGTH, DeletedIdentity, User
from lib.admin_access import SuperuserOnlyAdminMixin
from lib.errors import ServiceError


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm[User]):
    avatar_url = forms.URLField(required=False, assume_scheme="https", max_length=500)

    # django-stubs 5.2 declare no Meta on UserChangeForm (Django's has one: its fields and
    # field classes are kept here).
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User


class SuspensionForm(forms.Form):
    DURATIONS = {"1": "1 day", "7": "7 days", "30": "30 days", "forever": "Until reinstated"}

    duration = forms.ChoiceField(choices=DURATIONS.items(), initial="7")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=SUSPENSION_REASON_MAX_LENGTH,
        help_text="Shown to the account's owner whenever they are refused.",
    )

    def until(self) -> Any:
        days = self.cleaned_data["duration"]
        return None if days == "forever" else timezone.now() + timedelta(days=int(days))


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspension"
    parameter_name = "suspended"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Suspended"), ("no", "Not suspended")]

    def queryset(self, request: Any, queryset: QuerySet[User]) -> QuerySet[User]:
        suspended = {"suspended_until__gt": timezone.now()}
        if self.value() == "yes":
            return queryset.filter(**suspended)
        if self.value() == "no":
            return queryset.exclude(**suspended)
        return queryset


# Unparameterised: django-stubs bind UserAdmin's model to AbstractUser, and ours is an
# AbstractBaseUser (the fieldsets below name its own fields).
@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    list_display = ("email", "name", "is_staff", "is_active", "suspended_until", "created_at")
    list_filter = ("is_staff", "is_active", SuspendedFilter, "is_superuser")
    actions = ["suspend_accounts", "reinstate_accounts"]
    search_fields = ("email", "name", "cognito_sub")
    ordering = ("-created_at",)
    readonly_fields = (
        "cognito_sub",
        "created_at",
        "updated_at",
        "last_login",
        "suspended_until",
        "suspension_reason",
    )
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "bio", "avatar_url")}),
        (
            "Identity",
            {
                "fields": (
                    "cognito_sub",
                    "email_confirmed_at",
                    "last_login",
                    "created_at",
                    "updated_at",
                )
            },
        ),
        ("Email", {"fields": ("emails_on_reply", "emails_on_post_comment")}),
        ("Suspension", {"fields": ("suspended_until", "suspension_reason")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.suspend_user")

    @admin.action(description="Suspend selected accounts…", permissions=["suspend"])
    def suspend_accounts(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """A page asking for how long and why, then each account suspended by the service."""
        form = SuspensionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._each(
                request,
                queryset,
                lambda user: suspensions.suspend(
                    user=user,
                    by=request.user,  # type: ignore[arg-type]  # the admin's users are Users
                    reason=form.cleaned_data["reason"],
                    until=form.until(),
                ),
                "suspended",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Suspend accounts",
            "form": form,
            "accounts": queryset,
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/user/suspend.html", context)

    @admin.action(description="Reinstate selected accounts", permissions=["suspend"])
    def reinstate_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(
            request,
            queryset,
            lambda user: suspensions.reinstate(user=user, by=request.user),  # type: ignore[arg-type]
            "reinstated",
        )

    def _each(self, request: HttpRequest, queryset: QuerySet[User], act: Any, done: str) -> None:
        """``act`` on each account; what was done, and each refusal with its reason, told."""
        changed = 0
        for user in queryset:
            try:
                act(user)
                changed += 1
            except ServiceError as error:
                self.message_user(
                    request, f"Not {done}: {user.email}. {error.message}", messages.ERROR
                )
        if changed:
            self.message_user(request, f"{changed} account{'s' * (changed != 1)} {done}.")

    # Deletions go through the service, which remembers the account's sub (see services).
    def delete_model(self, request: Any, obj: User) -> None:
        services.delete_user(user=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            services.delete_user(user=user)


@admin.register(DeletedIdentity)
class DeletedIdentityAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin[DeletedIdentity]):
    list_display = ("sub", "deleted_at")
    ordering = ("-deleted_at",)
    search_fields = ("sub",)
    readonly_fields = ("sub", "deleted_at")
