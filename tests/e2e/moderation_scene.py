"""A moderator of the Editors group (not a superuser) on a live site, and reported comments
for the queue to show: shared by the end-to-end test and the queue's screenshot."""

from tests.e2e.site import DEMO_PASSWORD, LiveSite

MODERATOR = "moderator@demo.inkwell.example"


def ensure_moderator(site: LiveSite) -> str:
    """The moderator's email, the account made an editor (once) with the demo password."""
    site.shell(
        "from accounts.models import User; from accounts.services import make_editor\n"
        f"user = User.objects.filter(email={MODERATOR!r}).first()\n"
        "if user is None:\n"
        f"    user = User.objects.create_user({MODERATOR!r}, {DEMO_PASSWORD!r})\n"
        "    user.name = 'Mo Derator'\n"
        "    user.save()\n"
        "make_editor(user=user)"
    )
    return MODERATOR


def comment_on(site: LiveSite, *, post_path: str, author: str, content: str) -> str:
    """A comment by ``author`` on the post at ``post_path``, through the service; its id."""
    slug = post_path.rstrip("/").rsplit("/", 1)[-1]
    return site.shell(
        "from accounts.models import User; from blog.models import Post\n"
        "from blog.services import create_comment\n"
        f"post = Post.objects.get(slug={slug!r})\n"
        f"author = User.objects.get(email={author!r})\n"
        f"print(create_comment(author=author, post=post, content={content!r}).id)"
    )


def report_comments(site: LiveSite, reports: list[tuple[str, str, str, str]]) -> None:
    """Reports by (reporter email, comment id, reason, details), through the service."""
    site.shell(
        "from accounts.models import User; from blog.models import Comment\n"
        "from moderation.services import create_report\n"
        f"for email, comment_id, reason, details in {reports!r}:\n"
        "    comment = Comment.objects.select_related('post').get(id=comment_id)\n"
        "    create_report(reporter=User.objects.get(email=email), post=comment.post,"
        " comment=comment, reason=reason, details=details)"
    )
