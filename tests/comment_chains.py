"""Reply chains written straight to the database, as old data or a raw insert would leave them:
no service caps their depth."""

import uuid

from blog.models import Comment


def store_reply_chain(*, post, author, length: int) -> list[uuid.UUID]:
    """``length`` comments, each replying to the one before; their ids, root first."""
    ids = [uuid.uuid4() for _ in range(length)]
    Comment.objects.bulk_create(
        Comment(id=id_, post=post, author=author, parent_id=parent, content=f"level {n}")
        for n, (id_, parent) in enumerate(zip(ids, [None, *ids[:-1]], strict=True))
    )
    return ids
