"""An image's files in storage (``STORAGES["default"]``: MEDIA_ROOT, or an S3 bucket), and
their public URLs. Only ``images.services`` writes or deletes them."""

import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from images.processing import Encoded

logger = logging.getLogger(__name__)


def storage_name(*, owner_id: object, image_id: object, label: str, encoded: Encoded) -> str:
    """Where one file of an image is kept: under its owner and the image, so nothing collides
    and a user's files can be listed."""
    return f"images/{owner_id}/{image_id}/{label}.{encoded.extension}"


def write(files: dict[str, Encoded]) -> None:
    """Store each file under its name; on a failure, remove those already written and raise."""
    written: list[str] = []
    try:
        for name, encoded in files.items():
            saved = default_storage.save(name, ContentFile(encoded.data))
            written.append(saved)
            if saved != name:  # the storage chose another name: the row would point nowhere
                raise OSError(f"Storage kept {name!r} as {saved!r}.")
    except Exception:
        delete(written)
        raise


def delete(names: Iterable[str]) -> None:
    """Remove the files; one that cannot be removed is logged, not raised (the row is gone
    already, and the rest should go too)."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete the image file %s", name)


def url(name: str) -> str:
    """The file's public URL: MEDIA_URL and its name, or the bucket's (or CDN's) address."""
    return default_storage.url(name)
