"""Template filters of the blog pages."""

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from blog.rendering import highlight_html

register = template.Library()


@register.filter
def highlight(snippet: str) -> SafeString:
    """A search headline with its matches in <mark>, everything else escaped."""
    return mark_safe(highlight_html(snippet))  # noqa: S308


# As Django's json_script escapes: no "</script>", "<!--" or "&" can end or change the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data: dict[str, Any]) -> SafeString:
    """``data`` as JSON safe inside <script type="application/ld+json"> (whose type, unlike
    json_script's, search engines read)."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES))  # noqa: S308
