"""Every save through the services that changes a post's text keeps a revision: autosaves by
one person coalesce, the oldest beyond the setting are pruned, and restoring is itself a
revision written as any update is."""

from datetime import timedelta

import pytest
from django.db.models import F

from blog import services
from blog.models import Post, PostRevision
from lib.errors import Conflict, NotFound
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _history(post: Post) -> list[tuple[str, str, str]]:
    """(kind, title, content) of the post's revisions, newest first."""
    return list(
        PostRevision.objects.filter(post=post)
        .order_by("-saved_at", "-id")
        .values_list("kind", "title", "content")
    )


def _newest(post: Post) -> PostRevision:
    return PostRevision.objects.filter(post=post).order_by("-saved_at", "-id")[0]


def test_a_new_post_starts_its_history_with_who_wrote_what(author):
    post = services.create_post(author=author, title="First", content="Hello *world*.")
    revision = _newest(post)
    assert (revision.kind, revision.title, revision.content) == (
        "created",
        "First",
        "Hello *world*.",
    )
    assert revision.saved_by == author
    assert revision.excerpt == post.excerpt


def test_a_save_that_changes_the_text_keeps_a_revision_by_whoever_saved_it(author, editor):
    post = services.create_post(author=author, title="First", content="One.")
    services.update_post(post=post, content="Two.", saved_by=editor)
    assert _history(post) == [("saved", "First", "Two."), ("created", "First", "One.")]
    assert _newest(post).saved_by == editor


@pytest.mark.parametrize(
    "change",
    [
        {"published": True},
        {"title": "First", "content": "One."},  # the same text again
    ],
)
def test_a_save_that_leaves_the_text_alone_keeps_no_revision(author, change):
    post = services.create_post(author=author, title="First", content="One.")
    services.update_post(post=post, saved_by=author, **change)
    assert len(_history(post)) == 1


def test_a_changed_excerpt_alone_is_a_revision(author):
    post = services.create_post(author=author, title="First", content="One.")
    services.update_post(post=post, excerpt="A teaser.", saved_by=author)
    assert _newest(post).excerpt == "A teaser."


def _autosave(post, author, content, title="First"):
    return services.autosave_post(
        author=author,
        post=post,
        title=title,
        content=content,
        excerpt="",
        base_revision_id=_newest(post).id,
    )


def test_consecutive_autosaves_by_one_person_are_one_revision(author):
    post = services.create_post(author=author, title="First", content="")
    for typed in ("H", "He", "Hel", "Hello"):
        _autosave(post, author, typed)
    assert _history(post) == [("autosaved", "First", "Hello"), ("created", "First", "")]


def test_an_autosave_after_the_coalescing_window_starts_a_new_revision(author, settings):
    settings.POST_REVISION_COALESCE_SECONDS = 60
    post = services.create_post(author=author, title="First", content="")
    _autosave(post, author, "Morning words")
    # A minute and a second pass.
    PostRevision.objects.filter(post=post).update(saved_at=F("saved_at") - timedelta(seconds=61))
    _autosave(post, author, "Afternoon words")
    assert [row[2] for row in _history(post)] == ["Afternoon words", "Morning words", ""]


def test_a_manual_save_between_autosaves_keeps_them_apart(author):
    post = services.create_post(author=author, title="First", content="")
    _autosave(post, author, "Draft one")
    services.update_post(post=post, content="Saved", saved_by=author)
    _autosave(post, author, "Draft two")
    assert [row[0] for row in _history(post)] == ["autosaved", "saved", "autosaved", "created"]


def test_another_persons_autosave_does_not_coalesce_into_the_authors(author, editor):
    post = services.create_post(author=author, title="First", content="")
    _autosave(post, author, "Author's words")
    _autosave(post, editor, "Editor's words")
    assert [row[2] for row in _history(post)] == ["Editor's words", "Author's words", ""]


