"""Readers browse tags: a tag's page of published posts, newest first, the tag list with its
counts, tags linked from summaries and posts, search within a tag; authors tag posts in the
editor, with field errors for bad tags."""

import re

import pytest
from django.urls import reverse

from blog import services
from blog.models import Post, Tag

pytestmark = pytest.mark.django_db


def _publish(author, title, tags, **fields):
    return services.create_post(author=author, title=title, tags=tags, published=True, **fields)


def test_a_tag_page_lists_its_published_posts_newest_first(client, author, stranger):
    older = _publish(author, "Older django", ["Django"])
    newer = _publish(stranger, "Newer django", ["django"])
    _publish(author, "About rust", ["Rust"])
    services.create_post(author=author, title="Draft django", tags=["Django"])
    response = client.get(reverse("blog:tag", kwargs={"slug": "django"}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>#Django</h1>" in body
    assert "2 posts" in body
    assert body.index(newer.title) < body.index(older.title)
    assert "About rust" not in body and "Draft django" not in body


def test_a_tag_page_pages_through_older_posts(client, author):
    for n in range(23):
        _publish(author, f"Paged {n}", ["paged"])
    first = client.get(reverse("blog:tag", kwargs={"slug": "paged"}))
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("blog:tag", kwargs={"slug": "paged"}), {"after": cursor})
    titles = [post.title for post in first.context["page"].items + second.context["page"].items]
    assert titles == [f"Paged {n}" for n in reversed(range(23))]
    assert second.context["page"].next_cursor is None


def test_an_unknown_tag_and_a_forged_cursor_are_not_found(client, author):
    _publish(author, "Known", ["known"])
    assert client.get(reverse("blog:tag", kwargs={"slug": "unknown"})).status_code == 404
    forged = client.get(reverse("blog:tag", kwargs={"slug": "known"}), {"after": "garbage!"})
    assert forged.status_code == 404


@pytest.mark.parametrize("size", [1, 20])
def test_a_tag_page_runs_the_same_queries_for_any_number_of_posts(
    client, author, django_assert_num_queries, size
):
    for n in range(size):
        _publish(author, f"Post {n}", ["counted", f"extra-{n}"])
    # 1 the tag with its count, 2 the page of posts with authors and comment counts, 3 their
    # tags; no session, no user lookup.
    with django_assert_num_queries(3):
        response = client.get(reverse("blog:tag", kwargs={"slug": "counted"}))
    assert len(response.context["page"].items) == size


def test_the_tag_list_shows_tags_with_their_published_post_counts(client, author):
    _publish(author, "One", ["Django", "Rust"])
    _publish(author, "Two", ["Django"])
    services.create_post(author=author, title="Draft", tags=["Django", "Hidden"])
    body = client.get(reverse("blog:tags")).content.decode()
    assert re.search(r'href="/tags/django/">#Django</a> <span class="count">2 posts', body)
    assert re.search(r'href="/tags/rust/">#Rust</a> <span class="count">1 post<', body)
    assert "Hidden" not in body


def test_tags_are_linked_from_summaries_and_from_the_post(client, author):
    post = _publish(author, "Linked", ["Web Performance"])
    link = '<a class="tag" rel="tag" href="/tags/web-performance/">#Web Performance</a>'
    assert link in client.get(reverse("blog:home")).content.decode()
    assert link in client.get(post.get_absolute_url()).content.decode()
    assert link in client.get(author.get_absolute_url()).content.decode()


def test_tag_names_are_escaped_on_every_page(client, author):
    post = _publish(author, "Escaped", ["<b>bold</b> & co"])
    for url in (post.get_absolute_url(), reverse("blog:tags"), "/tags/bboldb-co/"):
        body = client.get(url).content.decode()
        assert "<b>bold</b>" not in body
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in body


def test_search_within_a_tag(client, author):
    _publish(author, "Findable django", ["django"])
    _publish(author, "Findable rust", ["rust"])
    response = client.get(reverse("blog:search"), {"q": "findable", "tag": "django"})
    body = response.content.decode()
    assert "Findable django" in body and "Findable rust" not in body
    overlong = client.get(reverse("blog:search"), {"q": "findable", "tag": "x" * 51})
    assert overlong.status_code == 400


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def test_the_editor_saves_comma_separated_tags_and_shows_them_again(author_client):
    response = author_client.post(
        reverse("blog:new-post"),
        {
            "title": "Tagged",
            "content": "Body",
            "tags": "Django,  web dev ,, django",
            "action": "save",
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert sorted(tag.name for tag in post.tags.all()) == ["Django", "web dev"]
    editor = author_client.get(reverse("blog:edit-post", kwargs={"post_id": post.id}))
    assert 'value="Django, web dev"' in editor.content.decode()
    author_client.post(
        reverse("blog:edit-post", kwargs={"post_id": post.id}),
        {"title": "Tagged", "content": "Body", "slug": post.slug, "tags": "", "action": "save"},
    )
    assert not post.tags.exists()


def test_an_editor_form_sent_without_the_tags_field_keeps_the_tags(author_client, author):
    post = services.create_post(author=author, title="Keeps", tags=["kept"])
    author_client.post(
        reverse("blog:edit-post", kwargs={"post_id": post.id}),
        {"title": "Keeps", "content": "Body", "slug": post.slug, "action": "save"},
    )
    assert [tag.slug for tag in post.tags.all()] == ["kept"]


def test_every_page_links_the_tag_list(client):
    assert '<a href="/tags/">Tags</a>' in client.get(reverse("blog:home")).content.decode()


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("x" * 10_000, "is longer than 50 characters"),
        (",".join(f"t{n}" for n in range(11)), "A post has at most 10 tags (11 given)."),
        ("ok, ???", "needs at least one letter or digit"),
        ("bad\x01tag", "A tag cannot contain control characters."),
    ],
)
def test_a_bad_tag_is_shown_on_the_tags_field_and_nothing_is_saved(author_client, tags, message):
    response = author_client.post(
        reverse("blog:new-post"), {"title": "Kept title", "content": "Body", "tags": tags}
    )
    body = response.content.decode()
    assert response.status_code == 400
    errors = re.search(
        r'<div class="errors" role="alert" id="id_tags-errors">(.*?)</div>', body, re.S
    )
    assert errors and message in errors.group(1)
    assert 'value="Kept title"' in body  # what the author typed is kept
    assert not Post.objects.exists() and not Tag.objects.exists()
