"""The image procedures: an upload (tRPC FormData input) and a deletion."""

from api.registry import AUTHENTICATED, MUTATION, OWNER_OR_STAFF, Data, SignedInContext, procedure
from images import selectors, services
from images.models import Image
from images.serializers import ImageDeleteInput, ImageDeleteOutput, ImageOutput, ImageUploadInput


@procedure(
    "image.upload", kind=MUTATION, input=ImageUploadInput, output=ImageOutput, access=AUTHENTICATED
)
def image_upload(ctx: SignedInContext, data: Data) -> Image:
    """Upload an image (multipart/form-data: `file`, `alt`, `postId`), for one of your posts or
    none. It is decoded and written again without its metadata (EXIF, GPS), in renditions of
    several widths in WebP and its own format, within the size, pixel and quota limits."""
    return services.upload_image(
        owner=ctx.user, upload=data["file"], alt=data["alt"], post_id=data["post_id"]
    )


@procedure(
    "image.delete",
    kind=MUTATION,
    input=ImageDeleteInput,
    output=ImageDeleteOutput,
    access=OWNER_OR_STAFF,
)
def image_delete(ctx: SignedInContext, data: Data) -> Data:
    """Delete one of your images and its files; a post it was the cover of has none then."""
    image = selectors.image_for_edit(user=ctx.user, image_id=data["id"])
    services.delete_image(image=image)
    return {"id": data["id"]}
