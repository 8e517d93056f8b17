"""Identity pages and the JSON token endpoints."""

from django.conf import settings
from django.urls import path

from accounts import avatar_files, email_confirmation_pages, email_settings_pages, endpoints, pages

# Avatars stored on the file system are served under MEDIA_URL (when it is a path of this site).
_MEDIA_PATH = settings.MEDIA_URL.lstrip("/") if settings.MEDIA_URL.startswith("/") else "media/"

app_name = "accounts"
urlpatterns = [
    path("sign-up/", pages.sign_up, name="sign-up"),
    path("sign-up/confirm/", pages.confirm, name="confirm"),
    path("sign-up/resend-code/", pages.resend_code, name="resend-code"),
    path(
        "email/confirm/again/",
        email_confirmation_pages.resend_confirmation,
        name="resend-confirmation",
    ),
    path(
        "email/confirm/<str:token>/",
        email_confirmation_pages.confirm_email,
        name="confirm-email",
    ),
    path("sign-in/", pages.sign_in, name="sign-in"),
    path("sign-out/", pages.sign_out, name="sign-out"),
    path("password/forgot/", pages.password_forgot, name="password-forgot"),
    path("password/forgot/sent/", pages.password_forgot_sent, name="password-forgot-sent"),
    path("password/reset/", pages.password_reset, name="password-reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        pages.LocalPasswordReset.as_view(),
        name="password-reset-link",
    ),
    path("profile/", pages.profile, name="profile"),
    path("profile/notifications/", email_settings_pages.email_settings, name="email-settings"),
    path("profile/password/", pages.password_change_page, name="password-change"),
    path("profile/email/", pages.email_change_page, name="email-change"),
    path("profile/email/confirm/", pages.email_change_confirm, name="email-change-confirm"),
    path(
        f"{_MEDIA_PATH}avatars/<uuid:user_id>/<str:name>",
        avatar_files.avatar_file,
        name="avatar-file",
    ),
    path("auth/token", endpoints.TokenView.as_view(), name="token"),
    path("auth/token/refresh", endpoints.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/session-token", endpoints.SessionTokenView.as_view(), name="session-token"),
    path("auth/me", endpoints.MeView.as_view(), name="me"),
    path(".well-known/jwks.json", endpoints.jwks_document, name="jwks"),
]
