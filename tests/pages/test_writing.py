"""Authors write, preview, publish, unpublish and delete their posts from the dashboard."""

import pytest
from django.urls import reverse

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def test_the_dashboard_lists_the_authors_drafts_and_published_posts_only(author_client, author):
    PostFactory(author=author, title="My draft", published=False)
    PostFactory(author=author, title="My published")
    PostFactory(title="Someone else's", published=False)
    body = author_client.get(reverse("blog:dashboard")).content.decode()
    assert "My draft" in body and "My published" in body
    assert "Someone else" not in body


def test_the_dashboard_needs_sign_in(client):
    assert client.get(reverse("blog:dashboard")).status_code == 302


def test_preview_renders_the_markdown_and_saves_nothing(author_client):
    response = author_client.post(
        reverse("blog:new-post"),
        {"title": "T", "content": "**Strong** <script>x</script>", "preview": "1"},
    )
    body = response.content.decode()
    assert "<strong>Strong</strong>" in body
    assert "<script>x</script>" not in body
    assert not Post.objects.exists()


def test_save_draft_creates_an_unpublished_post(author_client, author):
    response = author_client.post(
        reverse("blog:new-post"), {"title": "Draft one", "content": "Body", "action": "save"}
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert (post.author, post.published, post.slug) == (author, False, "draft-one")


def test_publish_from_the_editor_publishes(author_client):
    author_client.post(reverse("blog:new-post"), {"title": "Out now", "action": "publish"})
    assert Post.objects.get().published


def test_a_missing_title_is_shown_with_the_form_and_nothing_is_saved(author_client):
    response = author_client.post(reverse("blog:new-post"), {"title": "", "content": "Body"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Post.objects.exists()


def test_editing_keeps_the_slug_and_updates_the_words(author_client, author):
    post = PostFactory(author=author, title="Old", slug="old")
    author_client.post(
        reverse("blog:edit-post", kwargs={"post_id": post.id}),
        {"title": "New", "content": "New body", "excerpt": "", "slug": "old", "action": "save"},
    )
    post.refresh_from_db()
    assert (post.title, post.slug, post.excerpt) == ("New", "old", "New body")


def test_unpublish_and_publish_from_the_dashboard(author_client, author):
    post = PostFactory(author=author)
    url = reverse("blog:set-published", kwargs={"post_id": post.id})
    author_client.post(url, {"published": "false"})
    post.refresh_from_db()
    assert not post.published
    author_client.post(url, {"published": "true"})
    post.refresh_from_db()
    assert post.published


def test_delete_asks_first(author_client, author):
    post = PostFactory(author=author)
    url = reverse("blog:delete-post", kwargs={"post_id": post.id})
    assert author_client.get(url).status_code == 200
    assert Post.objects.exists()
    assert author_client.post(url).status_code == 302
    assert not Post.objects.exists()


@pytest.mark.parametrize("name", ["edit-post", "set-published", "delete-post"])
def test_others_get_403_on_a_published_post_and_404_on_a_draft(client, stranger, name):
    published, draft = PostFactory(title="Keep"), PostFactory(title="Keep", published=False)
    client.force_login(stranger)
    assert (
        client.post(
            reverse(f"blog:{name}", kwargs={"post_id": published.id}), {"title": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse(f"blog:{name}", kwargs={"post_id": draft.id}), {"title": "x"}
        ).status_code
        == 404
    )
    assert Post.objects.filter(title="Keep").count() == 2


def test_staff_can_edit_any_post(client, editor):
    post = PostFactory()
    client.force_login(editor)
    client.post(
        reverse("blog:edit-post", kwargs={"post_id": post.id}),
        {"title": "Moderated", "content": "", "slug": post.slug, "action": "save"},
    )
    post.refresh_from_db()
    assert post.title == "Moderated"


def test_a_derived_excerpt_keeps_following_the_content_after_edits(author_client, author):
    author_client.post(reverse("blog:new-post"), {"title": "T", "content": "First words"})
    post = Post.objects.get()
    form = author_client.get(reverse("blog:edit-post", kwargs={"post_id": post.id})).context["form"]
    assert form.initial["excerpt"] == ""
    author_client.post(
        reverse("blog:edit-post", kwargs={"post_id": post.id}),
        {"title": "T", "content": "Second words", "excerpt": "", "slug": "t", "action": "save"},
    )
    post.refresh_from_db()
    assert post.excerpt == "Second words"


def test_a_written_excerpt_stays_in_the_editor(author_client, author):
    post = PostFactory(author=author, content="Body", excerpt="My own summary")
    form = author_client.get(reverse("blog:edit-post", kwargs={"post_id": post.id})).context["form"]
    assert form.initial["excerpt"] == "My own summary"
