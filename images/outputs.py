"""An image as pages and procedures show it: URLs of its files and ``srcset`` lists, built from
the row's own columns (so a listing's join carries a cover without a query of its own)."""

from typing import Any

from images import files
from images.models import Image

WEBP = "image/webp"
# The columns ``shown`` reads, for ``values()`` queries through a relation (``cover_image__…``).
SHOWN_COLUMNS = ("id", "alt", "width", "height", "format", "original_name", "renditions")


def shown(
    *,
    alt: str,
    width: int,
    height: int,
    format: str,
    original_name: str,
    renditions: list[dict[str, Any]],
    **_ignored: Any,
) -> dict[str, Any]:
    """``{url, srcset, webpSrcset, width, height, alt}``: ``url`` is the full-size file,
    ``srcset`` its format's sizes (the full size last), ``webpSrcset`` the WebP ones; ``width``
    and ``height`` the full size's, so a page reserves the image's box before it loads."""
    url = files.url(original_name)
    own = [item for item in renditions if item["type"] != WEBP]
    webp = [item for item in renditions if item["type"] == WEBP]
    srcset = [f"{files.url(item['name'])} {item['width']}w" for item in own]
    srcset.append(f"{url} {width}w")
    return {
        "url": url,
        "srcset": ", ".join(srcset),
        "webpSrcset": ", ".join(f"{files.url(item['name'])} {item['width']}w" for item in webp),
        "width": width,
        "height": height,
        "alt": alt,
    }


def image_shown(image: Image) -> dict[str, Any]:
    return shown(**{column: getattr(image, column) for column in SHOWN_COLUMNS})


def shown_from_row(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """``shown`` of the image whose ``SHOWN_COLUMNS`` a ``values()`` row holds under
    ``prefix`` (``cover_image__``); None when there is none."""
    if row[f"{prefix}id"] is None:
        return None
    return shown(**{column: row[f"{prefix}{column}"] for column in SHOWN_COLUMNS})


def markdown(image: Image) -> str:
    """What the editor inserts: the image in Markdown (its widest rendition in its own format,
    or the full size when it has none: a post's column is narrower than that), its alt text
    escaped for the brackets."""
    own = [item for item in image.renditions if item["type"] != WEBP]
    name = max(own, key=lambda item: item["width"])["name"] if own else image.original_name
    alt = image.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({files.url(name)})"
