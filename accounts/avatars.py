"""Avatars uploaded from the profile page: decoded and checked by Pillow, cropped to a square
of AVATAR_SIZE pixels, re-encoded as WebP (so no EXIF or other metadata survives), and stored
through Django's default storage under a name derived from the content.

Kept to this one module on purpose: when the site's shared image pipeline lands, ``normalized``
is the one function to point at it.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from lib.errors import InvalidInput

# Side of the stored square, in pixels: twice the largest size pages show it at.
AVATAR_SIZE = 256
# What Pillow may decode: common photo and web formats, nothing exotic (each decoder is code
# run on untrusted bytes).
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
NOT_AN_IMAGE = "Upload a JPEG, PNG, GIF or WebP image."


@dataclass(frozen=True)
class AvatarImage:
    """An avatar ready to store: WebP bytes of a square AVATAR_SIZE image."""

    content: bytes

    @property
    def name(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:20] + ".webp"


def normalized(upload: UploadedFile) -> AvatarImage:
    """The upload as a stored avatar; InvalidInput ``avatar`` for anything else, before any
    pixel is decoded when the size or the declared dimensions are over the limits."""
    if upload.size is None or upload.size > settings.AVATAR_MAX_BYTES:
        raise _refused(f"The image is too large: at most {_size(settings.AVATAR_MAX_BYTES)}.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=sorted(ALLOWED_FORMATS)) as image:
                width, height = image.size
                if width * height > settings.AVATAR_MAX_PIXELS:
                    raise _refused("The image has too many pixels; use a smaller one.")
                image.seek(0)  # an animation's first frame
                image.load()
                square = _square(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refused("The image has too many pixels; use a smaller one.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Not an image, a format not allowed, or truncated or corrupt data.
        raise _refused(NOT_AN_IMAGE) from None
    encoded = io.BytesIO()
    square.save(encoded, format="WEBP", quality=85, method=4)
    return AvatarImage(content=encoded.getvalue())


def replace_avatar(*, user: User, image: AvatarImage) -> User:
    """Store ``image`` as ``user``'s avatar; the previous file is deleted once this commits
    (and the new one if it does not)."""
    stored = default_storage.save(f"avatars/{user.id}/{image.name}", ContentFile(image.content))
    previous = user.avatar_path
    user.avatar_path, user.avatar_url = stored, default_storage.url(stored)
    try:
        with transaction.atomic():
            user.save(update_fields=["avatar_path", "avatar_url", "updated_at"])
            if previous and previous != stored:
                delete_file_on_commit(previous)
    except BaseException:
        default_storage.delete(stored)
        raise
    return user


def remove_avatar(*, user: User) -> User:
    """No avatar any more (the stored file goes once this commits)."""
    previous = user.avatar_path
    user.avatar_path, user.avatar_url = "", ""
    with transaction.atomic():
        user.save(update_fields=["avatar_path", "avatar_url", "updated_at"])
        if previous:
            delete_file_on_commit(previous)
    return user


def delete_file_on_commit(path: str) -> None:
    """Delete a stored avatar once the caller's transaction commits (never on rollback)."""
    transaction.on_commit(lambda: default_storage.delete(path))


def _square(image: Image.Image) -> Image.Image:
    """The image upright (EXIF orientation applied), centre-cropped and resized."""
    upright = ImageOps.exif_transpose(image)
    mode = (
        "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    )
    return ImageOps.fit(
        upright.convert(mode), (AVATAR_SIZE, AVATAR_SIZE), method=Image.Resampling.LANCZOS
    )


def _size(byte_count: int) -> str:
    if byte_count >= 1024 * 1024:
        return f"{byte_count / (1024 * 1024):.3g} MB"
    return f"{byte_count / 1024:.3g} KB"


def _refused(message: str) -> InvalidInput:
    return InvalidInput({"avatar": [message]})
