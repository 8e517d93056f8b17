"""Forms of the sign-up, sign-in, confirmation, password and profile pages."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from accounts import services
from accounts.models import User
from lib.errors import InvalidInput
from mail.services import enqueue_email


class ServiceForm(forms.Form):
    """A form that can show a service's InvalidInput on its own fields."""

    # Service field names (camelCase, as the API speaks) to this form's field names.
    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: InvalidInput) -> None:
        for name, messages in error.field_errors.items():
            field = self.service_fields.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class SignInForm(ServiceForm):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(strip=False, widget=forms.PasswordInput)


class PasswordPairForm(ServiceForm):
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class SignUpForm(PasswordPairForm):
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=120, required=False)
    field_order = ["email", "name", "password", "password_again"]


class ConfirmForm(ServiceForm):
    email = forms.EmailField(max_length=254)
    code = forms.CharField(
        max_length=64, widget=forms.TextInput(attrs={"autocomplete": "one-time-code"})
    )


class EmailForm(ServiceForm):
    email = forms.EmailField(max_length=254)


class CodeResetForm(PasswordPairForm):
    email = forms.EmailField(max_length=254)
    code = forms.CharField(
        max_length=64, widget=forms.TextInput(attrs={"autocomplete": "one-time-code"})
    )
    field_order = ["email", "code", "password", "password_again"]


class ProfileForm(ServiceForm):
    name = forms.CharField(max_length=120, required=False)
    bio = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 6}))
    # Checked by accounts.avatars (decoded by Pillow), so one rule serves every door.
    avatar = forms.FileField(
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="JPEG, PNG, GIF or WebP; cropped to a square.",
    )
    remove_avatar = forms.BooleanField(label="Remove my avatar", required=False)


class BoundedSetPasswordForm(SetPasswordForm):
    """Django's new-password form (reset links), hashing through the bounded service."""

    def save(self, commit: bool = True) -> User:
        return services.set_password(user=self.user, password=self.cleaned_data["new_password1"])


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's forgot-password form, its link queued (mail.services), never sent in the request."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        enqueue_email(to=to_email, template="accounts/email/password_reset", context=context)


class PasswordChangeForm(ServiceForm):
    current_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="New password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    service_fields = {
        "currentPassword": "current_password",
        "newPassword": "new_password",
        # Cognito's own password policy, as its provider reports it.
        "password": "new_password",
    }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "The two passwords differ.")
        return data


class AccountDeletionForm(ServiceForm):
    confirmation = forms.CharField(
        label="Type your email address to confirm",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class EmailChangeForm(ServiceForm):
    email = forms.EmailField(label="New email address", max_length=254)
    current_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    service_fields = {"currentPassword": "current_password"}


class EmailChangeConfirmForm(ServiceForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=1000)
