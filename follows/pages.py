"""Following by email: the form (the site, or one author with ``?author=<id>``), and the
emailed confirmation link (a page with a button, so a mail scanner confirms nothing)."""

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.selectors import active_user
from follows import services
from follows.forms import FollowForm
from lib.client_address import client_ip
from lib.errors import InvalidInput, NotFound, TooManyRequests


def _followed_author(request: HttpRequest) -> User | None:
    raw = request.POST.get("author") or request.GET.get("author") or ""
    if not raw:
        return None
    try:
        return active_user(user_id=UUID(raw))
    except (ValueError, NotFound):
        raise Http404("No such author.") from None


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    author = _followed_author(request)
    initial = {"email": request.user.email if request.user.is_authenticated else ""}
    form = FollowForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.request_follow(
                    email=form.cleaned_data["email"],
                    author=author,
                    cadence=form.cleaned_data["cadence"],
                    ip=client_ip(request),
                )
            except InvalidInput as error:
                form.add_service_errors(error)
            except TooManyRequests as error:
                form.add_error(None, error.message)
                status = 429
            else:
                context = {"author": author, "email": form.cleaned_data["email"]}
                return render(request, "follows/requested.html", context)
    return render(request, "follows/follow.html", {"form": form, "author": author}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    template = "follows/confirm.html"
    try:
        if request.method == "POST":
            confirmed = services.confirm_follow(token=token)
            return render(request, template, {"pending": confirmed, "done": True})
        pending = services.pending_follow(token=token)
    except InvalidInput as error:
        return render(request, template, {"error": error.message}, status=400)
    return render(request, template, {"pending": pending})
