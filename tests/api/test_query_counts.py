"""Every procedure runs a fixed number of queries, whatever the page or thread size."""

import pytest

from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [1, 20])
def test_post_list_is_one_query_at_any_page_size(trpc, django_assert_num_queries, size):
    for post in PostFactory.create_batch(size):
        CommentFactory(post=post)
    # posts + authors (join) + comment counts (aggregate) + tags (aggregate)
    with django_assert_num_queries(1):
        answer = trpc.query("post.list", {"limit": size})
    assert len(answer.data["items"]) == size


@pytest.mark.parametrize("size", [1, 20])
def test_search_is_one_query_at_any_page_size(trpc, django_assert_num_queries, size):
    PostFactory.create_batch(size, title="Findable")
    with django_assert_num_queries(2):  # matches with authors and comment counts; their tags
        answer = trpc.query("post.search", {"query": "findable", "limit": size})
    assert len(answer.data["items"]) == size


@pytest.mark.parametrize("size", [1, 30])
def test_comment_list_is_two_queries_at_any_thread_size(trpc, django_assert_num_queries, size):
    post = PostFactory()
    parent = None
    for _ in range(size):
        parent = CommentFactory(post=post, parent=parent)
    with django_assert_num_queries(2):  # the post (visibility), then the whole thread + authors
        answer = trpc.query("comment.list", {"postId": str(post.id)})
    assert answer.status == 200


def test_post_create_queries_do_not_depend_on_content(as_user, author, django_assert_num_queries):
    caller = as_user(author)
    caller.query("user.me")  # the session and user are loaded once per request from here on
    # session; user; slug check; insert; its first revision; re-read with counts, and its
    # tags; and 3 savepoints opened and released (the procedure's transaction, the service's,
    # the insert's; inside the test's)
    with django_assert_num_queries(13):
        caller.mutate("post.create", {"title": "One", "content": "x"})
    with django_assert_num_queries(13):
        caller.mutate("post.create", {"title": "Two", "content": "y" * 100_000})


def test_comment_list_of_200_comments_is_two_queries(trpc, django_assert_num_queries):
    post = PostFactory()
    roots = CommentFactory.create_batch(100, post=post)
    for root in roots:
        CommentFactory(post=post, parent=root)
    with django_assert_num_queries(2):  # the post (visibility), then the whole thread + authors
        answer = trpc.query("comment.list", {"postId": str(post.id)})
    assert len(answer.data) == 100


@pytest.mark.parametrize(("content_size", "comments"), [(1, 1), (200_000, 30)])
@pytest.mark.parametrize("procedure", ["post.bySlug", "post.byId"])
def test_an_uncached_post_is_a_read_and_a_count_at_any_size(
    trpc, settings, django_assert_num_queries, procedure, content_size, comments
):
    settings.PUBLIC_READ_CACHE_SECONDS = 0
    settings.VIEW_COUNT_FLUSH_SECONDS = 0  # each view an UPDATE at once
    post = PostFactory(content="x" * content_size)
    CommentFactory.create_batch(comments, post=post)
    given = {"slug": post.slug} if procedure == "post.bySlug" else {"id": str(post.id)}
    # the post with author and counts; its tags; UPDATE view_count
    with django_assert_num_queries(3):
        answer = trpc.query(procedure, given)
    assert answer.data["commentCount"] == comments
