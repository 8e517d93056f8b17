"""Uploads through the service: what is taken, what is stored, and what is refused (leaving no
row and no file)."""

import io
import os

import pytest
from django.db import transaction
from PIL import Image as Pillow

from images import services
from images.models import Image
from lib.errors import InvalidInput, ServiceUnavailable
from tests.factories import PostFactory
from tests.images.conftest import (
    GPS_IFD,
    encoded,
    photo_with_gps,
    png_bomb,
    stored_files,
    upload,
    zip_named_png,
)

pytestmark = pytest.mark.django_db


def _upload(owner, data, *, capture, **kwargs):
    with capture(execute=True):
        return services.upload_image(owner=owner, upload=upload(data), **kwargs)


def _refusal(owner, data, capture, **kwargs) -> list[str]:
    with pytest.raises(InvalidInput) as refused, capture(execute=True) as callbacks:
        services.upload_image(owner=owner, upload=upload(data), **kwargs)
    assert callbacks == []  # nothing to write on commit
    return refused.value.field_errors["file"]


def test_a_photo_is_stored_upright_without_its_exif_and_gps(
    author, media_root, django_capture_on_commit_callbacks
):
    image = _upload(
        author, photo_with_gps(), alt="A harbour", capture=django_capture_on_commit_callbacks
    )

    stored = Image.objects.get(id=image.id)
    # Orientation 6 (turned a quarter): 640x480 as shot, 480x640 as seen.
    assert (stored.width, stored.height, stored.format, stored.alt) == (
        480,
        640,
        "JPEG",
        "A harbour",
    )
    full = Pillow.open(media_root / stored.original_name)
    assert full.size == (480, 640)
    exif = full.getexif()
    assert not exif and not exif.get_ifd(GPS_IFD)
    assert "exif" not in full.info
    # The blue corner, top left as shot, is top right once upright.
    assert full.convert("RGB").getpixel((470, 10))[2] > 200


def test_renditions_are_made_in_webp_and_the_own_format_for_each_narrower_width(
    author, media_root, django_capture_on_commit_callbacks
):
    image = _upload(author, encoded("PNG", (640, 480)), capture=django_capture_on_commit_callbacks)

    sizes = sorted((item["type"], item["width"], item["height"]) for item in image.renditions)
    assert sizes == [
        ("image/png", 160, 120),
        ("image/png", 320, 240),
        ("image/webp", 160, 120),
        ("image/webp", 320, 240),
    ]
    for item in image.renditions:
        decoded = Pillow.open(media_root / item["name"])
        assert (decoded.width, decoded.get_format_mimetype()) == (item["width"], item["type"])
    on_disk = stored_files(media_root)
    assert len(on_disk) == 5
    assert sum((media_root / name).stat().st_size for name in on_disk) == image.stored_bytes


def test_a_small_image_gets_a_full_size_webp_too(author, django_capture_on_commit_callbacks):
    image = _upload(author, encoded("GIF", (100, 50)), capture=django_capture_on_commit_callbacks)

    assert [(item["type"], item["width"]) for item in image.renditions] == [("image/webp", 100)]
    assert image.format == "GIF"


def test_a_png_that_is_really_a_zip_is_refused_and_nothing_is_left(
    author, media_root, django_capture_on_commit_callbacks
):
    errors = _refusal(author, zip_named_png(), django_capture_on_commit_callbacks)

    assert errors == ["This file is not a JPEG, PNG, GIF or WebP image that can be read."]
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "data",
    [b"plain text, not an image", b"", encoded("BMP"), encoded("TIFF"), encoded("JPEG")[:300]],
    ids=["text", "empty", "bmp", "tiff", "truncated-jpeg"],
)
def test_a_non_image_or_another_format_is_refused(author, data, django_capture_on_commit_callbacks):
    errors = _refusal(author, data, django_capture_on_commit_callbacks)

    assert errors == ["This file is not a JPEG, PNG, GIF or WebP image that can be read."]
    assert not Image.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    author, media_root, django_capture_on_commit_callbacks
):
    bomb = png_bomb()
    assert len(bomb) < 1000

    errors = _refusal(author, bomb, django_capture_on_commit_callbacks)

    assert errors == [
        "This image declares more pixels than can safely be decoded (a decompression bomb)."
    ]
    assert not Image.objects.exists() and stored_files(media_root) == []


def test_an_image_over_the_pixel_limit_is_refused(
    author, settings, django_capture_on_commit_callbacks
):
    settings.IMAGES_MAX_PIXELS = 100_000
    errors = _refusal(author, png_bomb(1000, 1000), django_capture_on_commit_callbacks)

    assert errors == [
        "This image is 1000 by 1000 pixels; images may have at most 0.1 million pixels."
    ]


def test_a_file_over_the_byte_limit_is_refused(
    author, settings, django_capture_on_commit_callbacks
):
    settings.IMAGES_MAX_UPLOAD_BYTES = 2**20
    noise = Pillow.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert buffer.tell() > 2**20

    errors = _refusal(author, buffer.getvalue(), django_capture_on_commit_callbacks)

    assert errors == ["Images may be at most 1.0 MB."]
    assert not Image.objects.exists()


def test_an_image_over_the_quota_is_refused_and_the_earlier_ones_stay(
    author, settings, media_root, django_capture_on_commit_callbacks
):
    first = _upload(author, encoded("PNG"), capture=django_capture_on_commit_callbacks)
    settings.IMAGES_QUOTA_BYTES_PER_USER = first.stored_bytes + 100
    files_before = stored_files(media_root)

    errors = _refusal(author, encoded("PNG"), django_capture_on_commit_callbacks)

    assert "delete some first" in errors[0]
    assert list(Image.objects.values_list("id", flat=True)) == [first.id]
    assert stored_files(media_root) == files_before


def test_the_quota_is_each_users_own(
    author, stranger, settings, django_capture_on_commit_callbacks
):
    first = _upload(author, encoded("PNG"), capture=django_capture_on_commit_callbacks)
    settings.IMAGES_QUOTA_BYTES_PER_USER = first.stored_bytes + 100

    _upload(stranger, encoded("PNG"), capture=django_capture_on_commit_callbacks)

    assert Image.objects.filter(owner=stranger).count() == 1


def test_an_upload_whose_transaction_rolls_back_writes_no_file(
    author, media_root, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.upload_image(owner=author, upload=upload(encoded()))
        raise RuntimeError("a later step of the same request failed")

    assert callbacks == []
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


def test_an_image_is_only_for_the_owners_own_post(
    author, stranger, django_capture_on_commit_callbacks
):
    others = PostFactory(author=stranger)
    with pytest.raises(Exception) as refused:
        services.upload_image(owner=author, upload=upload(encoded()), post_id=others.id)

    assert "your own posts" in str(refused.value)
    assert not Image.objects.exists()


def test_alt_text_with_control_characters_is_refused(author):
    with pytest.raises(InvalidInput) as refused:
        services.upload_image(owner=author, upload=io.BytesIO(encoded()), alt="bad\x00alt")

    assert "alt" in refused.value.field_errors


def test_uploads_beyond_the_processing_bound_are_told_to_come_back(author, settings):
    settings.IMAGES_MAX_CONCURRENT_PROCESSING = 1
    settings.IMAGES_PROCESSING_WAIT_MILLISECONDS = 0

    with services._processing.held(), pytest.raises(ServiceUnavailable) as busy:
        services.upload_image(owner=author, upload=upload(encoded()))

    assert busy.value.retry_after == 2
    assert not Image.objects.exists()
