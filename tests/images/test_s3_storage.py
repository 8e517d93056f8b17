"""Images in an S3-compatible bucket (IMAGES_S3_BUCKET, through django-storages), against moto's
server: the storage the settings build from the environment, the files an upload writes there,
their URLs, and their deletion."""

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer
from PIL import Image as Pillow
from storages.backends.s3 import S3Storage

from images import services
from images.models import Image
from images.outputs import image_shown
from tests.images.conftest import GPS_IFD, photo_with_gps, upload
from tests.live_server import free_port

pytestmark = pytest.mark.django_db

BUCKET = "inkwell-images"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def moto_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _storages_from_environment(**environment: str) -> dict:
    """STORAGES as config/settings.py builds it in a fresh process with ``environment``."""
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    out = subprocess.run(  # noqa: S603 (our interpreter, a fixed script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_without_a_bucket_images_go_to_the_filesystem():
    assert _storages_from_environment(IMAGES_S3_BUCKET="") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


@pytest.fixture(scope="module")
def s3_storage(moto_endpoint) -> dict:
    return _storages_from_environment(IMAGES_S3_BUCKET=BUCKET, AWS_S3_ENDPOINT_URL=moto_endpoint)


@pytest.fixture
def bucket(settings, moto_endpoint, s3_storage, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage}
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def _keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_upload_is_stored_in_the_bucket_without_metadata_and_linked_there(
    bucket, moto_endpoint, author, django_capture_on_commit_callbacks
):
    assert type(storages["default"]) is S3Storage
    with django_capture_on_commit_callbacks(execute=True):
        image = services.upload_image(owner=author, upload=upload(photo_with_gps()))

    assert _keys(bucket) == sorted(image.storage_names())
    original = bucket.get_object(Bucket=BUCKET, Key=image.original_name)
    assert original["ContentType"] == "image/jpeg"
    assert "immutable" in original["CacheControl"]
    decoded = Pillow.open(io.BytesIO(original["Body"].read()))
    assert decoded.size == (480, 640) and not decoded.getexif().get_ifd(GPS_IFD)
    webp = next(item for item in image.renditions if item["type"] == "image/webp")
    assert bucket.head_object(Bucket=BUCKET, Key=webp["name"])["ContentType"] == "image/webp"
    shown = image_shown(image)
    assert shown["url"] == f"{moto_endpoint}/{BUCKET}/{image.original_name}"  # no signature


def test_deleting_an_image_deletes_its_objects(bucket, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = services.upload_image(owner=author, upload=upload(photo_with_gps()))
    assert _keys(bucket)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_image(image=image)

    assert _keys(bucket) == []
    assert not Image.objects.exists()


def test_files_without_an_image_row_are_pruned_from_the_bucket(
    bucket, author, stranger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = services.upload_image(owner=author, upload=upload(photo_with_gps()))
        services.upload_image(owner=stranger, upload=upload(photo_with_gps()))
    stranger.delete()  # rows by cascade, objects left

    deleted = services.delete_orphan_files(older_than=timedelta(0))

    assert deleted == 1 + len(kept.renditions)
    assert _keys(bucket) == sorted(kept.storage_names())
