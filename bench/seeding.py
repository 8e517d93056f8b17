"""Seeding benchmark databases: the bench authors, and post rows written with one COPY
(a million posts in minutes, where ORM inserts take an hour), their creation times spread
over four years so the newest-first indexes look like a real site's (a published post was
published when it was created)."""

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

AUTHORS = 50
SPREAD_START = datetime(2020, 1, 1, tzinfo=UTC)
SPREAD = timedelta(days=1500)
_COLUMNS = (
    "id, title, slug, content, content_html, excerpt, published, author_id, view_count, "
    "created_at, updated_at, published_at"
)


@dataclass(frozen=True)
class PostRow:
    """What a seeded post is made of; the rest (id, slug, times, author) comes from its number."""

    number: int
    title: str
    content: str
    excerpt: str
    published: bool
    content_html: str | None = None


def bench_author_ids() -> list[int]:
    """The ids of the bench's authors, created on first use."""
    from accounts.models import User

    return [
        User.objects.get_or_create(email=f"bench{n}@example.com", defaults={"name": f"Bench {n}"})[
            0
        ].pk
        for n in range(AUTHORS)
    ]


def copy_posts(rows: Iterable[PostRow], slug_prefix: str = "benchmark-post") -> None:
    """Write ``rows`` into blog_post with one COPY, through Django's connection (so generated
    columns are computed by the database as for any insert)."""
    from django.db import connection

    author_ids = bench_author_ids()
    spread_seconds = SPREAD.total_seconds()
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY blog_post ({_COLUMNS}) FROM STDIN") as copy,
    ):
        for row in rows:
            created_at = SPREAD_START + timedelta(seconds=random.random() * spread_seconds)
            copy.write_row(
                (
                    uuid.uuid4(),
                    row.title,
                    f"{slug_prefix}-{row.number}-{uuid.uuid4().hex[:6]}",
                    row.content,
                    row.content_html,
                    row.excerpt,
                    row.published,
                    author_ids[row.number % len(author_ids)],
                    0,
                    created_at,
                    created_at,
                    created_at if row.published else None,
                )
            )
