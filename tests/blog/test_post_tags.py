"""Authors file posts under tags: new names become tags, names that slugify alike are one tag,
and bad names are refused on the tags field with nothing saved."""

import pytest

from blog import services
from blog.models import Post, PostTag, Tag
from lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _tag_names(post: Post) -> list[str]:
    return [tag.name for tag in Tag.objects.filter(posts=post).order_by("slug")]


def test_a_new_post_is_filed_under_new_and_existing_tags(author, reader):
    services.create_post(author=reader, title="Earlier", tags=["Django"], published=True)
    post = services.create_post(author=author, title="Hello", tags=["django", " Web  Performance "])
    assert _tag_names(post) == ["Django", "Web Performance"]
    assert Tag.objects.count() == 2  # "django" is the tag "Django" already was
    assert Tag.objects.get(slug="web-performance").name == "Web Performance"


def test_names_that_slugify_alike_are_one_tag_and_blanks_are_ignored(author):
    post = services.create_post(author=author, title="Dupes", tags=["Python", "python", "", "  "])
    assert _tag_names(post) == ["Python"]
    assert PostTag.objects.filter(post=post).count() == 1


def test_language_signs_are_spelled_out_and_a_leading_hash_is_dropped(author):
    post = services.create_post(author=author, title="Langs", tags=["C++", "C#", "#django", "C"])
    slugs = sorted(Tag.objects.filter(posts=post).values_list("slug", flat=True))
    assert slugs == ["c", "c-plus-plus", "c-sharp", "django"]
    assert Tag.objects.get(slug="django").name == "django"


def test_updating_tags_replaces_them_and_keeps_the_others_untouched(author):
    post = services.create_post(author=author, title="Swap", tags=["a1", "b2"])
    services.update_post(post=post, tags=["b2", "c3"])
    assert _tag_names(post) == ["b2", "c3"]
    services.update_post(post=post, title="Renamed")  # no tags given: they stay
    assert _tag_names(post) == ["b2", "c3"]
    services.update_post(post=post, tags=[])
    assert _tag_names(post) == []


def test_a_filing_is_listed_while_the_post_is_published_only(author):
    post = services.create_post(author=author, title="Draft first", tags=["later"])
    assert PostTag.objects.get(post=post).published_at is None
    services.update_post(post=post, published=True)
    post.refresh_from_db()
    assert PostTag.objects.get(post=post).published_at == post.published_at
    services.update_post(post=post, published=False)
    assert PostTag.objects.get(post=post).published_at is None
    services.update_post(post=post, published=True)  # published again: its first time kept
    assert PostTag.objects.get(post=post).published_at == post.published_at


BAD_TAGS = [
    (["x" * 10_000], "longer than 50 characters"),
    (["x" * 51], "longer than 50 characters"),
    ([f"tag{n}" for n in range(11)], "at most 10 tags"),
    (["!!!"], "at least one letter or digit"),
    (["##"], "“##” needs at least one letter or digit"),
    (["日本語"], "at least one letter or digit"),
    (["bad\x00tag"], "control characters"),
    (["bell\x07"], "control characters"),
    (["one, two"], "contains a comma"),
    (["\ufb03" * 20], "too long an address"),  # the ligature "ffi" spells out three letters
]


@pytest.mark.parametrize(("tags", "message"), BAD_TAGS)
def test_a_bad_tag_is_refused_on_the_tags_field_and_no_post_is_saved(author, tags, message):
    with pytest.raises(InvalidInput) as refused:
        services.create_post(author=author, title="Never saved", tags=tags)
    assert list(refused.value.field_errors) == ["tags"]
    assert message in refused.value.field_errors["tags"][0]
    assert not Post.objects.exists()
    assert not Tag.objects.exists()


@pytest.mark.parametrize(("tags", "message"), BAD_TAGS)
def test_a_bad_tag_on_update_changes_nothing(author, tags, message):
    post = services.create_post(author=author, title="Kept", tags=["kept"])
    with pytest.raises(InvalidInput):
        services.update_post(post=post, title="Changed", tags=tags)
    post.refresh_from_db()
    assert post.title == "Kept"
    assert _tag_names(post) == ["kept"]
    assert list(Tag.objects.values_list("slug", flat=True)) == ["kept"]


def test_the_limit_of_tags_per_post_is_a_setting(author, settings):
    settings.TAGS_PER_POST_MAX = 2
    with pytest.raises(InvalidInput):
        services.create_post(author=author, title="Three", tags=["a1", "b2", "c3"])
    post = services.create_post(author=author, title="Two", tags=["a1", "b2", "A1"])
    assert _tag_names(post) == ["a1", "b2"]


def test_a_tag_only_someone_elses_draft_carries_takes_the_writers_spelling(author, stranger):
    services.create_post(author=stranger, title="Secret", tags=["Project X!"])
    mine = services.create_post(author=author, title="Mine", tags=["project x"])
    # The writer sees their own spelling, not the one hidden in another's draft.
    assert _tag_names(mine) == ["project x"]


def test_a_public_tag_keeps_its_spelling(author, stranger):
    services.create_post(author=stranger, title="Public", tags=["Django"], published=True)
    mine = services.create_post(author=author, title="Mine", tags=["DJANGO"])
    assert _tag_names(mine) == ["Django"]


def test_an_editor_corrects_a_tags_spelling_but_not_its_address(author):
    services.create_post(author=author, title="Typo", tags=["javascript"])
    tag = Tag.objects.get()
    services.rename_tag(tag=tag, name="JavaScript")
    assert Tag.objects.get().name == "JavaScript"
    with pytest.raises(InvalidInput) as refused:
        services.rename_tag(tag=tag, name="TypeScript")
    assert "keep the address" in refused.value.field_errors["name"][0]
    with pytest.raises(InvalidInput) as refused:
        services.rename_tag(tag=tag, name="java\x00script")
    assert refused.value.field_errors["name"] == ["A tag cannot contain control characters."]
    assert Tag.objects.get().name == "JavaScript"
