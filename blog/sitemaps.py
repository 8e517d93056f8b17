"""Sitemaps of the published posts and of the tags they carry, split into pages of 5,000
under a sitemap index."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from blog import selectors
from blog.models import Post, Tag


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


class TagSitemap(Sitemap):
    """Tag pages: only tags a published post carries (a draft's tags are no one's business)."""

    limit = 5000
    changefreq = "daily"

    def items(self) -> QuerySet[Tag]:
        return selectors.tags_with_posts().only("slug")


SITEMAPS = {"posts": PostSitemap, "tags": TagSitemap}
