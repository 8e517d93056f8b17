"""The export through the site's ASGI handler, as Daphne serves it: an async body whose parts
are built in the request's thread, a valid zip at the end."""

import io
import zipfile

import pytest
from django.conf import settings
from django.test import Client

from config.http_handler import SyncChainASGIHandler
from tests.asgi_http import asgi_request
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the handler's thread has its own connection


def test_export_streams_a_whole_zip_over_asgi(author, reader):
    for n in range(450):
        PostFactory(author=author, slug=f"post-{n}")
    CommentFactory(post=PostFactory(author=reader), author=author, content="Mine")
    browser = Client()
    browser.force_login(author)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"

    answer = asgi_request(
        SyncChainASGIHandler(), "GET", "/profile/export/", headers={"cookie": cookie}
    )

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.body))
    assert archive.testzip() is None
    assert len([name for name in archive.namelist() if name.startswith("posts/")]) == 450
