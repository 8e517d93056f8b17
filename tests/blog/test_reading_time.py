"""A post's reading time: its words over 230 a minute, at least a minute, counted when it is
rendered and shown on its page."""

import pytest

from blog import services
from blog.models import Post
from blog.rendering import WORDS_PER_MINUTE, reading_minutes, render_markdown


def test_reading_time_counts_the_words_rounded_and_at_least_one_minute():
    assert reading_minutes("") == 1
    assert reading_minutes(render_markdown("word " * 10)) == 1
    assert reading_minutes(render_markdown("word " * (WORDS_PER_MINUTE * 3))) == 3
    assert reading_minutes(render_markdown("word " * int(WORDS_PER_MINUTE * 3.6))) == 4


def test_markup_is_not_read():
    linked = render_markdown(
        "[one](https://example.com/a/very/long/path 'a title') ![two](x.png)\n\n"
        "```python\nx = 1\n```"
    )
    assert len(linked.split()) > 6
    assert reading_minutes(linked) == 1
    assert reading_minutes("<p>" + '<a href="x">w</a> ' * (WORDS_PER_MINUTE * 2) + "</p>") == 2


@pytest.mark.django_db
def test_saving_stores_the_reading_time_and_the_page_shows_it(client, author):
    post = services.create_post(
        author=author, title="t", content="word " * (WORDS_PER_MINUTE * 5), published=True
    )
    assert Post.objects.get(id=post.id).reading_minutes == 5
    assert "5 min read" in client.get(post.get_absolute_url()).content.decode()
    services.update_post(post=post, content="*short*")
    assert Post.objects.get(id=post.id).reading_minutes == 1
    assert "1 min read" in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_row_written_around_the_services_is_counted_on_its_page(client, author):
    post = services.create_post(author=author, title="t", content="x", published=True)
    Post.objects.filter(id=post.id).update(
        content="word " * (WORDS_PER_MINUTE * 2), content_html=None, reading_minutes=None
    )
    assert "2 min read" in client.get(post.get_absolute_url()).content.decode()
