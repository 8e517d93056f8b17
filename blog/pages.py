"""Server-rendered pages for readers: posts, threads, search, authors, and commenting.

Every page works without JavaScript; static/js adds live updates on top.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.authentication import signed_in_user
from accounts.selectors import active_user
from blog import selectors, services
from blog.announcements import POSTS_CHANNEL, comments_channel
from blog.forms import CommentForm
from blog.models import COMMENT_MAX_LENGTH, TAG_SLUG_MAX_LENGTH, Post
from blog.pagination import PAGE_SIZE, Page
from blog.rendering import post_html, post_reading_minutes
from blog.search import SEARCH_QUERY_MAX_LENGTH
from blog.share_cards import share_card
from blog.structured_data import blog_posting
from lib import honeypot
from lib.client_address import client_ip
from lib.errors import Forbidden, InvalidInput, TooManyRequests
from lib.html_errors import as_http_errors
from realtime.event_log import page_position


def _post_page(request: HttpRequest, *, author_id: UUID | None = None) -> Page[Post]:
    try:
        return selectors.post_page(
            viewer=request.user,
            limit=PAGE_SIZE,
            cursor=request.GET.get("after"),
            author_id=author_id,
        )
    except InvalidInput:
        raise Http404("This page of posts does not exist.") from None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    live_since = page_position(POSTS_CHANNEL)  # before the posts: see page_position
    return render(
        request, "blog/home.html", {"page": _post_page(request), "live_since": live_since}
    )


def _render_post(
    request: HttpRequest, post: Post, comment_form: CommentForm | None = None, status: int = 200
) -> HttpResponse:
    live_since = page_position(comments_channel(post.id))  # before the comments
    threads = selectors.comment_tree(post=post, viewer=request.user)
    context = {
        "live_since": live_since,
        "post": post,
        "content_html": post_html(post),
        "reading_minutes": post_reading_minutes(post),
        "threads": threads,
        "thread_rows": selectors.thread_rows(threads),
        "comment_form": comment_form or CommentForm(),
        "comment_max_length": COMMENT_MAX_LENGTH,
        "structured_data": blog_posting(
            request,
            post,
            comment_count=post.comment_count,  # type: ignore[attr-defined]  # post_for_viewer's
        ),
    }
    return render(request, "blog/post_detail.html", context, status=status)


@require_safe
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    with as_http_errors():
        post = selectors.post_for_viewer(viewer=request.user, slug=slug)
    if post.slug != slug:
        # A slug the post had: its links move, permanently, to the current one.
        return redirect(post, permanent=True)
    services.record_post_view(post_id=post.id)
    return _render_post(request, post)


@require_POST
@login_required
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a comment or a reply; on bad input, the post again with the form's errors."""
    with as_http_errors():
        post = selectors.post_for_viewer(viewer=request.user, slug=slug)
    if honeypot.is_caught(request.POST):
        messages.error(request, "Your comment could not be posted.")
        return redirect(f"{post.get_absolute_url()}#comments")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            parent_id = form.cleaned_data["parent_id"]
            parent = parent_id and selectors.reply_parent(post=post, comment_id=parent_id)
            comment = services.create_comment(
                author=signed_in_user(request),
                post=post,
                content=form.cleaned_data["content"],
                parent=parent,
                client_address=client_ip(request),
            )
            if comment.is_held:
                messages.info(
                    request, "Thank you: your comment will appear once a moderator has seen it."
                )
            return redirect(comment.get_absolute_url())
        except InvalidInput as error:
            form.add_service_errors(error)
        except Forbidden as error:
            form.add_error(None, error.message)
            return _render_post(request, post, comment_form=form, status=403)
        except TooManyRequests as error:
            form.add_error(None, error.message)
            response = _render_post(request, post, comment_form=form, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
    return _render_post(request, post, comment_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def comment_edit(request: HttpRequest, comment_id: UUID) -> HttpResponse:
    with as_http_errors():
        comment = selectors.comment_for_edit(user=request.user, comment_id=comment_id)
    form = CommentForm(request.POST or None, initial={"content": comment.content})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_comment(comment=comment, content=form.cleaned_data["content"])
            return redirect(comment.get_absolute_url())
        except InvalidInput as error:
            form.add_service_errors(error)
    return render(request, "blog/comment_form.html", {"comment": comment, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def comment_delete(request: HttpRequest, comment_id: UUID) -> HttpResponse:
    with as_http_errors():
        comment = selectors.comment_for_edit(user=request.user, comment_id=comment_id)
    if request.method == "POST":
        services.delete_comment(comment=comment)
        return redirect(f"{comment.post.get_absolute_url()}#comments")
    return render(request, "blog/comment_confirm_delete.html", {"comment": comment})


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    # A tag's slug narrows the search (the tag page's search box); blank: every post.
    tag = request.GET.get("tag", "").strip() or None
    context: dict = {"query": query, "tag": tag, "page": None, "error": None}
    if len(query) > SEARCH_QUERY_MAX_LENGTH:
        context["error"] = f"Searches are at most {SEARCH_QUERY_MAX_LENGTH} characters."
    elif tag is not None and len(tag) > TAG_SLUG_MAX_LENGTH:
        context["error"] = "No tag has so long an address."
    elif query:
        try:
            context["page"] = selectors.search_posts(
                viewer=request.user,
                query=query,
                limit=PAGE_SIZE,
                cursor=request.GET.get("after"),
                tag=tag,
            )
        except InvalidInput as error:
            context["error"] = (
                error.field_errors["query"][0]
                if "query" in error.field_errors
                else "That page of results does not exist; start the search again."
            )
    status = 400 if context["error"] else 200
    return render(request, "blog/search.html", context, status=status)


@require_safe
def author_detail(request: HttpRequest, user_id: UUID) -> HttpResponse:
    with as_http_errors():
        author = active_user(user_id=user_id)
    page = _post_page(request, author_id=author.id)
    return render(request, "blog/author_detail.html", {"author": author, "page": page})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers' rules: read the posts, leave the writing, account and API paths alone."""
    sitemap_url = request.build_absolute_uri(reverse("blog:sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")


@require_safe
def share_card_png(request: HttpRequest, slug: str) -> HttpResponse:
    """A published post's share card (``og:image`` when it has no cover), cacheable for a day:
    its address changes with the post (``?v=`` its last update)."""
    with as_http_errors():
        post = selectors.published_post_by_slug(slug=slug)
    response = HttpResponse(share_card(post), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
