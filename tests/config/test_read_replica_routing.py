"""With DATABASE_REPLICA_URLS, reads without credentials come from the replica and everyone who
could expect to see their own writes reads the primary: a real Daphne on two real PostgreSQL
databases, the "replica" a copy of the primary taken before an edit (a replica that lags)."""

import json
import os
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
import requests

from tests.live_server import Site, fresh_postgres_database

pytestmark = pytest.mark.postgres

OLD_TITLE = "Title as the replica still has it"
NEW_TITLE = "Title after the edit"


def _copy_database(database_url: str, *, suffix: str) -> str:
    """A new database ``<name>_<suffix>`` holding what ``database_url``'s holds now; its URL."""
    parts = urlsplit(database_url)
    source = parts.path.lstrip("/")
    name = f"{source}_{suffix}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _view_count(database_url: str, slug: str) -> int:
    with psycopg.connect(database_url) as db:
        row = db.execute("SELECT view_count FROM blog_post WHERE slug = %s", [slug]).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    primary = fresh_postgres_database(os.environ["DATABASE_URL"], suffix="replica_routing")
    site = Site(tmp_path_factory.mktemp("replica-routing"), DEBUG="true", DATABASE_URL=primary)
    [token] = site.tokens("author@replica.example")
    site.author_token = token
    site.slug, site.author_id = site.shell(
        "from accounts.models import User\n"
        "from blog.services import create_post\n"
        "author = User.objects.get(email='author@replica.example')\n"
        f"post = create_post(author=author, title={OLD_TITLE!r}, content='Body.', published=True)\n"
        "print(post.slug, author.id)"
    ).split()
    site.primary = primary
    site.replica = _copy_database(primary, suffix="replica")
    site.shell(f"from blog.models import Post; Post.objects.update(title={NEW_TITLE!r})")
    site.env["DATABASE_REPLICA_URLS"] = site.replica
    with site.daphne() as server:
        site.url = server.http_url
        yield site


def _call(site, path: str, input_: dict, **headers: str) -> dict:
    answer = requests.get(
        f"{site.url}/api/trpc/{path}?input={quote(json.dumps(input_))}", headers=headers, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _titles(answer: dict) -> list[str]:
    return [item["title"] for item in answer["result"]["data"]["items"]]


def test_an_anonymous_read_comes_from_the_replica(site):
    answer = _call(site, "post.list", {"authorId": site.author_id})

    assert _titles(answer) == [OLD_TITLE]


def test_a_signed_in_reader_reads_the_primary(site):
    answer = _call(
        site,
        "post.list",
        {"authorId": site.author_id},
        Authorization=f"Bearer {site.author_token}",
    )

    assert _titles(answer) == [NEW_TITLE]


def test_a_request_with_a_session_cookie_reads_the_primary(site):
    answer = _call(site, "post.list", {"authorId": site.author_id}, Cookie="sessionid=anything")

    assert _titles(answer) == [NEW_TITLE]


def test_the_cached_first_page_is_built_from_the_primary(site):
    # Kept in the cache and shown to signed-in readers too, so never from a lagging replica.
    answer = _call(site, "post.list", {"limit": 5})

    assert _titles(answer) == [NEW_TITLE]


def test_reads_after_a_write_in_the_same_request_come_from_the_primary(site):
    views_before = _view_count(site.primary, site.slug)
    batch = {"0": {"slug": site.slug}, "1": {"authorId": site.author_id}}

    answer = requests.get(
        f"{site.url}/api/trpc/post.bySlug,post.list?batch=1&input={quote(json.dumps(batch))}",
        timeout=30,
    )

    assert answer.status_code == 200, answer.text
    by_slug, listing = answer.json()
    # post.bySlug came from the read cache (filled from the primary) and counted the view (a
    # write); the listing, uncached, came after the write: from the primary too.
    assert by_slug["result"]["data"]["title"] == NEW_TITLE
    assert _titles(listing) == [NEW_TITLE]
    assert _view_count(site.primary, site.slug) == views_before + 1
    assert _view_count(site.replica, site.slug) == 0


def test_a_post_page_for_an_anonymous_reader_shows_the_replica_and_counts_on_the_primary(site):
    views_before = _view_count(site.primary, site.slug)

    page = requests.get(f"{site.url}/posts/{site.slug}/", timeout=30)

    assert page.status_code == 200
    assert OLD_TITLE in page.text
    assert _view_count(site.primary, site.slug) == views_before + 1
    assert _view_count(site.replica, site.slug) == 0
