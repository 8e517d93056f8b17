"""Pages served to signed-out readers carry the current public read key and the live client,
read-only: comments arrive through a template without forms; signed-in pages carry no key."""

import re

import pytest
from django.urls import reverse

from realtime.public_read_keys import current_key, rotate_public_read_keys
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

KEY_META = re.compile(r'<meta name="inkwell-public-key" content="(da2-[a-z0-9]{26})">')


def test_a_signed_out_page_carries_the_current_key_and_the_live_client(client):
    body = client.get(reverse("blog:home")).content.decode()
    assert KEY_META.search(body).group(1) == current_key().value
    assert "js/live.js" in body
    assert 'id="live-status"' in body


def test_after_a_rotation_pages_carry_the_new_key(client):
    client.get(reverse("blog:home"))
    new = rotate_public_read_keys(by=None)
    assert KEY_META.search(client.get(reverse("blog:home")).content.decode()).group(1) == new.value


def test_a_signed_in_page_carries_no_key(client, reader):
    client.force_login(reader)
    body = client.get(reverse("blog:home")).content.decode()
    assert "inkwell-public-key" not in body
    assert "js/live.js" in body  # the signed-in client, with its own token


def test_with_public_keys_off_signed_out_pages_are_not_live(client, settings):
    settings.REALTIME_PUBLIC_READ_KEYS = False
    body = client.get(reverse("blog:home")).content.decode()
    assert "inkwell-public-key" not in body
    assert "js/live.js" not in body


def test_a_signed_out_post_page_gets_live_comments_without_any_form(client):
    post = PostFactory()
    body = client.get(post.get_absolute_url()).content.decode()
    template = body[body.index('<template id="comment-template">') :]
    template = template[: template.index("</template>")]
    assert "<form" not in template and "Edit" not in template
    assert 'class="comment-form"' not in body
    assert "to comment." in body  # the plain sign-in link stays
