"""An image's files in storage (``STORAGES["default"]``: MEDIA_ROOT, or an S3 bucket), and
their public URLs. Only ``images.services`` writes or deletes them."""

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from images.processing import Encoded

logger = logging.getLogger(__name__)

ROOT = "images"


def storage_name(*, owner_id: object, image_id: object, label: str, encoded: Encoded) -> str:
    """Where one file of an image is kept: under its owner and the image, so nothing collides
    and a user's files can be listed."""
    return f"{ROOT}/{owner_id}/{image_id}/{label}.{encoded.extension}"


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


def image_folders() -> Iterator[tuple[str, str]]:
    """Every (owner id, image id) folder in storage, as ``storage_name`` lays them out."""
    try:
        owners, _ = default_storage.listdir(ROOT)
    except FileNotFoundError:  # nothing uploaded yet (a bucket lists no folder instead)
        return
    for owner in owners:
        images, _ = default_storage.listdir(f"{ROOT}/{owner}")
        for image in images:
            yield owner, image


def folder_files(owner: str, image: str) -> list[str]:
    """The names of the files in one image's folder."""
    _, names = default_storage.listdir(f"{ROOT}/{owner}/{image}")
    return [f"{ROOT}/{owner}/{image}/{name}" for name in names]


def modified_at(name: str) -> datetime:
    return default_storage.get_modified_time(name)


def url(name: str) -> str:
    """The file's public URL: MEDIA_URL and its name, or the bucket's (or CDN's) address."""
    return default_storage.url(name)
