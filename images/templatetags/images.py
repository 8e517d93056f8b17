"""Template tags that show an image: ``<picture>`` with its renditions, and its absolute URL."""

from typing import Any

from django import template
from django.http import HttpRequest

from images.models import Image
from images.outputs import image_shown, markdown

register = template.Library()

# A post's column (--measure, 46rem less its padding) at most; the whole screen below it.
COLUMN_SIZES = "(max-width: 46rem) calc(100vw - 2rem), 44rem"


@register.inclusion_tag("images/_picture.html")
def picture(
    image: Image | None, *, lazy: bool = False, css_class: str = "", sizes: str = COLUMN_SIZES
) -> dict[str, Any]:
    """The image in WebP where the browser takes it, its own format otherwise, each at the
    width the layout needs (``srcset``/``sizes``); ``width``/``height`` reserve its box before
    it loads. ``lazy`` for images in lists, which most readers never scroll to."""
    return {
        "image": None if image is None else image_shown(image),
        "lazy": lazy,
        "css_class": css_class,
        "sizes": sizes,
    }


@register.simple_tag
def absolute_image_url(request: HttpRequest, image: Image) -> str:
    """The image's full-size URL as other sites need it (``og:image``)."""
    return request.build_absolute_uri(image_shown(image)["url"])


@register.simple_tag
def image_markdown(image: Image) -> str:
    """The image in Markdown, to copy into a post."""
    return markdown(image)
