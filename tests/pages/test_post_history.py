"""The history page: the author (or staff) sees a post's revisions and a side-by-side diff,
marked and escaped, and restores one with a POST; nobody else sees or restores anything."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog import services
from blog.models import Post, PostRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def _history_url(post, revision=None):
    if revision is None:
        return reverse("blog:post-history", kwargs={"post_id": post.id})
    return reverse("blog:post-revision", kwargs={"post_id": post.id, "revision_id": revision.id})


def _restore_url(post, revision):
    return reverse("blog:restore-revision", kwargs={"post_id": post.id, "revision_id": revision.id})


def _revisions(post):
    return list(PostRevision.objects.filter(post=post).order_by("-saved_at", "-id"))


@pytest.fixture
def edited_post(author):
    """A draft saved twice: "Line one / Line two" became "Line one / Line 2 / Line three"."""
    post = services.create_post(author=author, title="Draft", content="Line one\nLine two\n")
    services.update_post(
        post=post, title="Draft, renamed", content="Line one\nLine 2\nLine three\n", saved_by=author
    )
    return post


def test_the_history_lists_who_saved_what_and_when(author_client, edited_post):
    response = author_client.get(_history_url(edited_post))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saved by Ada Author" in page and "Created by Ada Author" in page
    assert "Draft, renamed" in page
    assert page.count("<time datetime=") >= 2


def test_the_newest_revision_is_shown_against_the_one_before_with_marked_lines(
    author_client, edited_post
):
    page = author_client.get(_history_url(edited_post)).content.decode()
    # Marked by element and sign, not by colour alone.
    assert '<span class="visually-hidden">Removed: </span>Line two</del>' in page
    assert '<span class="visually-hidden">Added: </span>Line 2</ins>' in page
    assert '<span class="visually-hidden">Added: </span>Line three</ins>' in page
    assert "1 line removed, 2 lines added." in page
    assert "Removed: </span>Draft</del>" in page  # the title change too


def test_a_revision_can_be_compared_with_the_current_text(author_client, edited_post):
    first = _revisions(edited_post)[-1]
    response = author_client.get(_history_url(edited_post, first), {"against": "current"})
    page = response.content.decode()
    assert "The current text" in page
    assert "Removed: </span>Line two</del>" in page


def test_the_diff_is_escaped(author_client, author):
    post = services.create_post(author=author, title="<b>T</b>", content="safe")
    services.update_post(post=post, content="<script>alert(1)</script>", saved_by=author)
    page = author_client.get(_history_url(post)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_diff_past_the_line_cap_is_shown_whole_and_says_so(author_client, author, settings):
    settings.POST_REVISION_DIFF_MAX_LINES = 10
    post = services.create_post(
        author=author, title="Big", content="\n".join(f"old {n}" for n in range(20))
    )
    services.update_post(
        post=post, content="\n".join(f"new {n}" for n in range(20)), saved_by=author
    )
    page = author_client.get(_history_url(post)).content.decode()
    assert "too large to compare line by line" in page
    assert "20 lines removed, 20 lines added." in page


def test_restoring_a_revision_writes_it_back_and_keeps_the_text_before(author_client, edited_post):
    first = _revisions(edited_post)[-1]
    response = author_client.post(_restore_url(edited_post, first), follow=True)
    assert response.redirect_chain[-1][0] == _history_url(edited_post)
    assert "it is the newest now" in response.content.decode()
    stored = Post.objects.get(id=edited_post.id)
    assert (stored.title, stored.content) == ("Draft", "Line one\nLine two\n")
    kinds = [revision.kind for revision in _revisions(edited_post)]
    assert kinds == ["restored", "saved", "created"]


def test_the_current_revision_offers_no_restore(author_client, edited_post):
    page = author_client.get(_history_url(edited_post)).content.decode()
    assert "is the post\u2019s current text." in page
    assert "Restore this revision" not in page


def test_restoring_needs_the_csrf_token(author, edited_post):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    first = _revisions(edited_post)[-1]
    assert client.post(_restore_url(edited_post, first)).status_code == 403
    assert Post.objects.get(id=edited_post.id).title == "Draft, renamed"


def test_restoring_is_post_only(author_client, edited_post):
    first = _revisions(edited_post)[-1]
    assert author_client.get(_restore_url(edited_post, first)).status_code == 405
    assert Post.objects.get(id=edited_post.id).title == "Draft, renamed"


def test_a_revision_that_no_longer_exists_is_said_so_and_nothing_changes(
    author_client, edited_post
):
    first = _revisions(edited_post)[-1]
    PostRevision.objects.filter(id=first.id).delete()  # pruned meanwhile
    response = author_client.post(_restore_url(edited_post, first), follow=True)
    assert "That revision no longer exists; nothing was restored." in response.content.decode()
    assert Post.objects.get(id=edited_post.id).title == "Draft, renamed"
    assert author_client.get(_history_url(edited_post, first)).status_code == 404


def test_a_revision_of_another_post_is_not_restored_through_this_one(
    author_client, author, edited_post
):
    other = services.create_post(author=author, title="Other", content="Other text")
    other_revision = _revisions(other)[0]
    response = author_client.post(_restore_url(edited_post, other_revision), follow=True)
    assert "nothing was restored" in response.content.decode()
    assert Post.objects.get(id=edited_post.id).content == "Line one\nLine 2\nLine three\n"
    assert len(_revisions(edited_post)) == 2
    assert author_client.get(_history_url(edited_post, other_revision)).status_code == 404


def test_someone_elses_draft_history_is_not_found(client, stranger, edited_post):
    client.force_login(stranger)
    first = _revisions(edited_post)[-1]
    assert client.get(_history_url(edited_post)).status_code == 404
    assert client.post(_restore_url(edited_post, first)).status_code == 404
    assert Post.objects.get(id=edited_post.id).title == "Draft, renamed"


def test_someone_elses_published_post_history_is_forbidden_as_its_editor_is(
    client, stranger, author, edited_post
):
    services.update_post(post=edited_post, published=True)
    client.force_login(stranger)
    edit_status = client.get(reverse("blog:edit-post", kwargs={"post_id": edited_post.id}))
    first = _revisions(edited_post)[-1]
    assert client.get(_history_url(edited_post)).status_code == edit_status.status_code == 403
    assert client.post(_restore_url(edited_post, first)).status_code == 403
    assert Post.objects.get(id=edited_post.id).title == "Draft, renamed"


def test_signed_out_visitors_are_sent_to_sign_in(client, edited_post):
    response = client.get(_history_url(edited_post))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_staff_see_and_restore_any_post(client, editor, edited_post):
    client.force_login(editor)
    assert client.get(_history_url(edited_post)).status_code == 200
    first = _revisions(edited_post)[-1]
    client.post(_restore_url(edited_post, first))
    assert _revisions(edited_post)[0].saved_by == editor


def test_the_editor_and_the_dashboard_link_to_the_history(author_client, edited_post):
    history = _history_url(edited_post)
    editor_page = author_client.get(reverse("blog:edit-post", kwargs={"post_id": edited_post.id}))
    assert f'href="{history}"' in editor_page.content.decode()
    dashboard = author_client.get(reverse("blog:dashboard"))
    assert f'href="{history}"' in dashboard.content.decode()


@pytest.mark.parametrize("revisions", [2, 40])
def test_the_history_page_costs_the_same_queries_at_any_length(author_client, author, revisions):
    post = services.create_post(author=author, title="Long", content="0")
    for number in range(1, revisions):
        services.update_post(post=post, content=f"{number}\n" * 50, saved_by=author)
    with CaptureQueriesContext(connection) as queries:
        response = author_client.get(_history_url(post))
    assert response.status_code == 200
    # session; user; the post and its tags; a page of revisions with who saved them; the
    # newest one; the one before it
    assert len(queries) == 7
