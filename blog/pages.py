"""Server-rendered pages for readers."""

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from api.errors import InvalidInput, NotFound
from blog import selectors, services
from blog.models import Post
from blog.pagination import Page
from blog.rendering import render_markdown

PAGE_SIZE = 20


def _post_page(request: HttpRequest, **filters) -> Page[Post]:
    try:
        return selectors.post_page(
            viewer=request.user, limit=PAGE_SIZE, cursor=request.GET.get("after"), **filters
        )
    except InvalidInput:
        raise Http404("This page of posts does not exist.") from None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    page = _post_page(request)
    return render(request, "blog/home.html", {"page": page})


@require_safe
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        post = selectors.post_for_viewer(viewer=request.user, slug=slug)
    except NotFound:
        raise Http404("No such post.") from None
    services.record_post_view(post=post)
    context = {
        "post": post,
        "content_html": render_markdown(post.content),
        "threads": selectors.comment_tree(post=post),
    }
    return render(request, "blog/post_detail.html", context)


@require_safe
def author_detail(request: HttpRequest, user_id: UUID) -> HttpResponse:
    try:
        author = selectors.author(user_id=user_id)
    except NotFound:
        raise Http404("No such author.") from None
    page = _post_page(request, author_id=author.id)
    return render(request, "blog/author_detail.html", {"author": author, "page": page})
