"""Downloading everything one wrote: posts as Markdown with YAML front matter, comments and the
profile as JSON, in one zip built while it is sent, in bounded memory, and only ever one's own."""

import io
import json
import math
import tracemalloc
import zipfile

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog import account_data
from blog.account_export import zip_parts
from blog.models import Post
from tests.factories import CommentFactory, PostFactory


def _download(client: Client, url: str = "/profile/export/") -> zipfile.ZipFile:
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"].startswith('attachment; filename="inkwell-export-')
    assert answer["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))


def _front_matter(text: str) -> tuple[dict, str]:
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


@pytest.mark.django_db
def test_export_holds_posts_as_markdown_with_front_matter_and_drafts_too(client, author):
    PostFactory(
        author=author,
        title='Quotes "and": colons, # hashes — ünïcode',
        slug="tricky",
        content="# Heading\n\n**bold**",
    )
    PostFactory(author=author, title="Unfinished", slug="unfinished", published=False)
    client.force_login(author)

    archive = _download(client)

    meta, body = _front_matter(archive.read("posts/tricky.md").decode())
    assert meta["title"] == 'Quotes "and": colons, # hashes — ünïcode'
    assert (meta["slug"], meta["published"]) == ("tricky", True)
    assert {"created", "updated", "published_at", "excerpt"} <= set(meta)
    assert body == "\n# Heading\n\n**bold**\n"
    draft, _ = _front_matter(archive.read("posts/unfinished.md").decode())
    assert (draft["published"], draft["published_at"]) == (False, None)
    profile = json.loads(archive.read("profile.json"))
    assert (profile["email"], profile["name"]) == (author.email, author.name)


@pytest.mark.django_db
def test_export_holds_the_users_comments_and_no_one_elses(client, author, reader, stranger):
    readers_post = PostFactory(author=reader, title="Reader's post")
    mine = CommentFactory(post=readers_post, author=author, content="My words")
    CommentFactory(post=readers_post, author=reader, content="Not mine")
    PostFactory(author=reader, title="Reader's own post", slug="readers-own")
    PostFactory(author=stranger, title="Stranger's draft", slug="strangers-draft", published=False)
    client.force_login(author)

    # Another user's id in the address changes nothing: the export takes none.
    archive = _download(client, f"/profile/export/?user={reader.id}&user_id={reader.id}")

    comments = json.loads(archive.read("comments.json"))
    assert [(c["id"], c["content"], c["postTitle"]) for c in comments] == [
        (str(mine.id), "My words", "Reader's post")
    ]
    assert [name for name in archive.namelist() if name.startswith("posts/")] == []
    assert json.loads(archive.read("profile.json"))["email"] == author.email


@pytest.mark.django_db
def test_a_comment_on_a_post_now_a_draft_does_not_reveal_the_post(client, author, reader):
    hidden = PostFactory(author=reader, title="Secret now", slug="secret-now")
    CommentFactory(post=hidden, author=author, content="I said this")
    Post.objects.filter(pk=hidden.pk).update(published=False, published_at=None)
    client.force_login(author)

    (comment,) = json.loads(_download(client).read("comments.json"))

    assert comment["content"] == "I said this"
    assert (comment["postTitle"], comment["postSlug"]) == (None, None)


@pytest.mark.django_db
def test_export_needs_a_signed_in_user(client):
    answer = client.get("/profile/export/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_large_export_streams_in_bounded_memory_and_queries_per_batch(author, reader):
    posts, words = 2000, "lorem ipsum dolor sit amet " * 200  # ~5.4 kB each, ~10.8 MB in all
    Post.objects.bulk_create(
        Post(author=author, title=f"Post {n}", slug=f"post-{n}", content=words, published=False)
        for n in range(posts)
    )
    on = PostFactory(author=reader)
    comments = 450
    for _ in range(comments):
        CommentFactory(post=on, author=author, content=words[:500])

    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        sizes = [len(part) for part in zip_parts(user=author)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # One query per batch of posts and of comments, and one more each to find the end.
    batches = math.ceil(posts / account_data.BATCH_SIZE) + math.ceil(
        comments / account_data.BATCH_SIZE
    )
    assert len(queries) == batches + 2
    assert sum(sizes) > 100_000
    # Well under the 10.8 MB of content: one batch of rows (~1.1 MB of content, with its model
    # instances) and one zip entry are held at a time, whatever the number of posts.
    assert peak < 4_000_000
    assert max(sizes) < 200_000
