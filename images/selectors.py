"""Reads of images. Anything that could reach another user's image takes the user."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from images.models import Image
from lib.errors import Forbidden, NotFound


def image_for_edit(*, user: User, image_id: UUID) -> Image:
    """An image the user may delete or use: theirs, or any for staff; others' are NotFound."""
    image = Image.objects.filter(id=image_id).first()
    if image is None or not (image.owner_id == user.pk or user.is_staff):
        raise NotFound("No such image.")
    return image


def owned_image(*, owner: User, image_id: UUID) -> Image:
    """One of the user's own images (a post's cover must be its author's); others' are
    NotFound."""
    image = Image.objects.filter(id=image_id, owner=owner).first()
    if image is None:
        raise NotFound("No such image.")
    return image


def cover_candidates(*, post_id: UUID, cover_image_id: UUID | None) -> list[Image]:
    """The images uploaded for a post, newest first, and its current cover wherever it was
    uploaded; its caller has checked the post is the viewer's to edit."""
    return list(Image.objects.filter(Q(post_id=post_id) | Q(id=cover_image_id)))


def check_post_is_owners(*, owner: User, post_id: UUID) -> None:
    """An image is uploaded for one of its owner's own posts only (through the user's posts:
    this app sits below the blog)."""
    if not owner.posts.filter(id=post_id).exists():
        raise Forbidden("Images can be added to your own posts only.")


@dataclass(frozen=True)
class Usage:
    """What a user's images take: bytes of all their files (what the quota counts), and how
    many images."""

    stored_bytes: int
    images: int


def usage(*, owner: User) -> Usage:
    totals = Image.objects.filter(owner=owner).aggregate(
        stored=Coalesce(Sum("stored_bytes"), 0), images=Count("id")
    )
    return Usage(int(totals["stored"]), int(totals["images"]))
