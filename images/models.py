"""An uploaded image: its owner, the post it was uploaded for, and the files it is stored as."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models

ALT_MAX_LENGTH = 300


class Image(models.Model):
    """One upload. Its files (the re-encoded full-size image and its renditions) are written
    when the row commits and deleted when its deletion commits (``images.services``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images"
    )
    # The post it was uploaded for, if any; deleting the post deletes it (and its files, through
    # images.services.delete_post_images).
    post = models.ForeignKey(
        "blog.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="images"
    )
    alt = models.CharField(max_length=ALT_MAX_LENGTH, blank=True, help_text="Alternative text.")
    # The format it was uploaded in (and its full-size file and renditions keep): JPEG, PNG,
    # GIF or WEBP, as Pillow names them.
    format = models.CharField(max_length=4)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Storage name of the full-size file, in ``format``.
    original_name = models.CharField(max_length=255)
    # Every file but the full-size one: [{"name", "width", "height", "type"}], narrowest first.
    # Written once with the row and always read with it, so kept here rather than in rows of
    # their own: a cover image in a listing costs no query of its own.
    renditions: "models.JSONField[list[dict[str, Any]]]" = models.JSONField(default=list)
    # Bytes of all its files together: what counts against its owner's quota.
    stored_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="images_image_owner_idx")]

    def __str__(self) -> str:
        return self.alt or self.original_name

    def storage_names(self) -> list[str]:
        """Every file of the image in storage."""
        return [self.original_name, *(rendition["name"] for rendition in self.renditions)]
