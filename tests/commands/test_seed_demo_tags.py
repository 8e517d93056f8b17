"""seed_demo files each demo post under its topic's tag, listed as the services list it, so
the tag pages and post.list by tag have content on a fresh site and in benchmarks."""

import pytest
from django.core.management import call_command

from blog.models import Post, PostTag

pytestmark = pytest.mark.django_db


def test_every_demo_post_is_filed_under_the_topic_in_its_title():
    call_command("seed_demo", users=2, posts=30, comments=0)
    call_command("seed_demo", users=2, posts=35, comments=0)  # a top-up files its new posts
    filings = PostTag.objects.select_related("post", "tag")
    assert filings.count() == Post.objects.count() == 35
    for filing in filings:
        assert filing.tag.slug in filing.post.title
        expected = filing.post.published_at if filing.post.published else None
        assert filing.published_at == expected
