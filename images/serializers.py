"""The types of the image procedures, and of the image a post shows (its cover)."""

from typing import Any

from rest_framework import serializers

from api.fields import IdField, TextField
from images.models import ALT_MAX_LENGTH, Image
from images.outputs import image_shown, markdown


class ImageUploadInput(serializers.Serializer):
    """Sent as multipart/form-data (tRPC's FormData input), not JSON."""

    file = serializers.FileField(help_text="A JPEG, PNG, GIF or WebP image.")
    alt = TextField(
        max_length=ALT_MAX_LENGTH, allow_blank=True, default="", help_text="Alternative text."
    )
    postId = IdField(
        source="post_id",
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your posts the image is for.",
    )

    def to_internal_value(self, data: Any) -> Any:
        # A FormData field left empty arrives as "": no post.
        if hasattr(data, "get") and data.get("postId") == "":
            data = {key: data[key] for key in data if key != "postId"}
        return super().to_internal_value(data)


class ImageDeleteInput(serializers.Serializer):
    id = IdField()


class ShownImageOutput(serializers.Serializer):
    """An image as a page shows it: ``<img src=url srcset=srcset width height alt>``, and
    ``webpSrcset`` for a ``<source type="image/webp">``."""

    url = serializers.CharField()
    srcset = serializers.CharField(help_text="The image's own format, each width with its file.")
    webpSrcset = serializers.CharField(help_text="The same widths in WebP.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField()

    def to_representation(self, instance: Image) -> dict[str, Any]:
        return image_shown(instance)


class ImageOutput(ShownImageOutput):
    id = serializers.UUIDField()
    postId = serializers.UUIDField(allow_null=True)
    markdown = serializers.CharField(help_text="The image in Markdown, for a post's content.")

    def to_representation(self, instance: Image) -> dict[str, Any]:
        return {
            "id": str(instance.id),
            "postId": None if instance.post_id is None else str(instance.post_id),
            **image_shown(instance),
            "markdown": markdown(instance),
        }


class ImageDeleteOutput(serializers.Serializer):
    id = serializers.UUIDField()
