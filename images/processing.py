"""Decoding an upload with Pillow and writing it again: the checks (format, pixels, bombs), the
metadata stripped, the renditions. No Django: bytes in, bytes out.

The content decides, never the file's name or declared type: a file is an image only if one
of the allowed decoders reads it whole. Writing the pixels again (after turning them upright by
their EXIF orientation) leaves every other piece of metadata behind: EXIF with its GPS position,
XMP, comments, PNG text chunks. Only the colour profile is kept, since colours depend on it.
Animated GIF and WebP keep their first frame only.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError

# Pillow's format name, the MIME type and the file extension of each format taken.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    # Chosen for the time they take at upload (measured in docs/images.md): JPEG's optimize and
    # progressive passes cost ~10x the plain encoding of a 12-megapixel photo, WebP's method 4
    # and PNG's level 6 twice method 2 and level 3, for a few percent of bytes.
    "JPEG": {"quality": 85},
    "PNG": {"compress_level": 3},
    "GIF": {},
    "WEBP": {"quality": 80, "method": 2},
}


class Refused(Exception):
    """The upload is not an image this site takes; the message says why, for its uploader."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Encoded:
    """One file to store: its bytes, size in pixels and format."""

    data: bytes
    width: int
    height: int
    format: str

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


@dataclass(frozen=True)
class Processed:
    """An upload made safe: the full-size image in its own format, and its renditions: each
    width narrower than the image in WebP and in the original format, and the full size in
    WebP too when the image is no wider than the widest rendition (a wider one is served
    through its renditions)."""

    original: Encoded
    renditions: list[Encoded]

    @property
    def stored_bytes(self) -> int:
        return len(self.original.data) + sum(len(each.data) for each in self.renditions)


def process(upload: IO[bytes], *, max_pixels: int, widths: list[int]) -> Processed:
    """Check and re-encode ``upload``; ``Refused`` for anything that is not an allowed image
    of at most ``max_pixels`` pixels."""
    picture = _decoded(upload, max_pixels=max_pixels)
    source_format = str(picture.info.pop("source_format"))
    upright = ImageOps.exif_transpose(picture)
    profile = picture.info.get("icc_profile")
    original = _encode(upright, source_format, profile)
    renditions = []
    if not widths or upright.width <= max(widths):
        renditions.append(_encode(upright, "WEBP", profile))
    # Widest first, each resized from the one before: less work than from the full size each time.
    larger = upright
    for width in sorted((width for width in widths if width < upright.width), reverse=True):
        height = max(1, round(upright.height * width / upright.width))
        larger = larger.resize((width, height), Pillow.Resampling.LANCZOS, reducing_gap=3.0)
        renditions += [_encode(larger, "WEBP", profile), _encode(larger, source_format, profile)]
    renditions.sort(key=lambda each: (each.width, each.format))
    return Processed(original, renditions)


def _decoded(upload: IO[bytes], *, max_pixels: int) -> Pillow.Image:
    """The upload's first frame, decoded whole, once its size is known to be allowed."""
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own MAX_IMAGE_PIXELS and raises at twice that; both are
            # a decompression bomb here. Our own limit below is checked either way.
            warnings.simplefilter("error", Pillow.DecompressionBombWarning)
            picture = Pillow.open(upload, formats=list(FORMATS))
            source_format = picture.format or ""
            if source_format not in FORMATS:
                raise Refused(_NOT_AN_IMAGE)
            if picture.width * picture.height > max_pixels:
                raise Refused(_too_many_pixels(picture.width, picture.height, max_pixels))
            picture.seek(0)
            picture.load()
    except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning):
        raise Refused(
            "This image declares more pixels than can safely be decoded (a decompression bomb)."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Not one of the formats, or one whose data is truncated or corrupt.
        raise Refused(_NOT_AN_IMAGE) from None
    picture.info["source_format"] = source_format
    return picture


_NOT_AN_IMAGE = "This file is not a JPEG, PNG, GIF or WebP image that can be read."


def _too_many_pixels(width: int, height: int, max_pixels: int) -> str:
    return (
        f"This image is {width} by {height} pixels; images may have at most "
        f"{max_pixels / 1_000_000:g} million pixels."
    )


def _encode(picture: Pillow.Image, image_format: str, profile: bytes | None) -> Encoded:
    """``picture`` written in ``image_format``, with no metadata but the colour profile."""
    prepared = _in_mode_for(picture, image_format)
    buffer = io.BytesIO()
    options = dict(_SAVE_OPTIONS[image_format])
    if profile and image_format != "GIF":
        options["icc_profile"] = profile
    prepared.save(buffer, format=image_format, **options)
    return Encoded(buffer.getvalue(), prepared.width, prepared.height, image_format)


def _in_mode_for(picture: Pillow.Image, image_format: str) -> Pillow.Image:
    """``picture`` in a pixel mode ``image_format`` can store."""
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if image_format == "JPEG":
        if picture.mode in ("RGB", "L"):
            return picture
        if has_alpha:
            # JPEG has no transparency: what was transparent becomes white, not black.
            rgba = picture.convert("RGBA")
            flat = Pillow.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return picture.convert("RGB")
    if image_format == "WEBP":
        if picture.mode in ("RGB", "RGBA"):
            return picture
        return picture.convert("RGBA" if has_alpha else "RGB")
    if image_format == "GIF":
        return picture if picture.mode in ("P", "L") else picture.convert("P")
    # PNG stores every mode Pillow decodes from these formats but CMYK.
    return picture.convert("RGB") if picture.mode == "CMYK" else picture
