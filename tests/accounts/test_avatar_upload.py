"""Uploading an avatar on the profile page: a real image becomes a square WebP without its
metadata, stored and served by the site; anything else is a field error that changes nothing."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import services
from accounts.avatars import AVATAR_SIZE
from accounts.models import User


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _image(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Co."  # Make
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    return _image(size=(300, 200), exif=exif)


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _upload(client, content: bytes, name: str = "me.jpg", **fields: object):
    avatar = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post("/profile/", {"name": "Ada", "bio": "", "avatar": avatar, **fields})


def _stored_files(media_root) -> list[str]:
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*.webp"))


@pytest.mark.django_db
def test_uploaded_avatar_is_a_square_webp_without_metadata_shown_and_served(
    client, author, media_root
):
    client.force_login(author)

    answer = _upload(client, _jpeg_with_exif())

    assert answer["Location"] == "/profile/"
    user = User.objects.get(pk=author.pk)
    assert user.avatar_url == f"/media/{user.avatar_path}"
    served = client.get(user.avatar_url)
    assert served["Content-Type"] == "image/webp"
    assert "immutable" in served["Cache-Control"]
    stored = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert (stored.format, stored.size) == ("WEBP", (AVATAR_SIZE, AVATAR_SIZE))
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert f'src="{user.avatar_url}"' in client.get("/profile/").content.decode()
    assert f'src="{user.avatar_url}"' in client.get(f"/authors/{author.id}/").content.decode()


@pytest.mark.django_db
def test_a_new_avatar_replaces_the_old_file_once_saved(
    client, author, media_root, django_capture_on_commit_callbacks
):
    client.force_login(author)
    _upload(client, _image("PNG"), name="first.png")
    first = User.objects.get(pk=author.pk).avatar_path

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, _image("GIF", size=(50, 90)), name="second.gif")

    second = User.objects.get(pk=author.pk).avatar_path
    assert second != first
    assert _stored_files(media_root) == [second]


@pytest.mark.django_db
def test_removing_the_avatar_deletes_its_file(
    client, author, media_root, django_capture_on_commit_callbacks
):
    client.force_login(author)
    _upload(client, _image())

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/profile/", {"name": "Ada", "bio": "", "remove_avatar": "on"})

    user = User.objects.get(pk=author.pk)
    assert (user.avatar_url, user.avatar_path) == ("", "")
    assert _stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text, not an image", "Upload a JPEG, PNG, GIF or WebP image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Upload a JPEG, PNG, GIF or WebP image."),
        (_image("BMP"), "Upload a JPEG, PNG, GIF or WebP image."),
        (_image("TIFF"), "Upload a JPEG, PNG, GIF or WebP image."),
        (_image()[:400], "Upload a JPEG, PNG, GIF or WebP image."),
        # A decompression bomb: a few bytes declaring 50,000 x 50,000 pixels.
        (_png_claiming(50_000, 50_000), "The image has too many pixels; use a smaller one."),
    ],
    ids=["text", "svg", "bmp", "tiff", "truncated-jpeg", "decompression-bomb"],
)
def test_upload_that_is_not_an_acceptable_image_is_a_field_error_and_changes_nothing(
    client, author, media_root, content, message
):
    client.force_login(author)

    answer = _upload(client, content, name="avatar.png")

    assert answer.status_code == 200
    assert answer.context["form"].errors == {"avatar": [message]}
    user = User.objects.get(pk=author.pk)
    assert (user.name, user.avatar_url, user.avatar_path) == ("Ada Author", "", "")
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_pillows_own_bomb_check_still_refuses_when_the_pixel_limit_is_raised(
    client, author, settings
):
    settings.AVATAR_MAX_PIXELS = 10**12
    client.force_login(author)

    answer = _upload(client, _png_claiming(50_000, 50_000), name="bomb.png")

    assert answer.context["form"].errors == {
        "avatar": ["The image has too many pixels; use a smaller one."]
    }


@pytest.mark.django_db
def test_upload_over_the_byte_limit_is_refused(client, author, settings, media_root):
    settings.AVATAR_MAX_BYTES = 1024
    client.force_login(author)

    answer = _upload(client, _image(size=(800, 800), quality=100))

    assert answer.context["form"].errors == {"avatar": ["The image is too large: at most 1 KB."]}
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_deleting_the_account_or_giving_a_url_deletes_the_stored_file(
    client, author, reader, media_root, django_capture_on_commit_callbacks
):
    for user in (author, reader):
        client.force_login(user)
        _upload(client, _image())
    author.refresh_from_db()
    reader.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_user(user=author)
        services.update_profile(user=reader, avatar_url="https://img.example/r.png")

    assert _stored_files(media_root) == []
    assert User.objects.get(pk=reader.pk).avatar_path == ""


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../secret.webp", "x.webp", "0123456789abcdef0123.png"])
def test_only_stored_avatar_names_are_served(client, author, name):
    answer = client.get(f"/media/avatars/{author.id}/{name}")

    assert answer.status_code == 404
