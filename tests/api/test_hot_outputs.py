"""The hot outputs built from rows (blog.outputs) are byte for byte what their declared DRF
serializers write, in plain JSON and in SuperJSON, on varied data."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from api import superjson, trpc
from api.registry import get_procedure
from blog import outputs, selectors
from blog.models import Comment, Post, PostTag, Tag
from blog.serializers import CommentListOutput, PostListOutput, PostOutput
from tests.comment_chains import store_reply_chain
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
MOMENTS = [
    datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1999, 12, 31, 0, 0, 0, 0, tzinfo=UTC),
    datetime(2024, 3, 1, 12, 30, 0, 1000, tzinfo=UTC),
]


def _wire(data: object) -> list[bytes]:
    """The data as each transformer writes it."""
    return [trpc.dumps(superjson.serialize(data)), trpc.dumps(superjson.to_plain_json(data))]


def _at(model, row_id, moment):
    model.objects.filter(id=row_id).update(created_at=moment, updated_at=moment + timedelta(1))


@pytest.fixture
def varied_posts():
    """Posts by authors with and without names and avatars, unicode and escapes in the text,
    comment counts of 0, live and deleted, a draft, a row the services never rendered, and
    tags whose names need escaping."""
    nameless = UserFactory(name="", avatar_url="https://example.com/a.png?x=1&y=\u00e9")
    zoe = UserFactory(name="Zoë “Ünïcode” ✓ \U0001f600")
    posts = [
        PostFactory(author=nameless, title='Line\nbreak "quoted" \\ back', excerpt=""),
        PostFactory(author=zoe, title="\u2028separator\u2029 and \x1f control", excerpt="é"),
        PostFactory(author=zoe, content="# Heading\n\n<script>x</script> *it*", excerpt="x"),
        PostFactory(author=nameless, published=False),
    ]
    CommentFactory.create_batch(3, post=posts[1])
    CommentFactory(post=posts[1], is_deleted=True)
    for post, moment in zip(posts, MOMENTS * 2, strict=False):
        _at(Post, post.id, moment)
    Post.objects.filter(id=posts[2].id).update(content_html=None)
    for slug, name in [("zoe", "Zoë “quoted” \U0001f600"), ("a-b", 'A\\B "c"')]:
        tag = Tag.objects.create(name=name, slug=slug)
        for post in posts[1:]:
            PostTag.objects.create(post=post, tag=tag, published_at=post.published_at)
    return posts


def test_the_post_list_builder_writes_what_post_list_output_writes(varied_posts):
    for cursor in (None, selectors.post_page(viewer=ANONYMOUS, limit=1).next_cursor):
        declared = PostListOutput(
            selectors.post_page(viewer=ANONYMOUS, limit=2, cursor=cursor)
        ).data
        built = outputs.post_list(selectors.post_row_page(viewer=ANONYMOUS, limit=2, cursor=cursor))
        assert _wire(built.value) == _wire(declared)
    everything = selectors.post_row_page(viewer=ANONYMOUS, limit=50)
    assert _wire(outputs.post_list(everything).value) == _wire(
        PostListOutput(selectors.post_page(viewer=ANONYMOUS, limit=50)).data
    )


def test_the_post_list_builder_matches_on_drafts_and_empty_pages(varied_posts):
    owner = varied_posts[3].author
    for viewer in (owner, ANONYMOUS):
        declared = PostListOutput(
            selectors.post_page(viewer=viewer, limit=20, published=False)
        ).data
        rows = selectors.post_row_page(viewer=viewer, limit=20, published=False)
        assert _wire(outputs.post_list(rows).value) == _wire(declared)


def test_the_post_builder_writes_what_post_output_writes(varied_posts):
    for post in varied_posts[:3]:
        declared = PostOutput(selectors.post_for_viewer(viewer=ANONYMOUS, slug=post.slug)).data
        built = outputs.post_detail(selectors.post_to_show(viewer=ANONYMOUS, slug=post.slug))
        assert _wire(built.value) == _wire(declared)
    draft = varied_posts[3]
    declared = PostOutput(selectors.post_for_viewer(viewer=draft.author, post_id=draft.id)).data
    built = outputs.post_detail(selectors.post_to_show(viewer=draft.author, post_id=draft.id))
    assert _wire(built.value) == _wire(declared)


def _both_trees(post):
    declared = CommentListOutput(selectors.comment_tree(post=post)).data
    built = outputs.comment_list(selectors.comment_rows(viewer=ANONYMOUS, post_id=post.id))
    return _wire(built.value), _wire(declared)


def test_the_comment_builder_writes_what_comment_list_output_writes(settings):
    settings.COMMENT_MAX_DEPTH = 3
    post = PostFactory()
    nameless = UserFactory(name="", avatar_url="https://example.com/🙂.png")
    first = CommentFactory(post=post, content='Root «one» \u2028 "q" \\', author=nameless)
    reply = CommentFactory(post=post, parent=first, content="Réponse ✓", is_deleted=True)
    CommentFactory(post=post, parent=reply, content="under a placeholder")
    CommentFactory(post=post, content="second thread")
    store_reply_chain(post=post, author=nameless, length=7)  # deeper than the cap
    for comment, moment in zip(
        Comment.objects.filter(post=post), MOMENTS * 5, strict=False
    ):  # same instants: the id orders them
        _at(Comment, comment.id, moment)
    built, declared = _both_trees(post)
    assert built == declared
    assert b'"parentId":null' in built[1] and b'"replies":[]' in built[1]


def test_the_comment_builder_matches_a_reply_older_than_its_parent_and_a_cycle():
    post = PostFactory()
    parent = CommentFactory(post=post)
    older_reply = CommentFactory(post=post, parent=parent)
    _at(Comment, older_reply.id, datetime(2000, 1, 1, tzinfo=UTC))
    first, second = uuid.uuid4(), uuid.uuid4()
    Comment.objects.bulk_create(
        [
            Comment(id=first, post=post, author=parent.author, parent_id=second, content="a"),
            Comment(id=second, post=post, author=parent.author, parent_id=first, content="b"),
        ]
    )
    built, declared = _both_trees(post)
    assert built == declared


def test_the_comment_builder_matches_a_post_without_comments():
    built, declared = _both_trees(PostFactory())
    assert built == declared == [b'{"json":[]}', b"[]"]


def test_the_declared_output_types_stay_the_drf_serializers():
    assert get_procedure("post.list").output is PostListOutput
    assert get_procedure("post.bySlug").output is PostOutput
    assert get_procedure("post.byId").output is PostOutput
    assert get_procedure("comment.list").output is CommentListOutput
