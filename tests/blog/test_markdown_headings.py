"""A post's own headings sit below the page's title: the page keeps a single h1."""

from blog.rendering import render_markdown


def test_headings_in_a_post_start_at_h2_and_stay_in_order():
    html = render_markdown("# Part one\n\n## Detail\n\n###### Deepest\n\n[TOC]")
    assert "<h1" not in html
    assert '<h2 id="section-part-one">Part one <a' in html
    assert '<h3 id="section-detail">Detail <a' in html
    assert '<h6 id="section-deepest">Deepest <a' in html
    assert "<p>[TOC]</p>" in html  # plain text: the table of contents is headings.py's
