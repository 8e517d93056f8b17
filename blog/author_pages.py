"""Authors' pages: the dashboard of their posts, the editor with a preview, publish, delete."""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.authentication import signed_in_user
from blog import selectors, services
from blog.forms import ImageUploadForm, PostForm, PostImagesForm
from blog.models import Post
from blog.pagination import PAGE_SIZE, PAGE_SIZE_MAX
from blog.rendering import derive_excerpt
from blog.tag_names import split_tag_text
from images import selectors as image_selectors
from images.outputs import markdown as image_markdown
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
                cover_image_id=UUID(data["cover_image"]) if data["cover_image"] else None,
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


def _render_editor(
    request: HttpRequest,
    form: PostForm,
    post: Post | None,
    upload_form: ImageUploadForm | None = None,
    status: int | None = None,
) -> HttpResponse:
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
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    # The revision the editor's autosaves build on (static/js/autosave.js).
    revision_id = post and selectors.newest_revision_id(post=post)
    context = {
        "form": form,
        "post": post,
        "preview": preview,
        "revision_id": revision_id,
        "upload_form": upload_form or ImageUploadForm(),
        "max_upload_bytes": settings.IMAGES_MAX_UPLOAD_BYTES,
    }
    return render(request, "blog/post_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def new_post(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and (saved := _editor(request, form, None)):
        return saved
    return _render_editor(request, form, None)


def _edit_form(request: HttpRequest, post: Post, *, bound: bool) -> PostImagesForm:
    # A derived excerpt shows as blank, so it keeps following the content after edits.
    derived = post.excerpt == derive_excerpt(post.content)
    initial = {
        "title": post.title,
        "content": post.content,
        "excerpt": "" if derived else post.excerpt,
        "slug": post.slug,
        "publish_at": post.publish_at,
        "tags": ", ".join(tag.name for tag in post.tags.all()),
        "cover_image": "" if post.cover_image_id is None else str(post.cover_image_id),
    }
    images = image_selectors.cover_candidates(post_id=post.id, cover_image_id=post.cover_image_id)
    return PostImagesForm(
        request.POST if bound else None,
        initial=initial,
        images=images,
        is_published=post.published,
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit_post(request: HttpRequest, post_id: UUID) -> HttpResponse:
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
    form = _edit_form(request, post, bound=request.method == "POST")
    if request.method == "POST" and (saved := _editor(request, form, post)):
        return saved
    return _render_editor(request, form, post)


@require_POST
@login_required
def upload_post_image(request: HttpRequest, post_id: UUID) -> HttpResponse:
    """The no-JavaScript upload of an image for the post, its cover if asked; on a refusal,
    the editor again with the reason beside the file field."""
    with as_http_errors():
        post = selectors.post_for_edit(user=request.user, post_id=post_id)
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.API_MAX_UPLOAD_BYTES:
        # Refused before the body is parsed (the site's ASGI door refuses it before it is read).
        upload_form = ImageUploadForm({})  # bound to nothing: its body stays unread
        upload_form.is_valid()
        upload_form.errors["image"] = upload_form.error_class([_too_large_message()])
        return _render_editor(
            request, _edit_form(request, post, bound=False), post, upload_form, status=413
        )
    upload_form = ImageUploadForm(request.POST, request.FILES)
    if upload_form.is_valid():
        data = upload_form.cleaned_data
        try:
            image = services.add_post_image(
                post=post, upload=data["image"], alt=data["alt"], as_cover=data["as_cover"]
            )
        except InvalidInput as error:
            upload_form.add_service_errors(error)
        else:
            messages.success(request, f"Image added. Its Markdown: {image_markdown(image)}")
            return redirect(f"{reverse('blog:edit-post', kwargs={'post_id': post.id})}#images")
    return _render_editor(
        request, _edit_form(request, post, bound=False), post, upload_form, status=400
    )


def _too_large_message() -> str:
    return f"Images may be at most {settings.IMAGES_MAX_UPLOAD_BYTES / 2**20:.1f} MB."


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
