"""The browser's identity pages: sign up (and confirm), sign in, sign out, passwords, profile."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts import (
    avatars,
    email_change,
    password_change,
    services,
    sign_in_attempts,
    signin,
)
from accounts.authentication import signed_in_user
from accounts.errors import UnconfirmedUser
from accounts.forms import (
    BoundedSetPasswordForm,
    CodeResetForm,
    ConfirmForm,
    EmailChangeConfirmForm,
    EmailChangeForm,
    EmailForm,
    PasswordChangeForm,
    ProfileForm,
    QueuedPasswordResetForm,
    ServiceForm,
    SignInForm,
    SignUpForm,
)
from accounts.providers import current
from lib import honeypot
from lib.client_address import client_ip
from lib.errors import (
    InvalidInput,
    ServiceError,
    ServiceUnavailable,
    TooManyRequests,
)

_SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
_NO_CODES = "Accounts here are confirmed by an emailed link, not a code."

FormData = dict[str, Any]


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    """``next`` from the form or query string when it stays on this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _with_query(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode({key: value for key, value in query.items() if value})}"


def _form_page(
    request: HttpRequest, template: str, form: forms.Form, error: ServiceError | None = None
) -> HttpResponse:
    """Re-render ``form`` with ``error`` on it, answering a status that says what went wrong."""
    status = 200
    if isinstance(error, InvalidInput) and isinstance(form, ServiceForm):
        form.add_service_errors(error)
    elif error is not None:
        form.add_error(None, error.message)
        if isinstance(error, TooManyRequests):
            status = 429
        elif isinstance(error, ServiceUnavailable):
            status = 503
    context = {
        "form": form,
        "next": _next_url(request),
        "confirms_by_code": current().confirms_by_code,
    }
    response = render(request, template, context, status=status)
    if error is not None and error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _form_view(
    request: HttpRequest,
    template: str,
    form: ServiceForm,
    action: Callable[[FormData], HttpResponse],
) -> HttpResponse:
    """The form page: shown, or re-shown with its errors, until a valid POST; then
    ``action(cleaned_data)`` answers, or the form is re-shown with the service's error."""
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    try:
        return action(form.cleaned_data)
    except ServiceError as error:
        return _form_page(request, template, form, error)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and honeypot.is_caught(request.POST):
        # Quietly: the same page and a generic message, whatever else the form holds.
        form = SignUpForm(request.POST)
        form.is_valid()
        refused = ServiceError("This account could not be created.")
        return _form_page(request, "accounts/sign_up.html", form, refused)

    def register(data: FormData) -> HttpResponse:
        user = signin.sign_up(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            ip=client_ip(request),
        )
        if user is None:
            messages.info(request, "We sent a confirmation code to your email address.")
            return redirect(_with_query("accounts:confirm", email=data["email"]))
        login(request, user, backend=_SESSION_BACKEND)
        return HttpResponseRedirect(_next_url(request))

    return _form_view(request, "accounts/sign_up.html", SignUpForm(request.POST or None), register)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    if not current().confirms_by_code:
        raise Http404(_NO_CODES)

    def confirm_address(data: FormData) -> HttpResponse:
        current().confirm_sign_up(email=data["email"], code=data["code"])
        messages.success(request, "Your email address is confirmed. You can sign in now.")
        return redirect(_with_query("accounts:sign-in", email=data["email"]))

    form = ConfirmForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    return _form_view(request, "accounts/confirm.html", form, confirm_address)


@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    if not current().confirms_by_code:
        raise Http404(_NO_CODES)
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            current().resend_code(email=form.cleaned_data["email"])
            messages.info(request, "We sent a new code.")
        except ServiceError as error:
            messages.error(request, error.message)
    return redirect(_with_query("accounts:confirm", email=request.POST.get("email", "")))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    def start_session(data: FormData) -> HttpResponse:
        try:
            signed_in = signin.sign_in(
                email=data["email"], password=data["password"], ip=client_ip(request)
            )
        except UnconfirmedUser as error:
            messages.info(request, error.message)
            return redirect(_with_query("accounts:confirm", email=data["email"]))
        login(request, signed_in.user, backend=_SESSION_BACKEND)
        current().keep_tokens(request.session, signed_in.result)
        return HttpResponseRedirect(_next_url(request))

    form = SignInForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    return _form_view(request, "accounts/sign_in.html", form, start_session)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    current().sign_out(session=request.session)
    logout(request)
    return HttpResponseRedirect(_next_url(request, settings.LOGOUT_REDIRECT_URL))


