"""Seed a fresh Inkwell database for the Node client check and print what the client needs.

Run with the server's environment (STATE_DIR=…): writes an author with a browser session, a
published post with a comment, and a draft; prints one JSON object (ids, slugs, session cookie
and CSRF token) on stdout.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import User  # noqa: E402
from blog import services  # noqa: E402


def main() -> None:
    author = User.objects.create_user("node-author@example.com", name="Node Author")
    reader = User.objects.create_user("node-reader@example.com", name="Node Reader")
    post = services.create_post(
        author=author, title="Seeded for Node", content="A *seeded* post.", published=True
    )
    services.create_comment(author=reader, post=post, content="First!")
    draft = services.create_post(author=author, title="Seeded draft", content="Not yet.")

    # A browser session, as the sign-in page would leave it: cookie plus CSRF secret.
    session = SessionStore()
    session[SESSION_KEY] = str(author.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = author.get_session_auth_hash()
    session.create()
    csrf_secret = get_random_string(32)
    print(
        json.dumps(
            {
                "authorEmail": author.email,
                "authorId": str(author.id),
                "postSlug": post.slug,
                "postId": str(post.id),
                "draftId": str(draft.id),
                "sessionHeaders": {
                    "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                    f"{settings.CSRF_COOKIE_NAME}={csrf_secret}",
                    "x-csrftoken": csrf_secret,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
