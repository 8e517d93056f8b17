"""One account's writing as a zip, built while it is sent: posts as Markdown files with YAML
front matter, comments in one JSON file, the profile in another.

The zip is written to a sink that the response drains after every file or batch, and the rows
come from ``blog.account_data`` a batch at a time, so memory stays bounded by one batch and
one post whatever the account's size (zip64 and data descriptors need no seeking back).
"""

import io
import json
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import yaml
from asgiref.sync import sync_to_async

from accounts.models import User
from blog import account_data
from blog.models import Post


class _Sink(io.RawIOBase):
    """Where the zip writes: bytes kept until the next ``take``. Not seekable, so zipfile
    writes each entry's sizes after its data instead of seeking back."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken, self.parts = b"".join(self.parts), []
        return taken


def filename(*, now: datetime) -> str:
    return f"inkwell-export-{now:%Y-%m-%d}.zip"


def zip_parts(*, user: User) -> Iterator[bytes]:
    """The export of ``user``'s own writing, in parts as they are ready."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _profile_json(user))
        yield sink.take()
        for batch in account_data.posts_in_batches(user=user):
            for post in batch:
                with archive.open(f"posts/{post.slug}.md", mode="w", force_zip64=True) as entry:
                    entry.write(markdown_file(post).encode())
                yield sink.take()
        with archive.open("comments.json", mode="w", force_zip64=True) as entry:
            entry.write(b"[")
            separator = b"\n"
            for comments in account_data.comments_in_batches(user=user):
                for comment in comments:
                    entry.write(separator + json.dumps(comment, ensure_ascii=False).encode())
                    separator = b",\n"
                yield sink.take()
            entry.write(b"\n]\n")
    yield sink.take()


async def azip_parts(*, user: User) -> AsyncIterator[bytes]:
    """``zip_parts`` for the ASGI server: each part built in the request's thread (which holds
    its database connection), handed to the event loop as it is ready."""
    parts = zip_parts(user=user)
    next_part = sync_to_async(_next_part, thread_sensitive=True)
    while (part := await next_part(parts)) is not None:
        if part:
            yield part


def _next_part(parts: Iterator[bytes]) -> bytes | None:
    return next(parts, None)


def markdown_file(post: Post) -> str:
    """The post as its author wrote it, under a YAML front matter block."""
    front_matter = {
        "title": post.title,
        "slug": post.slug,
        "excerpt": post.excerpt,
        "published": post.published,
        "created": post.created_at.isoformat(),
        "updated": post.updated_at.isoformat(),
        "published_at": post.published_at.isoformat() if post.published_at else None,
    }
    header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True)
    return f"---\n{header}---\n\n{post.content}\n"


def _profile_json(user: User) -> str:
    profile = {
        "email": user.email,
        "name": user.name,
        "bio": user.bio,
        "avatarUrl": user.avatar_url,
        "joined": user.created_at.isoformat(),
    }
    return json.dumps(profile, ensure_ascii=False, indent=2) + "\n"
