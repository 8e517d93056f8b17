"""A post's share card: the picture link previews show (``og:image``) for a post without a
cover image. 1200x630 (the size Facebook, LinkedIn and X ask for), drawn by Pillow from the
site's name, the title and the author: no template engine, no browser, no network."""

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from blog.models import Post

WIDTH, HEIGHT = 1200, 630
_BACKGROUND = (29, 35, 48)  # the site's ink
_TEXT = (253, 252, 250)  # the site's paper
_MUTED = (163, 171, 185)
_ACCENT = (127, 176, 255)
_MARGIN = 80
# A title longer than this many lines is cut with an ellipsis: the card has room for four.
_TITLE_LINES = 4


def share_card(post: Post) -> bytes:
    """The PNG card of ``post``: its title in large type, its author and the site's name."""
    card = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 16, HEIGHT), fill=_ACCENT)
    draw.text((_MARGIN, _MARGIN - 10), "Inkwell", font=ImageFont.load_default(40), fill=_ACCENT)
    lines = textwrap.wrap(post.title, width=26) or [""]
    if len(lines) > _TITLE_LINES:
        lines = [*lines[: _TITLE_LINES - 1], lines[_TITLE_LINES - 1].rstrip() + "…"]
    draw.multiline_text(
        (_MARGIN, 170), "\n".join(lines), font=ImageFont.load_default(64), fill=_TEXT, spacing=14
    )
    byline = f"by {post.author.display_name}"
    draw.text(
        (_MARGIN, HEIGHT - _MARGIN - 30), byline, font=ImageFont.load_default(34), fill=_MUTED
    )
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=False, compress_level=6)
    return buffer.getvalue()
