"""Demo posts, each under its topic's tag, and threaded comments, bulk-inserted: fast enough
for 100k posts.

Demo content is numbered, so a second run only tops up what is missing. It is written in
bulk and not announced: seeding is not news.
"""

import random
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from blog.models import Comment, Post, PostTag, Tag
from blog.rendering import derive_excerpt

DEMO_SLUG_PREFIX = "demo-"
BATCH_SIZE = 2000

_ADJECTIVES = ["Quiet", "Practical", "Curious", "Honest", "Small", "Patient", "Bold", "Plain"]
_TOPICS = ["queries", "migrations", "websockets", "caching", "templates", "tests", "indexes"]
_BODIES = [
    "## Why {topic} matter\n\nMost of what we ship depends on **{topic}**. A few notes:\n\n"
    "- measure before you change anything\n- keep the change small\n- write the test first\n\n"
    "> The simplest thing that could possibly work.\n",
    "Here is a snippet about {topic}:\n\n```python\nfor item in items:\n    print(item)\n```\n\n"
    "It prints every item. See [the docs](https://docs.djangoproject.com/) for more.\n",
    "# Notes on {topic}\n\n1. Read the source.\n2. Reproduce the problem.\n3. Fix the cause, "
    "not the symptom.\n\nThat is *all* there is to it, mostly.\n",
    "A short post about {topic}, with a table:\n\n| step | time |\n|---|---|\n| plan | 1h |\n"
    "| build | 3h |\n\nAnd that's the week.\n",
]
_COMMENTS = [
    "Great post, thanks!",
    "I disagree with the second point, but it's well argued.",
    "Do you have numbers for this?",
    "This saved me an afternoon.",
    "Could you write a follow-up on the edge cases?",
]


def _topic(index: int) -> str:
    """The demo post's topic: the first draw of its own generator (see ``_post``)."""
    return random.Random(index).choice(_TOPICS)


def _post(index: int, authors: list[User], excerpts: dict[str, str], now: datetime) -> Post:
    rng = random.Random(index)
    topic = rng.choice(_TOPICS)
    content = rng.choice(_BODIES).format(topic=topic)
    if content not in excerpts:
        excerpts[content] = derive_excerpt(content)
    title = f"{rng.choice(_ADJECTIVES)} {topic} #{index + 1}"
    return Post(
        title=title,
        slug=f"{DEMO_SLUG_PREFIX}{index + 1}-{rng.choice(_ADJECTIVES).lower()}-{topic}",
        content=content,
        excerpt=excerpts[content],
        # One in ten demo posts stays a draft, so drafts show up in dashboards and tests.
        published=index % 10 != 9,
        published_at=None if index % 10 == 9 else now,
        author=authors[index % len(authors)],
    )


def _demo_posts() -> QuerySet[Post]:
    return Post.objects.filter(slug__startswith=DEMO_SLUG_PREFIX)


def ensure_demo_posts(*, count: int, authors: list[User]) -> int:
    """Create demo posts up to ``count``; how many were created."""
    start = _demo_posts().count()
    excerpts: dict[str, str] = {}
    for batch_start in range(start, count, BATCH_SIZE):
        batch = [
            _post(index, authors, excerpts, timezone.now())
            for index in range(batch_start, min(count, batch_start + BATCH_SIZE))
        ]
        with transaction.atomic():
            Post.objects.bulk_create(batch, ignore_conflicts=True)
            _file_under_topics(batch, first_index=batch_start)
    return max(0, count - start)


def _file_under_topics(batch: list[Post], *, first_index: int) -> None:
    """File each demo post of ``batch`` that was stored under its topic's tag, listed as the
    services list a filing (at its publication time while published)."""
    tags = {}
    for topic in _TOPICS:
        tags[topic], _ = Tag.objects.get_or_create(slug=topic, defaults={"name": topic})
    stored = set(
        Post.objects.filter(id__in=[post.id for post in batch]).values_list("id", flat=True)
    )
    PostTag.objects.bulk_create(
        (
            PostTag(
                post=post, tag=tags[_topic(first_index + offset)], published_at=post.published_at
            )
            for offset, post in enumerate(batch)
            if post.id in stored
        ),
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def ensure_demo_comments(*, count: int, authors: list[User]) -> int:
    """Create demo comments on published demo posts up to ``count``, some as replies."""
    posts = list(
        _demo_posts().filter(published=True).order_by("created_at").values_list("id", flat=True)
    )
    existing = Comment.objects.filter(post__slug__startswith=DEMO_SLUG_PREFIX).count()
    if not posts or existing >= count:
        return 0
    earlier: dict[object, list[Comment]] = defaultdict(list)
    batch: list[Comment] = []
    for index in range(existing, count):
        rng = random.Random(-index - 1)
        post_id = posts[rng.randrange(len(posts))]
        siblings = earlier[post_id]
        parent = rng.choice(siblings) if siblings and rng.random() < 0.5 else None
        comment = Comment(
            post_id=post_id,
            author=authors[rng.randrange(len(authors))],
            parent=parent,
            content=rng.choice(_COMMENTS),
        )
        siblings.append(comment)
        batch.append(comment)
    with transaction.atomic():
        Comment.objects.bulk_create(batch, batch_size=BATCH_SIZE)
    return len(batch)
