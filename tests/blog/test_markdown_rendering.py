"""Posts render as CommonMark with tables, safely, and in time proportional to their length."""

import re

import pytest

from blog.rendering import derive_excerpt, plain_text, render_markdown


def test_tables_keep_their_column_alignment():
    html = render_markdown("| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="center">2</td>' in html
    assert '<td align="right">3</td>' in html
    assert "style=" not in html


def test_fenced_code_shows_markup_as_text_and_no_lang_on_pre():
    html = render_markdown('```nosuchlanguage\nprint("<b>")\n```')
    assert '<pre><code class="language-nosuchlanguage">print("&lt;b&gt;")\n</code></pre>' in html
    assert "lang=" not in render_markdown("```python\nx = 1\n```")


def test_lists_and_links_render_and_links_carry_rel():
    html = render_markdown("- [one](https://example.com)\n- two")
    assert (
        '<li><a href="https://example.com" rel="nofollow noopener noreferrer">one</a></li>'
    ) in html
    assert "<li>two</li>" in html


def test_html_a_writer_types_never_reaches_the_page():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)"> *ok*')
    assert "<script" not in html and "<img" not in html and "onerror" not in html


def test_a_link_to_a_script_url_never_leads_there():
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x"):
        html = render_markdown(f"[x]({url}) <{url}>")
        assert re.search(r'href="\s*(?:javascript|data|vbscript)', html, re.IGNORECASE) is None


def test_excerpts_read_the_same_markdown_as_the_page():
    content = "# Title\n\n| a | b |\n|-|-|\n| 1 | 2 |\n\n*em* <b>typed</b>"
    assert plain_text(content) == "Title a b 1 2 em typed"
    assert derive_excerpt(content, max_length=12) == "Title a b…"


# Inputs that made Python-Markdown quadratic (10k "[" took 10 s, so 50k would take minutes), or
# that stress nesting. Each renders here in well under a second. Timings: bench/markdown.py.
PATHOLOGICAL = {
    "open brackets": "[" * 50_000,
    "open image brackets": "![" * 20_000,
    "unclosed links": "[a](" * 20_000,
    "stars": "*" * 200_000,
    "alternating emphasis": "*a_" * 20_000,
    "nested quotes": ">" * 50_000,
    "quotes opening links": ">[" * 20_000,
    "apostrophes": "'" * 200_000,
    "angle brackets": "<" * 200_000,
    "backslashes": "\\" * 200_000,
    "nested lists": "".join("  " * depth + "- x\n" for depth in range(2_000)),
}


@pytest.mark.parametrize("content", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_posts_still_render(content):
    html = render_markdown(content)
    assert html.strip()
    assert derive_excerpt(content) is not None


def test_quotes_nest_at_most_32_deep_and_the_words_stay():
    html = render_markdown(">" * 50_000 + " deep words\n\n> shallow")
    assert html.count("<blockquote>") == 32 + 1
    assert "deep words" in html and "shallow" in html
