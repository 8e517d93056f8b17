"""Readers' pages of tags: every tag with its count of published posts, and one tag's posts,
newest first. A tag only drafts carry is not found, as a draft is not."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from blog import selectors
from blog.pagination import PAGE_SIZE
from lib.errors import InvalidInput
from lib.html_errors import as_http_errors


@require_safe
def tag_list(request: HttpRequest) -> HttpResponse:
    tags = selectors.public_tags(limit=settings.TAG_LIST_MAX)
    most = max((tag.post_count for tag in tags), default=1)  # type: ignore[attr-defined]
    # A cloud: each tag drawn at one of five sizes, by its share of the busiest tag's posts.
    cloud = [(tag, 1 + round(4 * tag.post_count / most)) for tag in tags]  # type: ignore[attr-defined]
    return render(request, "blog/tag_list.html", {"cloud": cloud})


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    with as_http_errors():
        tag = selectors.public_tag(slug=slug)
    try:
        page = selectors.post_page(
            viewer=request.user, limit=PAGE_SIZE, cursor=request.GET.get("after"), tag=tag.slug
        )
    except InvalidInput:
        raise Http404("This page of posts does not exist.") from None
    return render(request, "blog/tag_detail.html", {"tag": tag, "page": page})
