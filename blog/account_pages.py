"""The signed-in user's own data: download everything they wrote, and delete their account.

Both pages act on ``request.user`` alone and take no id: another person's data cannot be named.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.authentication import signed_in_user
from accounts.forms import AccountDeletionForm
from blog import account_data, account_erasure, account_export
from lib.errors import InvalidInput, ServiceError


@require_safe
@login_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    """The zip, streamed as it is built (an async body under ASGI, so no part waits for all)."""
    user = signed_in_user(request)
    parts = (
        account_export.azip_parts(user=user)
        if isinstance(request, ASGIRequest)
        else account_export.zip_parts(user=user)
    )
    response = StreamingHttpResponse(parts, content_type="application/zip")
    name = account_export.filename(now=timezone.now())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    """What deleting erases, the export offered first, and the email typed to confirm."""
    user = signed_in_user(request)
    form = AccountDeletionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            account_erasure.erase_account(user=user, confirmation=form.cleaned_data["confirmation"])
        except InvalidInput as error:
            form.add_service_errors(error)
        except ServiceError as error:
            form.add_error(None, error.message)
            status = 503 if error.retryable else 400
        else:
            logout(request)
            messages.success(request, "Your account and everything you wrote are deleted.")
            return redirect("blog:home")
    context = {"form": form, "summary": account_data.writing_summary(user=user)}
    return render(request, "blog/account_delete.html", context, status=status)
