"""Identity pages and the JSON token endpoints."""

from django.urls import path

from accounts import endpoints, pages

app_name = "accounts"
urlpatterns = [
    path("sign-up/", pages.sign_up, name="sign-up"),
    path("sign-up/confirm/", pages.confirm, name="confirm"),
    path("sign-up/resend-code/", pages.resend_code, name="resend-code"),
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
    path("profile/password/", pages.password_change_page, name="password-change"),
    path("auth/token", endpoints.TokenView.as_view(), name="token"),
    path("auth/token/refresh", endpoints.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/session-token", endpoints.SessionTokenView.as_view(), name="session-token"),
    path("auth/me", endpoints.MeView.as_view(), name="me"),
    path(".well-known/jwks.json", endpoints.jwks_document, name="jwks"),
]