def test_only_the_newest_revisions_are_kept(author, settings):
    settings.POST_REVISIONS_KEPT = 3
    post = services.create_post(author=author, title="First", content="0")
    for number in range(1, 6):
        services.update_post(post=post, content=str(number), saved_by=author)
    assert [row[2] for row in _history(post)] == ["5", "4", "3"]


def test_retention_is_per_post(author, settings):
    settings.POST_REVISIONS_KEPT = 2
    first = services.create_post(author=author, title="First", content="a")
    second = services.create_post(author=author, title="Second", content="b")
    for number in range(3):
        services.update_post(post=second, content=str(number), saved_by=author)
    assert len(_history(first)) == 1
    assert len(_history(second)) == 2


def test_restoring_writes_the_old_text_back_as_a_new_revision(
    author, django_capture_on_commit_callbacks
):
    post = services.create_post(
        author=author,
        title="Old title",
        content="Old **text**.",
        excerpt="Old teaser",
        published=True,
    )
    old = _newest(post)
    services.update_post(
        post=post, title="New title", content="New text.", excerpt="", saved_by=author
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.restore_revision(post=post, revision=old, restored_by=author)
    stored = Post.objects.get(id=post.id)
    assert (stored.title, stored.content, stored.excerpt) == (
        "Old title",
        "Old **text**.",
        "Old teaser",
    )
    assert "<strong>text</strong>" in stored.content_html  # rendered like any update
    assert stored.slug == post.slug
    assert [row[0] for row in _history(post)] == ["restored", "saved", "created"]
    assert callbacks  # announced to readers, as any update of a published post is


def test_a_revision_of_another_post_is_not_restored(author):
    post = services.create_post(author=author, title="Mine", content="Mine.")
    other = services.create_post(author=author, title="Other", content="Other.")
    with pytest.raises(NotFound):
        services.restore_revision(post=post, revision=_newest(other), restored_by=author)
    assert Post.objects.get(id=post.id).content == "Mine."
    assert len(_history(post)) == 1


def test_the_first_autosave_of_a_new_post_makes_a_draft(author):
    post, revision = services.autosave_post(
        author=author, post=None, title="Typed", content="So far", excerpt="", base_revision_id=None
    )
    assert not post.published
    assert (revision.post_id, revision.kind) == (post.id, "created")
    assert Post.objects.get(id=post.id).content == "So far"


def test_a_stale_autosave_is_refused_and_changes_nothing(author):
    post = services.create_post(author=author, title="First", content="One.")
    stale_base = _newest(post).id
    services.update_post(post=post, content="Saved in another tab.", saved_by=author)
    with pytest.raises(Conflict):
        services.autosave_post(
            author=author,
            post=post,
            title="First",
            content="Typed here.",
            excerpt="",
            base_revision_id=stale_base,
        )
    assert Post.objects.get(id=post.id).content == "Saved in another tab."
    assert len(_history(post)) == 2


def test_a_published_post_is_not_autosaved(author):
    post = PostFactory(author=author, title="Live", content="Public text.")
    with pytest.raises(Conflict):
        services.autosave_post(
            author=author,
            post=post,
            title="Live",
            content="Half-typ",
            excerpt="",
            base_revision_id=None,
        )
    assert Post.objects.get(id=post.id).content == "Public text."


def test_an_autosave_from_another_tab_on_a_coalesced_revision_is_stale(author):
    post = services.create_post(author=author, title="First", content="")
    _, first_tab = _autosave(post, author, "Typed in the first tab")
    second_tab_base = first_tab.id  # the second tab loaded the post now
    _autosave(post, author, "The first tab typed on")
    with pytest.raises(Conflict):
        services.autosave_post(
            author=author,
            post=post,
            title="First",
            content="Typed in the second tab",
            excerpt="",
            base_revision_id=second_tab_base,
        )
    assert Post.objects.get(id=post.id).content == "The first tab typed on"