class LocalPasswordForgot(auth_views.PasswordResetView):
    """Django's emailed reset link (providers that send no codes), within the address's budget."""

    template_name = "accounts/password_forgot.html"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password-forgot-sent")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        try:
            sign_in_attempts.reserve_password_reset(ip=client_ip(self.request))
        except TooManyRequests as error:
            return _form_page(self.request, self.template_name, form, error)
        return super().form_valid(form)


class LocalPasswordReset(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset.html"
    form_class = BoundedSetPasswordForm
    success_url = reverse_lazy("accounts:sign-in")
    post_reset_login = False

    def form_valid(self, form: BoundedSetPasswordForm) -> HttpResponse:
        try:
            response = super().form_valid(form)
        except ServiceUnavailable as error:
            return _form_page(self.request, self.template_name, form, error)
        messages.success(self.request, "Your password is changed. Sign in with it now.")
        return response


@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponseBase:
    if not current().confirms_by_code:
        return LocalPasswordForgot.as_view()(request)

    def send_code(data: FormData) -> HttpResponse:
        signin.start_password_reset(email=data["email"], ip=client_ip(request))
        messages.info(request, "If the address has an account, we sent it a code.")
        return redirect(_with_query("accounts:password-reset", email=data["email"]))

    form = EmailForm(request.POST or None)
    return _form_view(request, "accounts/password_forgot.html", form, send_code)


def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """The code + new password form (providers without codes mail a link instead)."""
    if not current().confirms_by_code:
        raise Http404("Reset links arrive by email here.")

    def set_password(data: FormData) -> HttpResponse:
        current().reset_password(email=data["email"], code=data["code"], password=data["password"])
        messages.success(request, "Your password is changed. Sign in with it now.")
        return redirect(_with_query("accounts:sign-in", email=data["email"]))

    form = CodeResetForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    return _form_view(request, "accounts/password_reset.html", form, set_password)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)

    def save(data: FormData) -> HttpResponse:
        # Decoded first: a refused image leaves the whole profile as it was.
        avatar = avatars.normalized(data["avatar"]) if data["avatar"] else None
        services.update_profile(user=user, name=data["name"], bio=data["bio"])
        if avatar is not None:
            avatars.replace_avatar(user=user, image=avatar)
        elif data["remove_avatar"]:
            avatars.remove_avatar(user=user)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")

    initial = {"name": user.name, "bio": user.bio}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    return _form_view(request, "accounts/profile.html", form, save)


@login_required
@require_http_methods(["GET", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Change the password; this browser stays signed in, every other one is signed out."""
    user = signed_in_user(request)

    def change(data: FormData) -> HttpResponse:
        password_change.change_password(
            user=user,
            session=request.session,
            current_password=data["current_password"],
            new_password=data["new_password"],
            ip=client_ip(request),
        )
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed. Other browsers are signed out.")
        return redirect("accounts:profile")

    form = PasswordChangeForm(request.POST or None)
    return _form_view(request, "accounts/password_change.html", form, change)


@login_required
@require_http_methods(["GET", "POST"])
def email_change_page(request: HttpRequest) -> HttpResponse:
    """Ask for a new address: a confirmation link goes to it; nothing changes until it is used."""
    user = signed_in_user(request)

    def send_link(data: FormData) -> HttpResponse:
        address = email_change.start_email_change(
            user=user,
            new_email=data["email"],
            current_password=data["current_password"],
            ip=client_ip(request),
            confirmation_url=lambda token: request.build_absolute_uri(
                _with_query("accounts:email-change-confirm", token=token)
            ),
        )
        messages.info(
            request, f"We sent a link to {address}: your address changes when you open it."
        )
        return redirect("accounts:profile")

    form = EmailChangeForm(request.POST or None)
    return _form_view(request, "accounts/email_change.html", form, send_link)


@login_required
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest) -> HttpResponse:
    """The emailed link: a button to confirm (a GET changes nothing, so mail scanners that
    open links cannot use them)."""
    user = signed_in_user(request)

    def confirm_change(data: FormData) -> HttpResponse:
        address = email_change.confirm_email_change(user=user, token=data["token"])
        messages.success(request, f"Your email address is now {address}.")
        return redirect("accounts:profile")

    form = EmailChangeConfirmForm(
        request.POST or None, initial={"token": request.GET.get("token", "")}
    )
    return _form_view(request, "accounts/email_change_confirm.html", form, confirm_change)
