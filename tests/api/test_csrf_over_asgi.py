"""Over ASGI (no test client, which exempts requests from CSRF), a mutation authenticated by the
session cookie still needs the CSRF token; a Bearer-token one does not; a HEAD still answers."""

import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from blog.models import Post
from config.http_handler import SyncChainASGIHandler
from tests.asgi_http import asgi_request

pytestmark = pytest.mark.django_db(transaction=True)  # the handler's thread has its own connection

CREATE = "/api/trpc/post.create"
BODY = json.dumps({"title": "x"}).encode()
TOKEN = "a" * 32


@pytest.fixture
def handler():
    return SyncChainASGIHandler()


def session_cookie(user: User) -> str:
    browser = Client()
    browser.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_a_session_mutation_without_the_csrf_token_is_forbidden(handler, author):
    answer = asgi_request(
        handler,
        "POST",
        CREATE,
        body=BODY,
        headers={"content-type": "application/json", "cookie": session_cookie(author)},
    )
    assert answer.status == 403
    error = json.loads(answer.body)["error"]
    assert error["data"]["code"] == "FORBIDDEN"
    assert "CSRF" in error["message"]
    assert not Post.objects.exists()


def test_a_session_mutation_with_the_csrf_token_goes_through(handler, author):
    answer = asgi_request(
        handler,
        "POST",
        CREATE,
        body=BODY,
        headers={
            "content-type": "application/json",
            "cookie": f"{session_cookie(author)}; csrftoken={TOKEN}",
            "x-csrftoken": TOKEN,
        },
    )
    assert answer.status == 200
    assert Post.objects.get().title == "x"


def test_a_head_to_the_trpc_door_answers_no_content(handler):
    answer = asgi_request(handler, "HEAD", "/api/trpc/post.list")
    assert answer.status == 204
    assert answer.body == b""
