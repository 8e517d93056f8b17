"""The Atom feed of the newest published posts, by the time each was first published.

Services refuse text XML cannot carry, but a row written around them must not break the feed
for everyone: every text goes out through ``without_uncarriable_characters``.
"""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from blog import selectors
from blog.models import Post
from blog.pagination import PAGE_SIZE
from lib.text import without_uncarriable_characters


class LatestPostsFeed(Feed):
    feed_type = Atom1Feed
    title = "Inkwell: newest posts"
    link = reverse_lazy("blog:home")
    subtitle = "The newest posts on Inkwell."

    def items(self) -> list[Post]:
        return selectors.post_page(viewer=AnonymousUser(), limit=PAGE_SIZE).items

    def item_title(self, item: Post) -> str:
        return without_uncarriable_characters(item.title)

    def item_description(self, item: Post) -> str:
        # Atom's summary is declared HTML: the plain-text excerpt must arrive escaped.
        return escape(without_uncarriable_characters(item.excerpt))

    def item_author_name(self, item: Post) -> str:
        return without_uncarriable_characters(item.author.display_name)

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime:
        return item.updated_at
