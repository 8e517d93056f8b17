"""Values every page template may use."""

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url


def site(request: HttpRequest) -> dict[str, str]:
    return {"login_url": resolve_url(settings.LOGIN_URL)}
