"""Links to a post's sections: an id and a self-link on each heading, and a table of contents
at the top of a post with three headings or more.

Ids start with "section-", so a heading named "Comments" never takes an id the page uses.
"""

import html
import re

from django.utils.text import slugify

# Posts with fewer headings are short enough to scroll.
MIN_HEADINGS_FOR_CONTENTS = 3
# A post of nothing but headings ("# a" 500,000 times) would spend seconds here; past this
# many, headings stay as they are, and there is no table of contents.
MAX_LINKED_HEADINGS = 500
ID_PREFIX = "section-"

# cmark-gfm's headings carry no attributes, and in its output "<" only starts a tag.
_HEADING = re.compile(r"<h([2-6])>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def link_headings(rendered: str) -> str:
    """The HTML with its headings linkable, and led by a table of contents when long."""
    if len(_HEADING.findall(rendered)) > MAX_LINKED_HEADINGS:
        return rendered
    taken: dict[str, int] = {}
    contents: list[str] = []

    def linked(match: re.Match[str]) -> str:
        level, inner = match.group(1), match.group(2)
        text = html.unescape(_TAG.sub("", inner)).strip()
        slug = slugify(text, allow_unicode=True) or "untitled"
        taken[slug] = taken.get(slug, 0) + 1
        anchor = ID_PREFIX + (slug if taken[slug] == 1 else f"{slug}-{taken[slug]}")
        contents.append(f'<li><a href="#{anchor}">{html.escape(text)}</a></li>')
        return (
            f'<h{level} id="{anchor}">{inner} <a class="heading-anchor" href="#{anchor}" '
            f'aria-label="Link to this section">#</a></h{level}>'
        )

    linked_html = _HEADING.sub(linked, rendered)
    if len(contents) < MIN_HEADINGS_FOR_CONTENTS:
        return linked_html
    toc = (
        '<nav class="toc" aria-label="Contents">\n<ol>\n'
        + "\n".join(contents)
        + "\n</ol>\n</nav>\n"
    )
    return toc + linked_html
