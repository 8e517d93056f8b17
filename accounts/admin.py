"""Users in the admin: editors find and read them; superusers deactivate and grant roles.
The deleted identities that keep a deleted account from coming back are for superusers only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts import services
from accounts.models import DeletedIdentity, User
from lib.admin_access import SuperuserOnlyAdminMixin


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


# Unparameterised: django-stubs bind UserAdmin's model to AbstractUser, and ours is an
# AbstractBaseUser (the fieldsets below name its own fields).
@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    list_display = ("email", "name", "is_staff", "is_active", "created_at")
    list_filter = ("is_staff", "is_active", "is_superuser")
    search_fields = ("email", "name", "cognito_sub")
    ordering = ("email",)
    readonly_fields = ("cognito_sub", "created_at", "updated_at", "last_login")
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
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")

    # Deletions go through the service, which remembers the account's sub (see services).
    def delete_model(self, request: Any, obj: User) -> None:
        services.delete_user(user=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            services.delete_user(user=user)


@admin.register(DeletedIdentity)
class DeletedIdentityAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin[DeletedIdentity]):
    list_display = ("sub", "deleted_at")
    search_fields = ("sub",)
    readonly_fields = ("sub", "deleted_at")
