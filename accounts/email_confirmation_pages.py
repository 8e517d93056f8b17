"""The pages of email confirmation: the emailed link (a page with a button, so a mail scanner
that fetches links confirms nothing) and "send me a new link"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import email_confirmation
from accounts.authentication import signed_in_user
from lib.errors import InvalidInput, TooManyRequests


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows whose address the link confirms; POST (the button) confirms it."""
    try:
        if request.method == "POST":
            email_confirmation.confirm_email(token=token)
            messages.success(request, "Your email address is confirmed. You can write now.")
            return redirect("blog:home")
        pending = email_confirmation.pending_confirmation(token=token)
    except InvalidInput as error:
        context = {"error": error.message}
        return render(request, "accounts/confirm_email.html", context, status=400)
    return render(request, "accounts/confirm_email.html", {"email": pending.user.email})


@require_POST
@login_required
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    try:
        sent = email_confirmation.resend_confirmation(user=user)
    except TooManyRequests as error:
        messages.error(request, error.message)
    else:
        if sent:
            messages.info(request, f"We sent a new link to {user.email}.")
        else:
            messages.info(request, "Your email address is already confirmed.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("blog:home")
