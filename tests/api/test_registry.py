"""The registry is the single list of the API, and every procedure is typed both ways."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from rest_framework.serializers import BaseSerializer

from api.registry import PUBLIC, QUERY, Context, all_procedures, get_procedure, procedure
from blog.serializers import PostListOutput
from lib.errors import Unauthorized

CATALOGUE = {
    "post.list": "query",
    "post.bySlug": "query",
    "post.byId": "query",
    "post.search": "query",
    "post.create": "mutation",
    "post.update": "mutation",
    "post.delete": "mutation",
    "post.preview": "mutation",
    "post.revisions": "query",
    "post.revision": "query",
    "post.restoreRevision": "mutation",
    "post.autosave": "mutation",
    "tag.search": "query",
    "comment.list": "query",
    "comment.create": "mutation",
    "comment.update": "mutation",
    "comment.delete": "mutation",
    "post.onCreate": "subscription",
    "post.onUpdate": "subscription",
    "comment.onAdd": "subscription",
    "user.me": "query",
    "user.byId": "query",
    "user.updateProfile": "mutation",
    "report.create": "mutation",
    "image.upload": "mutation",
    "image.delete": "mutation",
}
# Procedures whose whole input is "nothing" (they act on the caller alone).
WITHOUT_INPUT = {"user.me"}


def test_the_registry_offers_exactly_the_catalogue():
    assert {p.name: str(p.kind) for p in all_procedures()} == CATALOGUE


@pytest.mark.parametrize("proc", all_procedures(), ids=lambda p: p.name)
def test_every_procedure_has_an_input_and_an_output_serializer(proc):
    assert issubclass(proc.output, BaseSerializer)
    assert proc.output.__name__.endswith("Output")
    if proc.name in WITHOUT_INPUT:
        assert proc.input is None
    else:
        assert issubclass(proc.input, BaseSerializer)
        assert proc.input.__name__.endswith("Input")
    assert proc.description, "the docstring documents the procedure in OpenAPI"


def test_declaring_a_procedure_without_an_output_serializer_fails():
    with pytest.raises(ImproperlyConfigured):
        procedure("x.untyped", kind=QUERY, input=None, output=dict, access=PUBLIC)


def test_declaring_a_name_twice_fails():
    with pytest.raises(ImproperlyConfigured):
        procedure("post.list", kind=QUERY, input=None, output=PostListOutput, access=PUBLIC)(
            lambda ctx, data: None
        )


def test_a_signed_in_procedure_refuses_an_anonymous_context_whoever_calls_it():
    user_me = get_procedure("user.me")
    with pytest.raises(Unauthorized):
        user_me.function(Context(user=AnonymousUser()), {})
