"""Every failure comes back in tRPC's error envelope with the spec's code and HTTP status."""

import json

import pytest
from django.test import Client

from api import registry
from api.registry import PUBLIC, QUERY, procedure
from blog.models import Post
from blog.serializers import PostDeleteOutput
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def assert_error(answer, code, status, path):
    assert answer.status == status
    assert answer.body["error"]["data"] == {
        **answer.body["error"]["data"],
        "code": code,
        "httpStatus": status,
        "path": path,
    }
    assert isinstance(answer.body["error"]["code"], int)
    assert answer.body["error"]["message"]


@pytest.fixture
def broken_procedure():
    @procedure("test.broken", kind=QUERY, input=None, output=PostDeleteOutput, access=PUBLIC)
    def broken(ctx, data):
        """Fails the way a bug would."""
        raise RuntimeError("database password is hunter2")

    yield "test.broken"
    registry._procedures.pop("test.broken")


def test_unknown_path_is_not_found(trpc):
    answer = trpc.query("post.nothing")
    assert_error(answer, "NOT_FOUND", 404, "post.nothing")
    assert answer.error["code"] == -32004
    assert answer.error["message"] == 'No procedure found on path "post.nothing"'


def test_a_mutation_by_get_and_a_query_by_post_are_method_not_supported(trpc):
    assert_error(trpc.query("post.create"), "METHOD_NOT_SUPPORTED", 405, "post.create")
    assert_error(trpc.mutate("post.list", {}), "METHOD_NOT_SUPPORTED", 405, "post.list")


def test_other_http_methods_are_method_not_supported(client):
    response = client.put("/api/trpc/post.list", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["data"]["code"] == "METHOD_NOT_SUPPORTED"


def test_head_answers_204_for_warm_up(client):
    assert client.head("/api/trpc/post.list").status_code == 204


def test_input_that_is_not_json_is_a_bad_request(as_user, author):
    # tRPC 11 says BAD_REQUEST for each call here (v10 said PARSE_ERROR): the spec follows 11.
    client = as_user(author).client
    response = client.get("/api/trpc/post.list", {"input": "{not json"})
    assert response.status_code == 400
    assert response.json()["error"]["data"]["code"] == "BAD_REQUEST"
    response = client.post("/api/trpc/post.create", "{", content_type="application/json")
    assert response.json()["error"]["data"]["code"] == "BAD_REQUEST"


def test_a_post_that_is_not_json_is_unsupported_media_type(as_user, author):
    response = as_user(author).client.post(
        "/api/trpc/post.create", "title=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"]["data"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert not Post.objects.exists()


def test_validation_failures_carry_field_errors(as_user, author):
    answer = as_user(author).mutate("post.create", {"title": ""})
    assert_error(answer, "BAD_REQUEST", 400, "post.create")
    assert answer.error["code"] == -32600
    assert answer.error["data"]["fieldErrors"] == {"title": ["This field may not be blank."]}
    assert answer.error["data"]["formErrors"] == []


def test_input_that_is_not_an_object_has_form_errors(as_user, author):
    answer = as_user(author).mutate("post.create", ["title"])
    assert answer.code == "BAD_REQUEST"
    assert answer.error["data"]["formErrors"]


def test_no_sign_in_is_unauthorized(trpc):
    answer = trpc.mutate("post.create", {"title": "x"})
    assert_error(answer, "UNAUTHORIZED", 401, "post.create")
    assert answer.error["code"] == -32001


def test_not_yours_is_forbidden(as_user, author, stranger):
    post = PostFactory(author=author)
    answer = as_user(stranger).mutate("post.delete", {"id": str(post.id)})
    assert_error(answer, "FORBIDDEN", 403, "post.delete")
    assert answer.error["code"] == -32003


def test_a_body_over_the_limit_is_payload_too_large(as_user, author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = as_user(author).mutate("post.create", {"title": "t", "content": "x" * 2000})
    assert answer.status == 413
    assert answer.code == "PAYLOAD_TOO_LARGE"
    assert answer.error["code"] == -32013
    assert not Post.objects.exists()


def test_too_many_requests_are_throttled(trpc, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "2/minute"}
    assert trpc.query("post.list").status == 200
    assert trpc.query("post.list").status == 200
    answer = trpc.query("post.list")
    assert_error(answer, "TOO_MANY_REQUESTS", 429, "post.list")
    assert answer.error["code"] == -32029
    assert int(answer.headers["Retry-After"]) > 0


def test_a_bug_is_an_internal_error_without_internals(trpc, broken_procedure):
    answer = trpc.query(broken_procedure)
    assert_error(answer, "INTERNAL_SERVER_ERROR", 500, "test.broken")
    assert answer.error["code"] == -32603
    assert "hunter2" not in json.dumps(answer.body)
    assert "stack" not in answer.error["data"]


def test_with_debug_on_an_internal_error_carries_its_stack(trpc, broken_procedure, settings):
    settings.DEBUG = True
    answer = trpc.query(broken_procedure)
    assert "RuntimeError" in answer.error["data"]["stack"]


def test_a_session_mutation_without_the_csrf_token_is_forbidden(author):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)
    response = browser.post("/api/trpc/post.create", '{"title": "x"}', "application/json")
    assert response.status_code == 403
    assert response.json()["error"]["data"]["code"] == "FORBIDDEN"
    assert "CSRF" in response.json()["error"]["message"]
    assert not Post.objects.exists()


def test_errors_under_superjson_wrap_the_whole_error_object(trpc):
    answer = trpc.query("post.bySlug", {"json": {"slug": "missing"}})
    assert answer.status == 404
    assert answer.body["error"]["json"]["data"]["code"] == "NOT_FOUND"


def test_a_session_mutation_with_the_csrf_token_goes_through(author):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)
    browser.cookies["csrftoken"] = secret = "a" * 32
    response = browser.post(
        "/api/trpc/post.create",
        '{"title": "x"}',
        "application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 200
    assert Post.objects.get().title == "x"


def test_a_forged_forwarded_address_does_not_escape_the_throttle(trpc, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "2/minute"}
    statuses = [
        trpc.query("post.list", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status for n in range(3)
    ]
    assert statuses == [200, 200, 429]
