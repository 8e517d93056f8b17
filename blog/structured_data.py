"""schema.org data for search engines and link previews: a post as a ``BlogPosting``."""

from typing import Any

from django.http import HttpRequest

from blog.models import Post


def blog_posting(request: HttpRequest, post: Post, *, comment_count: int) -> dict[str, Any]:
    """The post's JSON-LD (https://schema.org/BlogPosting), its addresses absolute."""
    url = request.build_absolute_uri(post.get_absolute_url())
    return {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": post.title,
        "description": post.excerpt,
        "datePublished": post.published_at or post.created_at,
        "dateModified": post.updated_at,
        "author": {
            "@type": "Person",
            "name": post.author.display_name,
            "url": request.build_absolute_uri(post.author.get_absolute_url()),
        },
        "publisher": {"@type": "Organization", "name": "Inkwell"},
        "commentCount": comment_count,
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/ReadAction",
            "userInteractionCount": post.view_count,
        },
    }
