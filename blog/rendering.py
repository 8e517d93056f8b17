"""Markdown to safe HTML, and plain-text excerpts.

Nothing a user writes reaches a page unescaped.
"""

import html
import re

import nh3
from cmarkgfm.cmark import Options, markdown_to_html_with_extensions

from blog.code_highlighting import HIGHLIGHT_CLASSES, highlight_code_blocks
from blog.headings import link_headings
from blog.models import EXCERPT_MAX_LENGTH, Post

# Tags Markdown produces, and nothing that runs code or embeds other documents.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "input", "li", "nav", "ol", "p", "pre", "section", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    # Nothing on every tag (the default allows "lang": screen readers would read the code in
    # <pre lang="python"> as a spoken language named "python").
    "*": set(),
    # id and aria-label: a footnote reference and its way back ("fnref-…", "↩").
    "a": {"href", "title", "id", "aria-label"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    # A task list's box: whether it is ticked, and nothing else (type and disabled are set below).
    "input": {"checked"},
    # A footnote ("fn-…").
    "li": {"id"},
    # A heading's anchor ("section-…"), and the table of contents.
    **{f"h{level}": {"id"} for level in range(2, 7)},
    "nav": {"aria-label"},
}
# A task's box is a checkbox nobody can tick on the page, whatever the HTML said, named for
# screen readers (a form control without a name fails WCAG 4.1.2) by one of two names.
_SET_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": ""}}
_ATTRIBUTE_VALUES = {"input": {"aria-label": {"done", "to do"}}}
_TASK_BOXES = {
    '<input type="checkbox" checked="" disabled="" />': '<input checked aria-label="done">',
    '<input type="checkbox" disabled="" />': '<input aria-label="to do">',
}
# nh3 adds the set attributes in no fixed order (a hash map's, per call): each box is written
# again in one order, so the same Markdown always renders to the same HTML.
_INPUT_TAG = re.compile(r"<input\b[^>]*>")


def _canonical_box(match: re.Match[str]) -> str:
    tag = match.group(0)
    checked = ' checked=""' if re.search(r"\schecked\b", tag) else ""
    label = "done" if 'aria-label="done"' in tag else "to do"
    return f'<input type="checkbox" disabled=""{checked} aria-label="{label}">'


_ALLOWED_CLASSES = {
    "a": {"footnote-backref", "heading-anchor"},
    "nav": {"toc"},
    "sup": {"footnote-ref"},
    "section": {"footnotes"},
    "pre": {"highlight"},
    "span": HIGHLIGHT_CLASSES,
}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_WHITESPACE = re.compile(r"\s+")


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
# The sanitiser's HTML parser is quadratic in nesting depth (20,000 nested quotes: over a
# second); nobody quotes 32 levels deep, so deeper ">" markers at a line's start are dropped.
MAX_QUOTE_DEPTH = 32
_DEEP_QUOTE = re.compile(rf"^((?:[ \t]*>){{{MAX_QUOTE_DEPTH}}})(?:[ \t]*>)+", re.MULTILINE)


# GitHub's extensions; "tagfilter" is moot, as safe mode drops raw HTML, but costs nothing.
_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]


def _markdown_to_html(text: str) -> str:
    """GitHub-flavoured CommonMark (tables, strikethrough, autolinks, task lists, footnotes)
    by cmark-gfm, in C: linear time and fast (a 2 MiB post in well under a second), where
    Python-Markdown is quadratic on input such as "[" * n and pure-Python parsers take seconds
    per MiB. Its safe mode drops raw HTML and javascript:-style URLs; nh3 then checks
    everything again.

    The page's title is its only h1: a post's "# Heading" becomes h2, and so on down (h5 and
    h6 both end at h6), and a task's box gets its name ("done" or "to do"). In the output, "<"
    only starts a tag: text has its "<" escaped.
    """
    rendered = markdown_to_html_with_extensions(
        _DEEP_QUOTE.sub(r"\1", text), options=Options.CMARK_OPT_FOOTNOTES, extensions=_EXTENSIONS
    )
    for box, named_box in _TASK_BOXES.items():
        rendered = rendered.replace(box, named_box)
    return _HEADING_TAG.sub(
        lambda match: f"<{match.group(1)}h{min(int(match.group(2)) + 1, 6)}", rendered
    )


def render_markdown(text: str) -> str:
    """Render Markdown, highlight its code, and strip everything that could run in the
    reader's browser."""
    cleaned = nh3.clean(
        link_headings(highlight_code_blocks(_markdown_to_html(text))),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        set_tag_attribute_values=_SET_ATTRIBUTES,
        tag_attribute_values=_ATTRIBUTE_VALUES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return _INPUT_TAG.sub(_canonical_box, cleaned)


# Words an adult reads in a minute, silently, on a screen.
WORDS_PER_MINUTE = 230


def reading_minutes(rendered: str) -> int:
    """Minutes to read rendered HTML (its words, markup and table of contents aside), rounded,
    and at least one."""
    words = len(nh3.clean(rendered, tags=set(), clean_content_tags={"nav"}).split())
    return max(1, round(words / WORDS_PER_MINUTE))


def post_reading_minutes(post: Post) -> int:
    """The post's stored reading time; a row written around the services is counted here."""
    if post.reading_minutes is None:
        return reading_minutes(post_html(post))
    return post.reading_minutes


def post_html(post: Post) -> str:
    """The post's stored HTML (services render it on every save). A row written around the
    services (a fixture, a raw insert) has none yet and is rendered here."""
    if post.content_html is None:
        return render_markdown(post.content)
    return post.content_html


def plain_text(text: str) -> str:
    """The words of a Markdown text, without markup, on one line."""
    # Unescaped text: whoever shows it escapes it (templates do, JSON needs no escaping).
    # Footnotes (their references, and the notes at the end) are asides, not the text's words.
    words = html.unescape(
        nh3.clean(_markdown_to_html(text), tags=set(), clean_content_tags={"sup", "section"})
    )
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
