"""Sitemaps of the published posts, split into pages of 5,000 under a sitemap index."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from blog import selectors
from blog.models import Post


class PostSitemap(Sitemap):
    limit = 5000
    changefreq = "weekly"

    def items(self) -> QuerySet[Post]:
        return (
            selectors.readable_posts(viewer=AnonymousUser())
            .only("slug", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Post) -> datetime:
        return item.updated_at


SITEMAPS = {"posts": PostSitemap}
