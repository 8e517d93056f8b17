"""Editors tidy tags in the admin: find them, see how much each is used, correct a spelling
(the address stays), delete one from every post; a bad name is a field error."""

import pytest
from django.urls import reverse

from accounts import services as account_services
from blog import services
from blog.models import Post, Tag
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = UserFactory(email="moderator@example.com")
    account_services.make_editor(user=user)
    client.force_login(user)
    return client


@pytest.fixture
def tag(author):
    services.create_post(author=author, title="One", tags=["javascript"], published=True)
    services.create_post(author=author, title="Two", tags=["javascript"])
    return Tag.objects.get(slug="javascript")


def test_the_changelist_finds_tags_with_their_post_counts(editor_client, tag):
    response = editor_client.get(reverse("admin:blog_tag_changelist"), {"q": "java"})
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.name, row.published_total, row.post_total) == ("javascript", 1, 2)


def test_an_editor_corrects_a_spelling(editor_client, tag):
    url = reverse("admin:blog_tag_change", args=[tag.pk])
    response = editor_client.post(url, {"name": "JavaScript"})
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).name == "JavaScript"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("TypeScript", "The new name must keep the address"),
        ("java\x01script", "A tag cannot contain control characters."),
        ("j" * 51, "at most 50 characters"),
    ],
)
def test_a_bad_name_is_a_field_error_and_changes_nothing(editor_client, tag, name, message):
    response = editor_client.post(reverse("admin:blog_tag_change", args=[tag.pk]), {"name": name})
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["name"])
    assert Tag.objects.get(pk=tag.pk).name == "javascript"


def test_deleting_a_tag_takes_it_off_every_post_and_adding_is_for_authors(editor_client, tag):
    assert editor_client.get(reverse("admin:blog_tag_add")).status_code == 403
    editor_client.post(reverse("admin:blog_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert not Tag.objects.exists()
    assert Post.objects.count() == 2
