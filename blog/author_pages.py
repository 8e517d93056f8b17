"""Authors' pages: the dashboard of their posts, the editor with a preview, publish, delete."""

from datetime import datetime
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.authentication import signed_in_user
from blog import selectors, services
from blog.forms import PostEditForm, PostForm
from blog.models import Post
from blog.pagination import PAGE_SIZE, PAGE_SIZE_MAX
from blog.rendering import derive_excerpt
from blog.tag_names import split_tag_text
from lib.errors import Forbidden, InvalidInput, TooManyRequests
from lib.html_errors import as_http_errors


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    drafts = selectors.post_page(
        viewer=request.user, limit=PAGE_SIZE_MAX, author_id=request.user.id, published=False
    )
    with as_http_errors():
        published = selectors.post_page(
            viewer=request.user,
            limit=PAGE_SIZE,
            author_id=request.user.id,
            cursor=request.GET.get("after"),
        )
    return render(request, "blog/dashboard.html", {"drafts": drafts, "page": published})


def _editor(request: HttpRequest, form: PostForm, post: Post | None) -> HttpResponse | None:
    """Save the form through a service, or None when the page should show the form again."""
    if not form.is_valid() or "preview" in request.POST:
        return None
    action = request.POST.get("action")
    publish = action == "publish"
    data = form.cleaned_data
    # Save keeps the schedule the field shows (blank: none); Schedule insists on a time.
    publish_at = None if action == "unschedule" else data.get("publish_at")
    if action == "schedule" and publish_at is None:
        form.add_error("publish_at", "Choose when to publish.")
        return None
    try:
        if post is None:
            post = services.create_post(
                author=signed_in_user(request),
                title=data["title"],
                content=data["content"],
                excerpt=data["excerpt"],
                published=publish,
                publish_at=None if publish else publish_at,
                tags=split_tag_text(data["tags"]),
            )
        else:
            post = services.update_post(
                post=post,
                title=data["title"],
                content=data["content"],
                excerpt=data["excerpt"],
                published=True if publish else None,
                slug=data["slug"],
                publish_at=_new_schedule(action, publish_at, post),
                saved_by=signed_in_user(request),
                # A form sent without the field (an older page) leaves the tags as they are.
                tags=split_tag_text(data["tags"]) if "tags" in request.POST else None,
            )
    except InvalidInput as error:
        form.add_service_errors(error)
        return None
    except Forbidden as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, _saved_message(post))
    return redirect("blog:edit-post", post_id=post.id)


def _new_schedule(
    action: str | None, publish_at: datetime | None, post: Post
) -> services.ScheduleChange:
    """What a save of a saved post does to its schedule: nothing when publishing (which ends
    it) or when the field still shows the stored time (to the minute), so a save never moves a
    schedule set to the second, nor refuses one whose time came moments ago."""
    if action == "publish" or post.published:
        return services.UNCHANGED
    stored = post.publish_at
    if action != "unschedule" and stored and publish_at == stored.replace(second=0, microsecond=0):
        return services.UNCHANGED
    return publish_at


def _saved_message(post: Post) -> str:
    if post.published:
        return "Published."
    if post.publish_at is not None:
        when = timezone.localtime(post.publish_at).strftime("%-d %b %Y %H:%M %Z")
        return f"Scheduled for {when}."
    return "Saved as a draft."


def _render_editor(request: HttpRequest, form: PostForm, post: Post | None) -> HttpResponse:
    preview = None
    if "preview" in request.POST and form.is_valid():
        # Rendered as a save would, within its budget and the author's preview rate.
        try:
            preview = services.preview_post(
                author=signed_in_user(request), content=form.cleaned_data["content"]
            )
        except InvalidInput as error:
            form.add_service_errors(error)
        except TooManyRequests as error:
            form.add_error(None, error.message)
    status = 400 if form.is_bound and form.errors else 200
    # The revision the editor's autosaves build on (static/js/autosave.js).
    revision_id = post and selectors.newest_revision_id(post=post)
    context = {"form": form, "post": post, "preview": preview, "revision_id": revision_id}
    return render(request, "blog/post_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def new_post(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and (saved := _editor(request, form, None)):
        return saved
    return _render_editor(request, form, None)


@require_http_methods(["GET", "POST"])
@login_required
def edit_post(request: HttpRequest, post_id: UUID) -> HttpResponse:
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
    # A derived excerpt shows as blank, so it keeps following the content after edits.
    derived = post.excerpt == derive_excerpt(post.content)
    initial = {
        "title": post.title,
        "content": post.content,
        "excerpt": "" if derived else post.excerpt,
        "slug": post.slug,
        "publish_at": post.publish_at,
        "tags": ", ".join(tag.name for tag in post.tags.all()),
    }
    form = PostEditForm(request.POST or None, initial=initial, is_published=post.published)
    if request.method == "POST" and (saved := _editor(request, form, post)):
        return saved
    return _render_editor(request, form, post)


@require_POST
@login_required
def set_published(request: HttpRequest, post_id: UUID) -> HttpResponse:
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
    publish = request.POST.get("published") == "true"
    services.update_post(post=post, published=publish)
    messages.success(request, "Published." if publish else "Unpublished: only you can see it now.")
    return redirect("blog:dashboard")


@require_http_methods(["GET", "POST"])
@login_required
def delete_post(request: HttpRequest, post_id: UUID) -> HttpResponse:
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
    if request.method == "POST":
        services.delete_post(post=post)
        messages.success(request, f"Deleted “{post.title}”.")
        return redirect("blog:dashboard")
    return render(request, "blog/post_confirm_delete.html", {"post": post})
