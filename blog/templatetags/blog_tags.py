"""Template filters of the blog pages."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from blog.rendering import highlight_html

register = template.Library()


@register.filter
def highlight(snippet: str) -> SafeString:
    """A search headline with its matches in <mark>, everything else escaped."""
    return mark_safe(highlight_html(snippet))  # noqa: S308
