"""The report pages: a reader flags a post or a comment without JavaScript (static/js/report.js
sends the same form through report.create)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.authentication import signed_in_user
from blog.models import Comment, Post
from lib.errors import Conflict, Forbidden, InvalidInput, ServiceError, TooManyRequests
from lib.html_errors import as_http_errors
from moderation import selectors, services
from moderation.forms import ReportForm

_STATUS = {InvalidInput: 400, Forbidden: 403, Conflict: 409, TooManyRequests: 429}


def _report(request: HttpRequest, post: Post, comment: Comment | None) -> HttpResponse:
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.create_report(
                    reporter=signed_in_user(request),
                    post=post,
                    comment=comment,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except InvalidInput as error:
                form.add_service_errors(error)
            except ServiceError as error:
                form.add_error(None, error.message)
                status = _STATUS.get(type(error), 400)
            else:
                messages.success(request, "Thank you: the moderators will look at it.")
                return redirect(comment.get_absolute_url() if comment else post.get_absolute_url())
    context = {"form": form, "post": post, "comment": comment}
    return render(request, "moderation/report_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def report_comment(request: HttpRequest, comment_id: UUID) -> HttpResponse:
    with as_http_errors():
        comment = selectors.reportable_comment(comment_id=comment_id)
    return _report(request, comment.post, comment)


@require_http_methods(["GET", "POST"])
@login_required
def report_post(request: HttpRequest, post_id: UUID) -> HttpResponse:
    with as_http_errors():
        post = selectors.reportable_post(post_id=post_id)
    return _report(request, post, None)
