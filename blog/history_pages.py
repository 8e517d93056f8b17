"""A post's history page: its revisions, a side-by-side diff of one of them, and restoring it.
For the author and staff only, as the editor is."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.authentication import signed_in_user
from blog import selectors, services
from blog.pagination import PAGE_SIZE_MAX
from lib.errors import InvalidInput, NotFound
from lib.html_errors import as_http_errors

# What a revision is compared with: the one before it, or the post's current text.
_AGAINST = ("previous", "current")


def _column_labels(comparison: selectors.RevisionComparison | None) -> tuple[str, str]:
    """The headers of the diff's two sides."""
    if comparison is None:
        return "", ""
    if comparison.against == "current":
        return "This revision", "The current text"
    if comparison.previous is None:
        return "Nothing (this is the first revision)", "This revision"
    return (
        f"The revision before it ({comparison.previous.saved_at:%-d %b %Y %H:%M})",
        "This revision",
    )


@require_safe
@login_required
def post_history(
    request: HttpRequest, post_id: UUID, revision_id: UUID | None = None
) -> HttpResponse:
    against = request.GET.get("against", "previous")
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
        page = selectors.revision_page(
            post=post, limit=PAGE_SIZE_MAX, cursor=request.GET.get("after")
        )
        if revision_id is None and page.items and not request.GET.get("after"):
            revision_id = page.items[0].id
        comparison = None
        if revision_id is not None:
            revision = selectors.post_revision(post=post, revision_id=revision_id)
            comparison = selectors.compare_revision(
                post=post, revision=revision, against=against if against in _AGAINST else "previous"
            )
    is_current = comparison is not None and (
        (comparison.revision.title, comparison.revision.content, comparison.revision.excerpt)
        == (post.title, post.content, post.excerpt)
    )
    context = {
        "post": post,
        "page": page,
        "comparison": comparison,
        "is_current": is_current,
        "labels": _column_labels(comparison),
    }
    return render(request, "blog/post_history.html", context)


@require_POST
@login_required
def restore_revision(request: HttpRequest, post_id: UUID, revision_id: UUID) -> HttpResponse:
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
    try:
        revision = selectors.post_revision(post=post, revision_id=revision_id)
        services.restore_revision(post=post, revision=revision, restored_by=signed_in_user(request))
    except NotFound:
        # Pruned since the page was shown (or never this post's): say so where it was asked.
        messages.error(request, "That revision no longer exists; nothing was restored.")
    except InvalidInput as error:
        problems = [text for field in error.field_errors.values() for text in field]
        messages.error(request, " ".join(problems) or error.message)
    else:
        saved_at = f"{revision.saved_at:%-d %b %Y %H:%M}"
        messages.success(request, f"Restored the revision of {saved_at}; it is the newest now.")
    return redirect("blog:post-history", post_id=post.id)
