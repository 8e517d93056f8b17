"""An author changes a post's slug in the editor; the old address answers with a 301 to the
new one, and a slug that is taken or malformed is shown on the form and changes nothing."""

import pytest
from django.urls import reverse

from blog.models import Post, PostSlug
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def _edit(client, post, slug):
    return client.post(
        reverse("blog:edit-post", kwargs={"post_id": post.id}),
        {"title": post.title, "content": post.content, "slug": slug, "action": "save"},
    )


def test_the_editor_shows_the_slug_and_changes_it(author_client, author):
    post = PostFactory(author=author, slug="before")
    form = author_client.get(reverse("blog:edit-post", kwargs={"post_id": post.id})).context["form"]
    assert form.initial["slug"] == "before"
    assert _edit(author_client, post, "after").status_code == 302
    assert Post.objects.get(id=post.id).slug == "after"
    assert PostSlug.objects.filter(post=post, slug="before").exists()


def test_an_old_slug_page_moves_permanently_to_the_current_one(author_client, author, client):
    post = PostFactory(author=author, slug="before")
    _edit(author_client, post, "after")
    client.logout()
    response = client.get("/posts/before/")
    assert response.status_code == 301
    assert response["Location"] == "/posts/after/"
    assert client.get("/posts/after/").status_code == 200


def test_a_new_post_has_no_slug_field_and_takes_its_slug_from_the_title(author_client):
    form = author_client.get(reverse("blog:new-post")).context["form"]
    assert "slug" not in form.fields


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Not Valid", "Use only lowercase letters, digits and hyphens."),
        ("", "This field is required."),
        ("taken", "Another post has this slug."),
        ("gone", "Another post had this slug; its old links lead there."),
    ],
)
def test_a_refused_slug_is_shown_on_the_form_and_nothing_changes(
    author_client, author, reader, slug, message
):
    PostFactory(author=reader, slug="taken")
    moved = PostFactory(author=reader, slug="gone")
    moved.slug = "moved"
    moved.save()
    PostSlug.objects.create(post=moved, slug="gone")
    post = PostFactory(author=author, slug="mine", title="Mine")
    response = _edit(author_client, post, slug)
    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == [message]
    assert Post.objects.get(id=post.id).slug == "mine"
