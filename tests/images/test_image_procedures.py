"""image.upload and image.delete over HTTP: real multipart/form-data bodies (tRPC's FormData
input), their answers, and every refusal in the tRPC error shape, leaving nothing behind."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from images import services
from images.models import Image
from tests.factories import PostFactory
from tests.images.conftest import encoded, png_bomb, stored_files, upload, zip_named_png

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/api/trpc/image.upload"


def _post_form(client, data, url=UPLOAD_URL, **extra):
    response = client.post(url, data, **extra)  # the test client encodes it as multipart
    return response.status_code, json.loads(response.content)


def _upload(client, data: bytes, capture, name="photo.jpg", **fields):
    with capture(execute=True):
        return _post_form(client, {"file": SimpleUploadedFile(name, data), **fields})


def test_an_upload_answers_the_image_with_its_urls_and_markdown(
    client, author, media_root, django_capture_on_commit_callbacks
):
    client.force_login(author)
    post = PostFactory(author=author)

    status, body = _upload(
        client,
        encoded("JPEG"),
        django_capture_on_commit_callbacks,
        alt="A [red] field",
        postId=str(post.id),
    )

    assert status == 200, body
    image = body["result"]["data"]
    stored = Image.objects.get()
    assert image["id"] == str(stored.id)
    assert image["postId"] == str(post.id)
    assert (image["width"], image["height"], image["alt"]) == (640, 480, "A [red] field")
    assert image["url"] == f"/media/{stored.original_name}"
    assert image["srcset"].endswith(f"/media/{stored.original_name} 640w")
    assert "160w" in image["srcset"] and "320w" in image["webpSrcset"]
    assert image["markdown"].startswith(r"![A \[red\] field](/media/images/")
    assert len(stored_files(media_root)) == 5


def test_a_50_megabyte_upload_is_refused_before_it_is_read_and_the_site_keeps_serving(
    client, author, media_root
):
    client.force_login(author)
    huge = SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"\0" * (50 * 2**20))

    status, body = _post_form(client, {"file": huge})

    assert status == 413
    assert body["error"]["data"]["code"] == "PAYLOAD_TOO_LARGE"
    assert not Image.objects.exists() and stored_files(media_root) == []
    assert client.get("/api/trpc/post.list").status_code == 200


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (zip_named_png(), "photo.png", "not a JPEG, PNG, GIF or WebP image"),
        (b"#!/bin/sh\necho hello\n", "script.jpg", "not a JPEG, PNG, GIF or WebP image"),
        (png_bomb(), "bomb.png", "decompression bomb"),
    ],
    ids=["zip-named-png", "non-image", "decompression-bomb"],
)
def test_a_bad_file_is_a_bad_request_on_the_file_field(
    client, author, media_root, data, name, message, django_capture_on_commit_callbacks
):
    client.force_login(author)

    status, body = _upload(client, data, django_capture_on_commit_callbacks, name=name)

    assert status == 400
    assert body["error"]["data"]["code"] == "BAD_REQUEST"
    assert message in body["error"]["data"]["fieldErrors"]["file"][0]
    assert not Image.objects.exists() and stored_files(media_root) == []


def test_an_upload_over_the_quota_is_refused(
    client, author, settings, media_root, django_capture_on_commit_callbacks
):
    client.force_login(author)
    settings.IMAGES_QUOTA_BYTES_PER_USER = 1000

    status, body = _upload(client, encoded("PNG"), django_capture_on_commit_callbacks)

    assert status == 400
    assert "delete some first" in body["error"]["data"]["fieldErrors"]["file"][0]
    assert not Image.objects.exists() and stored_files(media_root) == []


def test_an_image_for_someone_elses_post_is_forbidden(
    client, author, stranger, django_capture_on_commit_callbacks
):
    client.force_login(author)
    others = PostFactory(author=stranger)

    status, body = _upload(
        client, encoded(), django_capture_on_commit_callbacks, postId=str(others.id)
    )

    assert (status, body["error"]["data"]["code"]) == (403, "FORBIDDEN")
    assert not Image.objects.exists()


def test_an_anonymous_upload_is_unauthorized(client):
    status, body = _post_form(client, {"file": upload(encoded())})

    assert (status, body["error"]["data"]["code"]) == (401, "UNAUTHORIZED")


def test_an_owner_deletes_an_image_and_nobody_else_can(
    trpc, author, stranger, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = services.upload_image(owner=author, upload=upload(encoded()))

    refused = trpc.login(stranger).mutate("image.delete", {"id": str(image.id)})
    assert (refused.status, refused.code) == (404, "NOT_FOUND")
    assert Image.objects.filter(id=image.id).exists()

    with django_capture_on_commit_callbacks(execute=True):
        deleted = trpc.login(author).mutate("image.delete", {"id": str(image.id)})

    assert deleted.data == {"id": str(image.id)}
    assert not Image.objects.exists() and stored_files(media_root) == []
