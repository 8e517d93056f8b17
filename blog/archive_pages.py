"""The archive: every month with published posts, and a month's posts, newest first."""

from datetime import UTC, datetime
from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from blog import selectors
from blog.pagination import PAGE_SIZE
from lib.errors import InvalidInput


@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    months = selectors.archive_months()
    years = [
        (year, list(of_year))
        for year, of_year in groupby(months, key=lambda row: row["month"].year)
    ]
    return render(request, "blog/archive.html", {"years": years})


@require_safe
def archive_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (1 <= month <= 12 and 1 <= year <= 9998):
        raise Http404("There is no such month.")
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    try:
        page = selectors.post_page(
            viewer=request.user,
            limit=PAGE_SIZE,
            cursor=request.GET.get("after"),
            published_in=(start, end),
        )
    except InvalidInput:
        raise Http404("This page of posts does not exist.") from None
    if not page.items and "after" not in request.GET:
        raise Http404("Nothing was published that month.")
    return render(request, "blog/archive_month.html", {"month": start, "page": page})
