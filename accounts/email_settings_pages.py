"""The signed-in person's email settings: which notification emails they get."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.authentication import signed_in_user


class EmailSettingsForm(forms.Form):
    on_reply = forms.BooleanField(
        required=False, label="Email me when someone replies to my comment"
    )
    on_post_comment = forms.BooleanField(
        required=False, label="Email me when someone comments on my post"
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    initial = {"on_reply": user.emails_on_reply, "on_post_comment": user.emails_on_post_comment}
    form = EmailSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_email_settings(
            user=user,
            on_reply=form.cleaned_data["on_reply"],
            on_post_comment=form.cleaned_data["on_post_comment"],
        )
        messages.success(request, "Your email settings are saved.")
        return redirect("accounts:email-settings")
    return render(request, "accounts/email_settings.html", {"form": form})
