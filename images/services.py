"""Writes of images: an upload checked, re-encoded and stored; an image deleted with its files.

Decoding is CPU- and memory-heavy, so it runs in the request within a per-process bound
(``_processing``). The database decides whether files exist: an upload's files are written
when its row commits (a refused upload, or a transaction rolled back, writes none), and an
image's files are deleted when its deletion commits. A write that fails after the commit
removes the row again.
"""

import functools
import uuid
from datetime import timedelta
from typing import IO, TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from images import files, selectors
from images.models import ALT_MAX_LENGTH, Image
from images.processing import Encoded, Refused, process
from lib.errors import InvalidInput, ServiceUnavailable
from lib.process_slots import ProcessSlots
from lib.text import has_uncarriable_characters

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


class ProcessingBusy(ServiceUnavailable):
    default_message = "Many images are being uploaded right now. Please try again in a moment."


# Decoding and encoding hold a CPU for up to seconds and up to ~IMAGES_MAX_PIXELS x 8 bytes of
# memory each: at most IMAGES_MAX_CONCURRENT_PROCESSING at once per process, the others wait
# up to IMAGES_PROCESSING_WAIT_MILLISECONDS, then are told to come back (503).
_processing = ProcessSlots(
    size=lambda: settings.IMAGES_MAX_CONCURRENT_PROCESSING,
    wait_seconds=lambda: settings.IMAGES_PROCESSING_WAIT_MILLISECONDS / 1000,
    busy=lambda: ProcessingBusy(retry_after=2),
)


def _check_alt(alt: str) -> None:
    if has_uncarriable_characters(alt):
        raise InvalidInput({"alt": ["This field cannot contain control characters."]})
    if len(alt) > ALT_MAX_LENGTH:
        raise InvalidInput(
            {"alt": [f"Ensure this field has no more than {ALT_MAX_LENGTH} characters."]}
        )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def upload_image(
    *,
    owner: User,
    upload: "UploadedFile | IO[bytes]",
    alt: str = "",
    post_id: UUID | None = None,
) -> Image:
    """A new image of ``owner``'s from an uploaded file, for one of their posts or none. The
    file must decode as an allowed image within the size and pixel limits, and fit in the
    owner's quota; its metadata is dropped and renditions made (``images.processing``)."""
    _check_alt(alt)
    if post_id is not None:
        selectors.check_post_is_owners(owner=owner, post_id=post_id)
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMAGES_MAX_UPLOAD_BYTES:
        raise InvalidInput(
            {"file": [f"Images may be at most {_megabytes(settings.IMAGES_MAX_UPLOAD_BYTES)}."]}
        )
    try:
        with _processing.held():
            processed = process(
                upload,
                max_pixels=settings.IMAGES_MAX_PIXELS,
                widths=settings.IMAGES_RENDITION_WIDTHS,
            )
    except Refused as refusal:
        raise InvalidInput({"file": [refusal.message]}) from None
    image_id = uuid.uuid4()

    def name(label: str, encoded: Encoded) -> str:
        return files.storage_name(
            owner_id=owner.pk, image_id=image_id, label=label, encoded=encoded
        )

    to_write = {name("original", processed.original): processed.original}
    renditions = []
    for encoded in processed.renditions:
        rendition_name = name(f"{encoded.width}w", encoded)
        to_write[rendition_name] = encoded
        renditions.append(
            {
                "name": rendition_name,
                "width": encoded.width,
                "height": encoded.height,
                "type": encoded.content_type,
            }
        )
    image = Image(
        id=image_id,
        owner=owner,
        post_id=post_id,
        alt=alt.strip(),
        format=processed.original.format,
        width=processed.original.width,
        height=processed.original.height,
        original_name=name("original", processed.original),
        renditions=renditions,
        stored_bytes=processed.stored_bytes,
    )
    with transaction.atomic():
        # One upload at a time per owner (the row lock), so two cannot both fit the quota.
        User.objects.select_for_update().filter(pk=owner.pk).exists()
        _check_limits(owner, processed.stored_bytes)
        image.save(force_insert=True)
        transaction.on_commit(functools.partial(_store_files, image.id, to_write))
    return image


def _check_limits(owner: User, new_bytes: int) -> None:
    used = selectors.usage(owner=owner)
    if used.images >= settings.IMAGES_MAX_PER_USER:
        raise InvalidInput(
            {"file": [f"You have {used.images} images, the most allowed; delete some first."]}
        )
    quota = settings.IMAGES_QUOTA_BYTES_PER_USER
    if used.stored_bytes + new_bytes > quota:
        raise InvalidInput(
            {
                "file": [
                    f"This image needs {_megabytes(new_bytes)} and your images already take "
                    f"{_megabytes(used.stored_bytes)} of your {_megabytes(quota)}; "
                    "delete some first."
                ]
            }
        )


def _store_files(image_id: UUID, to_write: dict[str, Encoded]) -> None:
    """After the row committed: its files. If they cannot be written, neither they nor the row
    stay."""
    try:
        files.write(to_write)
    except Exception:
        Image.objects.filter(id=image_id).delete()
        raise ServiceUnavailable("The image could not be stored; try again shortly.") from None


def delete_image(*, image: Image) -> None:
    """Delete the image; a post it was the cover of keeps no cover. Its files go on commit."""
    names = image.storage_names()
    with transaction.atomic():
        image.delete()
        transaction.on_commit(functools.partial(files.delete, names))


def delete_post_images(*, post_id: UUID) -> None:
    """Before a post is deleted (which deletes the images uploaded for it): their files go
    when that deletion commits."""
    names = [
        name
        for image in Image.objects.filter(post_id=post_id).only("original_name", "renditions")
        for name in image.storage_names()
    ]
    if names:
        transaction.on_commit(functools.partial(files.delete, names))


def delete_orphan_files(*, older_than: timedelta) -> int:
    """Delete the files of image folders with no image row, last written longer ago than
    ``older_than``: what a deleted user's images (their rows go by cascade) or a process killed
    between a commit and its file deletions leave behind. Answers how many files went."""
    cutoff = timezone.now() - older_than
    folders = list(files.image_folders())
    known = {
        str(image_id)
        for image_id in Image.objects.filter(
            id__in=[image for _, image in folders if _is_uuid(image)]
        ).values_list("id", flat=True)
    }
    deleted = 0
    for owner, image in folders:
        if image in known:
            continue
        names = files.folder_files(owner, image)
        if names and all(files.modified_at(name) < cutoff for name in names):
            files.delete(names)
            deleted += len(names)
    return deleted


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
