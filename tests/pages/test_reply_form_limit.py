"""The reply form's length limit in the page is the one the services apply."""

import pytest

from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_reply_forms_allow_exactly_the_comment_limit(client, reader, monkeypatch):
    comment = CommentFactory()
    client.force_login(reader)
    monkeypatch.setattr("blog.pages.COMMENT_MAX_LENGTH", 1234)
    body = client.get(comment.post.get_absolute_url()).content.decode()
    # The reply form under the comment, and the one in the template live comments clone.
    assert body.count('maxlength="1234"') == 2
