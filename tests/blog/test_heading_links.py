"""Headings carry ids and a self-link; three or more headings bring a table of contents."""

import re

from blog.headings import MAX_LINKED_HEADINGS
from blog.rendering import plain_text, reading_minutes, render_markdown


def test_each_heading_has_an_id_and_a_link_to_itself():
    html = render_markdown("# Why *this*\n\ntext")
    assert html.startswith('<h2 id="section-why-this">Why <em>this</em> <a class="heading-anchor"')
    assert 'href="#section-why-this" aria-label="Link to this section"' in html
    assert "<nav" not in html


def test_repeated_headings_get_distinct_ids_that_never_take_the_pages_own():
    html = render_markdown("## Comments\n\n## Comments\n\n## ***")
    assert re.findall(r'<h3 id="([^"]+)"', html) == [
        "section-comments",
        "section-comments-2",
        "section-untitled",
    ]
    assert 'id="comments"' not in html


def test_three_headings_bring_a_table_of_contents_linking_to_each():
    html = render_markdown("# One\n\n## Two\n\n# Three & more\n\nwords")
    toc = html.split("</nav>")[0]
    assert toc.startswith('<nav class="toc" aria-label="Contents">')
    assert re.findall(r'href="#([^"]+)"[^>]*>([^<]+)</a>', toc) == [
        ("section-one", "One"),
        ("section-two", "Two"),
        ("section-three-more", "Three &amp; more"),
    ]
    for anchor in ("section-one", "section-two", "section-three-more"):
        assert f'id="{anchor}"' in html


def test_a_heading_cannot_break_out_of_its_id_or_the_contents():
    html = render_markdown('# "><img src=x onerror=alert(1)>\n\n# a" onclick="x\n\n# <b>c</b>')
    assert "onerror" not in html and "<img" not in html and "<b>" not in html
    assert re.search(r"<[^>]*\sonclick=", html) is None
    assert all(
        re.fullmatch(r"section-[\w-]+", value) for value in re.findall(r'id="([^"]*)"', html)
    )


def test_excerpts_and_reading_time_leave_the_anchors_and_contents_out():
    content = "# One\n\n# Two\n\n# Three\n\nbody"
    assert plain_text(content) == "One Two Three body"
    assert reading_minutes(render_markdown(content)) == 1


def test_a_post_of_nothing_but_headings_stays_plain():
    html = render_markdown("# a\n" * (MAX_LINKED_HEADINGS + 1))
    assert "id=" not in html and "<nav" not in html
