"""A post without a cover image still shows a picture in link previews: its share card."""

import io
import re

import pytest
from PIL import Image

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

OG_IMAGE = re.compile(r'<meta property="og:image" content="([^"]+)">')


def test_a_post_without_a_cover_points_link_previews_at_its_card(client):
    post = PostFactory(published=True, title="Caching with " + "very long words " * 11)  # < 200
    html = client.get(post.get_absolute_url()).content.decode()
    (url,) = OG_IMAGE.findall(html)
    assert url.startswith(f"http://testserver/posts/{post.slug}/card.png?v=")
    assert '<meta property="og:image:width" content="1200">' in html

    card = client.get(url.removeprefix("http://testserver"))
    assert card.status_code == 200
    assert card["Content-Type"] == "image/png"
    assert "max-age=86400" in card["Cache-Control"]
    picture = Image.open(io.BytesIO(card.content))
    assert picture.size == (1200, 630)


def test_a_drafts_card_is_not_found_even_to_its_author(client):
    draft = PostFactory(published=False)
    client.force_login(draft.author)
    assert client.get(f"/posts/{draft.slug}/card.png").status_code == 404
    assert not OG_IMAGE.findall(client.get(draft.get_absolute_url()).content.decode())


def test_an_unknown_posts_card_is_not_found(client):
    assert client.get("/posts/no-such-post/card.png").status_code == 404
