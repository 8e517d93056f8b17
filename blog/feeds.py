"""Atom feeds of the newest published posts, by the time each was first published: the whole
site's, one author's and one tag's. Each carries summaries; ``?full=1`` adds every post's
content, as the sanitised HTML its page shows.

Services refuse text XML cannot carry, but a row written around them must not break the feed
for everyone: every text goes out through ``without_uncarriable_characters``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from accounts.models import User
from accounts.selectors import active_user
from blog import selectors
from blog.models import Post, Tag
from blog.pagination import PAGE_SIZE
from blog.rendering import post_html
from lib.errors import NotFound
from lib.text import without_uncarriable_characters

# The query parameter that asks for full content: ``?full=1``.
FULL_CONTENT_PARAMETER = "full"


class AtomWithContent(Atom1Feed):
    """Atom with each entry's ``<content type="html">`` beside its summary, when given."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content", item["content"], {"type": "html"})


@dataclass(frozen=True)
class FeedScope:
    """What one request's feed lists: everyone's posts, or an author's, or a tag's; and
    whether with content. Per request: a feed object serves every request."""

    full: bool
    author: User | None = None
    tag: Tag | None = None


def _wants_full(request: HttpRequest) -> bool:
    return request.GET.get(FULL_CONTENT_PARAMETER) == "1"


class LatestPostsFeed(Feed):
    feed_type = AtomWithContent

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        return FeedScope(full=_wants_full(request))

    def title(self, scope: FeedScope) -> str:
        return "Inkwell: newest posts"

    def subtitle(self, scope: FeedScope) -> str:
        return "The newest posts on Inkwell."

    def link(self, scope: FeedScope) -> str:
        return reverse("blog:home")

    def items(self, scope: FeedScope) -> list[Post]:
        posts = selectors.post_page(
            viewer=AnonymousUser(),
            limit=PAGE_SIZE,
            author_id=scope.author.id if scope.author else None,
            tag=scope.tag.slug if scope.tag else None,
            with_content=scope.full,
        ).items
        for post in posts:
            # Read by item_extra_kwargs, which is given the item alone.
            post.feed_content = (  # type: ignore[attr-defined]
                without_uncarriable_characters(post_html(post)) if scope.full else None
            )
        return posts

    def item_title(self, item: Post) -> str:
        return without_uncarriable_characters(item.title)

    def item_description(self, item: Post) -> str:
        # Atom's summary is declared HTML: the plain-text excerpt must arrive escaped.
        return escape(without_uncarriable_characters(item.excerpt))

    def item_extra_kwargs(self, item: Post) -> dict[str, Any]:
        return {"content": getattr(item, "feed_content", None)}

    def item_author_name(self, item: Post) -> str:
        return without_uncarriable_characters(item.author.display_name)

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime:
        return item.updated_at

    def item_categories(self, item: Post) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class AuthorPostsFeed(LatestPostsFeed):
    """One author's newest published posts (``/authors/<id>/feed/``)."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        user_id: UUID = kwargs["user_id"]
        try:
            author = active_user(user_id=user_id)
        except NotFound:
            raise Http404("No such author.") from None
        return FeedScope(full=_wants_full(request), author=author)

    def title(self, scope: FeedScope) -> str:
        assert scope.author is not None
        return f"Inkwell: posts by {without_uncarriable_characters(scope.author.display_name)}"

    def subtitle(self, scope: FeedScope) -> str:
        return self.title(scope)

    def link(self, scope: FeedScope) -> str:
        assert scope.author is not None
        return scope.author.get_absolute_url()


class TagPostsFeed(LatestPostsFeed):
    """The newest published posts filed under one tag (``/tags/<slug>/feed/``)."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        try:
            tag = selectors.public_tag(slug=kwargs["slug"])
        except NotFound:
            raise Http404("No such tag.") from None
        return FeedScope(full=_wants_full(request), tag=tag)

    def title(self, scope: FeedScope) -> str:
        assert scope.tag is not None
        return f"Inkwell: posts tagged {without_uncarriable_characters(scope.tag.name)}"

    def subtitle(self, scope: FeedScope) -> str:
        return self.title(scope)

    def link(self, scope: FeedScope) -> str:
        assert scope.tag is not None
        return scope.tag.get_absolute_url()
