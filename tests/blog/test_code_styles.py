"""static/css/code.css is what blog.code_styles generates: one rule per token, light and dark."""

from pathlib import Path

from blog.code_styles import stylesheet

CODE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "code.css"


def test_code_css_is_generated_by_blog_code_styles():
    assert CODE_CSS.read_text() == stylesheet(), "run: python -m blog.code_styles > " + str(
        CODE_CSS
    )


def test_each_colour_follows_the_pages_colour_scheme():
    css = stylesheet()
    # A keyword: Pygments' default green on light, github-dark's red on dark.
    assert (
        ".post-body pre.highlight .k { color: light-dark(#008000, #ff7b72); font-weight: bold }"
        in css
    )
    assert "prefers-color-scheme" not in css  # the page's scheme decides, chosen or not
