"""Reply chains written straight to the database, as old data or a raw insert would leave them:
no service caps their depth."""

import uuid

import pytest

from blog.models import Comment
from tests.factories import PostFactory

CHAIN_DEPTH = 1000


def store_reply_chain(*, post, author, length: int) -> list[uuid.UUID]:
    """``length`` comments, each replying to the one before; their ids, root first."""
    ids = [uuid.uuid4() for _ in range(length)]
    Comment.objects.bulk_create(
        Comment(id=id_, post=post, author=author, parent_id=parent, content=f"level {n}")
        for n, (id_, parent) in enumerate(zip(ids, [None, *ids[:-1]], strict=True))
    )
    return ids


@pytest.fixture
def deep_post(reader):
    """A published post whose comments are one reply chain CHAIN_DEPTH deep."""
    post = PostFactory()
    store_reply_chain(post=post, author=reader, length=CHAIN_DEPTH)
    return post
