"""Tags through the API: post.create/update take names, every post output carries its tags,
post.list and post.search filter by a tag's slug, and tag.search suggests tags by prefix."""

import pytest

from blog import services
from blog.models import Post, Tag

pytestmark = pytest.mark.django_db


def _publish(author, title, tags):
    return services.create_post(author=author, title=title, tags=tags, published=True)


def test_post_create_files_the_post_and_answers_with_its_tags(as_user, author):
    answer = as_user(author).mutate(
        "post.create", {"title": "Tagged", "tags": ["Django", "web dev"], "published": True}
    )
    assert answer.data["tags"] == [
        {"name": "Django", "slug": "django"},
        {"name": "web dev", "slug": "web-dev"},
    ]


def test_post_update_replaces_the_tags_in_its_answer(as_user, author):
    post = services.create_post(author=author, title="Retag", tags=["old"])
    caller = as_user(author)
    answer = caller.mutate("post.update", {"id": str(post.id), "tags": ["new", "newer"]})
    assert [tag["slug"] for tag in answer.data["tags"]] == ["new", "newer"]
    by_id = caller.query("post.byId", {"id": str(post.id)}).data
    assert [tag["slug"] for tag in by_id["tags"]] == ["new", "newer"]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["x" * 10_000], "longer than 50 characters"),
        ([f"t{n}" for n in range(11)], "at most 10 tags"),
        (["???"], "at least one letter or digit"),
        (["a\x01b"], "control characters"),
    ],
)
def test_a_bad_tag_is_a_field_error_and_nothing_is_saved(as_user, author, tags, message):
    post = services.create_post(author=author, title="Before", tags=["kept"])
    caller = as_user(author)
    created = caller.mutate("post.create", {"title": "Never", "tags": tags})
    updated = caller.mutate("post.update", {"id": str(post.id), "title": "After", "tags": tags})
    for answer in (created, updated):
        assert answer.status == 400
        assert answer.code == "BAD_REQUEST"
        assert message in answer.error["data"]["fieldErrors"]["tags"][0]
    assert list(Post.objects.values_list("title", flat=True)) == ["Before"]
    assert list(Tag.objects.values_list("slug", flat=True)) == ["kept"]


@pytest.mark.parametrize("tags", ["django", [1, 2], ["ok"] * 101, [None]])
def test_tags_of_the_wrong_shape_are_refused(as_user, author, tags):
    answer = as_user(author).mutate("post.create", {"title": "Shape", "tags": tags})
    assert answer.code == "BAD_REQUEST"
    assert "tags" in answer.error["data"]["fieldErrors"]
    assert not Post.objects.exists()


def test_post_list_and_search_filter_by_tag(trpc, author):
    django = _publish(author, "Findable one", ["django"])
    _publish(author, "Findable two", ["rust"])
    older_django = _publish(author, "Findable three", ["django", "rust"])
    listed = trpc.query("post.list", {"tag": "django"}).data["items"]
    assert [item["id"] for item in listed] == [str(older_django.id), str(django.id)]
    found = trpc.query("post.search", {"query": "findable", "tag": "rust"}).data["items"]
    assert {item["title"] for item in found} == {"Findable two", "Findable three"}
    assert trpc.query("post.list", {"tag": "nothing-here"}).data["items"] == []


def test_post_list_by_tag_pages_through_with_its_cursor(trpc, author):
    posts = [_publish(author, f"Post {n}", ["paged"]) for n in range(5)]
    _publish(author, "Other", ["elsewhere"])
    first = trpc.query("post.list", {"tag": "paged", "limit": 3}).data
    second = trpc.query(
        "post.list", {"tag": "paged", "limit": 3, "cursor": first["nextCursor"]}
    ).data
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == [str(post.id) for post in reversed(posts)]
    assert second["nextCursor"] is None


@pytest.mark.parametrize("size", [1, 20])
def test_post_list_by_tag_is_one_query_at_any_page_size(
    trpc, author, django_assert_num_queries, size
):
    for n in range(size):
        _publish(author, f"Post {n}", ["counted", f"own-{n}"])
    # posts (the tag's id an InitPlan) + authors + comment counts + tags (aggregate)
    with django_assert_num_queries(1):
        answer = trpc.query("post.list", {"tag": "counted", "limit": size})
    assert len(answer.data["items"]) == size
    assert all(len(item["tags"]) == 2 for item in answer.data["items"])


def test_tag_search_suggests_by_prefix_bounded_and_by_slug(trpc, author):
    for name in ["Django", "Django REST", "Docker", "Rust"] + [f"dj{n}" for n in range(25)]:
        _publish(author, f"About {name}", [name])
    names = [tag["name"] for tag in trpc.query("tag.search", {"prefix": "Djan"}).data]
    assert names == ["Django", "Django REST"]
    names = [tag["name"] for tag in trpc.query("tag.search", {"prefix": "#django r"}).data]
    assert names == ["Django REST"]
    assert len(trpc.query("tag.search", {"prefix": "dj", "limit": 20}).data) == 20
    assert trpc.query("tag.search", {"prefix": "!!"}).data == []
    assert trpc.query("tag.search", {"prefix": "a,b"}).data == []
    assert trpc.query("tag.search", {"prefix": "dj", "limit": 21}).code == "BAD_REQUEST"
    assert trpc.query("tag.search", {"prefix": "x" * 51}).code == "BAD_REQUEST"


def test_a_tag_only_someone_elses_draft_carries_is_never_suggested(trpc, as_user, author, reader):
    services.create_post(author=author, title="Secret draft", tags=["secret-project"])
    assert trpc.query("tag.search", {"prefix": "secret"}).data == []
    assert as_user(reader).query("tag.search", {"prefix": "secret"}).data == []
    # Its author sees their own draft's tag.
    mine = as_user(author).query("tag.search", {"prefix": "secret"}).data
    assert mine == [{"name": "secret-project", "slug": "secret-project"}]
    assert trpc.query("post.list", {"tag": "secret-project"}).data["items"] == []


def test_the_cached_first_page_shows_tags_changed_a_moment_ago(
    trpc, as_user, author, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_READ_CACHE_SECONDS = 60
    post = _publish(author, "Cached", ["before"])
    assert trpc.query("post.list").data["items"][0]["tags"][0]["slug"] == "before"
    assert trpc.query("post.bySlug", {"slug": post.slug}).data["tags"][0]["slug"] == "before"
    with django_capture_on_commit_callbacks(execute=True):  # the update commits
        as_user(author).mutate("post.update", {"id": str(post.id), "tags": ["after"]})
    assert trpc.query("post.list").data["items"][0]["tags"] == [{"name": "after", "slug": "after"}]
    assert trpc.query("post.bySlug", {"slug": post.slug}).data["tags"][0]["slug"] == "after"
