"""The browser's identity pages: sign up (and confirm), sign in, sign out, passwords, profile."""

from contextlib import suppress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services, session_tokens, signin
from accounts.authentication import signed_in_user
from accounts.errors import UnconfirmedUser
from accounts.forms import (
    CodeResetForm,
    ConfirmForm,
    EmailForm,
    ProfileForm,
    ServiceForm,
    SignInForm,
    SignUpForm,
)
from accounts.providers import cognito
from lib.client_address import client_ip
from lib.errors import (
    InvalidInput,
    ServiceError,
    ServiceUnavailable,
    TooManyRequests,
)

_SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _is_cognito() -> bool:
    return settings.AUTH_PROVIDER == "cognito"


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
    request: HttpRequest, template: str, form: ServiceForm, error: ServiceError | None = None
) -> HttpResponse:
    """Re-render ``form`` with ``error`` on it, answering a status that says what went wrong."""
    status = 200
    if isinstance(error, InvalidInput):
        form.add_service_errors(error)
    elif error is not None:
        form.add_error(None, error.message)
        if isinstance(error, TooManyRequests):
            status = 429
        elif isinstance(error, ServiceUnavailable):
            status = 503
    context = {"form": form, "next": _next_url(request), "is_cognito": _is_cognito()}
    response = render(request, template, context, status=status)
    if error is not None and error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    template = "accounts/sign_up.html"
    form = SignUpForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    data = form.cleaned_data
    try:
        if _is_cognito():
            cognito.sign_up(email=data["email"], password=data["password"], name=data["name"])
            messages.info(request, "We sent a confirmation code to your email address.")
            return redirect(_with_query("accounts:confirm", email=data["email"]))
        user = services.create_user(
            email=data["email"], password=data["password"], name=data["name"]
        )
    except ServiceError as error:
        return _form_page(request, template, form, error)
    login(request, user, backend=_SESSION_BACKEND)
    return HttpResponseRedirect(_next_url(request))


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    if not _is_cognito():
        raise Http404("Accounts need no confirmation here.")
    template = "accounts/confirm.html"
    form = ConfirmForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    try:
        cognito.confirm_sign_up(email=form.cleaned_data["email"], code=form.cleaned_data["code"])
    except ServiceError as error:
        return _form_page(request, template, form, error)
    messages.success(request, "Your email address is confirmed. You can sign in now.")
    return redirect(_with_query("accounts:sign-in", email=form.cleaned_data["email"]))


@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    if not _is_cognito():
        raise Http404("Accounts need no confirmation here.")
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            cognito.resend_code(email=form.cleaned_data["email"])
            messages.info(request, "We sent a new code.")
        except ServiceError as error:
            messages.error(request, error.message)
    return redirect(_with_query("accounts:confirm", email=request.POST.get("email", "")))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    template = "accounts/sign_in.html"
    form = SignInForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    try:
        signed_in = signin.sign_in(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            ip=client_ip(request),
        )
    except UnconfirmedUser as error:
        messages.info(request, error.message)
        return redirect(_with_query("accounts:confirm", email=form.cleaned_data["email"]))
    except ServiceError as error:
        return _form_page(request, template, form, error)
    login(request, signed_in.user, backend=_SESSION_BACKEND)
    if _is_cognito():
        session_tokens.remember(request.session, signed_in.result)
    return HttpResponseRedirect(_next_url(request))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    access_token = session_tokens.forget(request.session)
    if access_token and _is_cognito():
        # The local session ends regardless; the pool's tokens expire on their own.
        with suppress(ServiceError):
            cognito.sign_out(access_token=access_token)
    logout(request)
    return HttpResponseRedirect(_next_url(request, settings.LOGOUT_REDIRECT_URL))


class LocalPasswordForgot(auth_views.PasswordResetView):
    template_name = "accounts/password_forgot.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-forgot-sent")


class LocalPasswordReset(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:sign-in")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        messages.success(self.request, "Your password is changed. Sign in with it now.")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponseBase:
    if not _is_cognito():
        return LocalPasswordForgot.as_view()(request)
    template = "accounts/password_forgot.html"
    form = EmailForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    try:
        cognito.start_password_reset(email=form.cleaned_data["email"])
    except ServiceError as error:
        return _form_page(request, template, form, error)
    messages.info(request, "If the address has an account, we sent it a code.")
    return redirect(_with_query("accounts:password-reset", email=form.cleaned_data["email"]))


def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Cognito's code + new password form (the local provider mails a link instead)."""
    if not _is_cognito():
        raise Http404("Reset links arrive by email here.")
    template = "accounts/password_reset.html"
    form = CodeResetForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    data = form.cleaned_data
    try:
        cognito.reset_password(email=data["email"], code=data["code"], password=data["password"])
    except ServiceError as error:
        return _form_page(request, template, form, error)
    messages.success(request, "Your password is changed. Sign in with it now.")
    return redirect(_with_query("accounts:sign-in", email=data["email"]))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    template = "accounts/profile.html"
    user = signed_in_user(request)
    initial = {"name": user.name, "bio": user.bio, "avatar_url": user.avatar_url}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, template, form)
    data = form.cleaned_data
    try:
        services.update_profile(
            user=user, name=data["name"], bio=data["bio"], avatar_url=data["avatar_url"]
        )
    except InvalidInput as error:
        return _form_page(request, template, form, error)
    messages.success(request, "Your profile is saved.")
    return redirect("accounts:profile")
