"""Image files made on the spot (real encodings, a ZIP named .png, a decompression bomb), and
an empty MEDIA_ROOT per test."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as Pillow

from tests.api.conftest import trpc  # noqa: F401  (the tRPC caller fixture)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Files go to a MEDIA_ROOT of the test's own, on the filesystem storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.IMAGES_RENDITION_WIDTHS = [160, 320]
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def encoded(image_format: str = "JPEG", size: tuple[int, int] = (640, 480), **options) -> bytes:
    picture = Pillow.new("RGB", size, (200, 80, 40))
    # A corner of another colour, to see which way up the image was written.
    picture.paste((0, 0, 255), (0, 0, size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def photo_with_gps(size: tuple[int, int] = (640, 480), orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: rotated by its EXIF orientation, with a GPS position."""
    exif = Pillow.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    return encoded("JPEG", size, exif=exif.tobytes())


def zip_named_png() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("image.png", b"\x89PNG\r\n\x1a\n not really")
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` pixels (10 billion by default):
    decoding it would take gigabytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * 16
    data = zlib.compress(row * 16)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
