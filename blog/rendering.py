"""Markdown to safe HTML, and plain-text excerpts.

Nothing a user writes reaches a page unescaped.
"""

import html
import re

import markdown
import nh3

from blog.models import EXCERPT_MAX_LENGTH

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "smarty"]
# Tags Markdown produces, and nothing that runs code or embeds other documents.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}
# The page's title is its only h1: a post's "# Heading" renders as h2, and so on down (toc's
# baselevel; its [TOC] marker is switched off so the text means what it says).
_BODY_EXTENSION_CONFIGS = {"toc": {"baselevel": 2, "marker": ""}}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_WHITESPACE = re.compile(r"\s+")


def render_markdown(text: str) -> str:
    """Render Markdown and strip everything that could run in the reader's browser."""
    html = markdown.markdown(
        text,
        extensions=[*_EXTENSIONS, "toc"],
        extension_configs=_BODY_EXTENSION_CONFIGS,
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def plain_text(text: str) -> str:
    """The words of a Markdown text, without markup, on one line."""
    rendered = markdown.markdown(text, extensions=_EXTENSIONS)
    # Unescaped text: whoever shows it escapes it (templates do, JSON needs no escaping).
    words = html.unescape(nh3.clean(rendered, tags=set()))
    return _WHITESPACE.sub(" ", words).strip()


def derive_excerpt(content: str, max_length: int = EXCERPT_MAX_LENGTH) -> str:
    """The opening words of the content, cut at a word boundary, with an ellipsis when cut."""
    # Only the head of a long post can end up in the excerpt; don't render 2 MiB for it.
    text = plain_text(content[: max_length * 20])
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


# Search snippets mark their matches with these control characters (never in typed text that
# survives: highlight_html drops unpaired ones).
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis, code, headings, tables, rules, and a blockquote's leading ">" (not the one of "<b>").
_MARKDOWN_MARKS = re.compile(r"[*`#|~]+|-{3,}|={3,}|(?:^|(?<=\s))>(?=\s)", re.MULTILINE)


def highlight_html(snippet: str) -> str:
    """A search snippet of raw Markdown as safe HTML: the words only (links become their text,
    markup characters go), escaped, with the matches between the markers in ``<mark>``."""
    words = _WHITESPACE.sub(" ", _MARKDOWN_MARKS.sub(" ", _MARKDOWN_LINK.sub(r"\1", snippet)))
    out, is_open = [], False
    for char in words.strip():
        if char == HIGHLIGHT_START:
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif char == HIGHLIGHT_STOP:
            if is_open:
                out.append("</mark>")
                is_open = False
        else:
            out.append(html.escape(char))
    if is_open:
        out.append("</mark>")
    return "".join(out)
