"""tRPC FormData inputs over HTTP (api.form_data): multipart/form-data reaches only procedures
whose input takes a file, alone, without an idempotency key, within API_MAX_UPLOAD_BYTES; every
refusal is a tRPC error and runs nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.registry import get_procedure
from blog.models import Post
from images.models import Image

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/api/trpc/image.upload"


# Refusals come before the file is looked at: any bytes do.
def upload():
    return SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")


def _post_form(client, data, url=UPLOAD_URL, **extra):
    response = client.post(url, data, **extra)  # the test client encodes it as multipart
    return response.status_code, json.loads(response.content)


def test_only_procedures_whose_input_has_a_file_take_form_data():
    assert get_procedure("image.upload").takes_files
    assert not get_procedure("post.create").takes_files
    assert not get_procedure("user.me").takes_files  # no input at all


def test_a_body_over_the_upload_limit_is_refused_by_its_length_before_it_is_read(
    client, author, settings
):
    settings.API_MAX_UPLOAD_BYTES = 1000
    client.force_login(author)
    big = SimpleUploadedFile("big.png", b"x" * 2000)

    status, body = _post_form(client, {"file": big})

    assert status == 413
    assert body["error"]["data"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body["error"]["message"] == "The body is over 1000 bytes."
    assert not Image.objects.exists()


def test_form_data_to_a_procedure_that_takes_no_files_is_unsupported(client, author):
    client.force_login(author)

    status, body = _post_form(client, {"title": "Hello"}, url="/api/trpc/post.create")

    assert status == 415
    assert body["error"]["data"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert (
        body["error"]["message"]
        == '"post.create" takes no files: send its input as application/json.'
    )
    assert not Post.objects.exists()


def test_form_data_cannot_be_batched_nor_carry_an_idempotency_key(client, author):
    client.force_login(author)

    batched = _post_form(client, {"file": upload()}, url=f"{UPLOAD_URL}?batch=1")
    keyed = _post_form(client, {"file": upload()}, headers={"Idempotency-Key": "k1"})

    assert batched[0] == keyed[0] == 400
    assert "cannot be batched" in batched[1]["error"]["message"]
    assert "Idempotency-Key" in keyed[1]["error"]["message"]
    assert not Image.objects.exists()


def test_a_json_body_to_image_upload_is_a_bad_request(client, author):
    client.force_login(author)

    response = client.post(UPLOAD_URL, {"file": "aGVsbG8="}, content_type="application/json")

    assert response.status_code == 400
    assert "file" in response.json()["error"]["data"]["fieldErrors"]


def test_a_query_cannot_be_sent_as_form_data(client, author):
    client.force_login(author)

    status, body = _post_form(client, {"slug": "x"}, url="/api/trpc/post.bySlug")

    assert status in (405, 415)
    assert body["error"]["data"]["code"] in ("METHOD_NOT_SUPPORTED", "UNSUPPORTED_MEDIA_TYPE")
