"""The Content-Security-Policy lets pages show images from wherever they are stored."""

import pytest

from config.content_security_policy import policy_for


def _img_src(rf) -> str:
    policy = policy_for(rf.get("/"))
    return next(part for part in policy.split("; ") if part.startswith("img-src"))


def test_images_of_this_site_or_over_https_need_nothing_more(rf, settings):
    settings.MEDIA_URL = "/media/"
    settings.IMAGES_S3_BUCKET = "bucket"
    settings.AWS_S3_ENDPOINT_URL = ""

    assert _img_src(rf) == "img-src 'self' data: https:"


@pytest.mark.parametrize(
    ("changes", "origin"),
    [
        ({"MEDIA_URL": "http://media.example.test/files/"}, "http://media.example.test"),
        (
            {"IMAGES_S3_BUCKET": "b", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"},
            "http://127.0.0.1:9000",
        ),
    ],
)
def test_an_http_media_origin_is_allowed_for_images(rf, settings, changes, origin):
    settings.AWS_S3_CUSTOM_DOMAIN = ""
    for name, value in changes.items():
        setattr(settings, name, value)

    assert _img_src(rf) == f"img-src 'self' data: https: {origin}"
