"""Task lists, footnotes and highlighted code: rendered on the server, and no way through them
for markup a writer typed."""

import re

from blog.code_highlighting import MAX_HIGHLIGHTED_CHARACTERS, MAX_HIGHLIGHTED_LINE
from blog.rendering import plain_text, render_markdown


def test_a_task_list_shows_boxes_nobody_can_tick_named_for_screen_readers():
    html = render_markdown("- [ ] write\n- [x] read")
    boxes = re.findall(r"<input[^>]*>", html)
    assert len(boxes) == 2
    assert all('type="checkbox"' in box and 'disabled=""' in box for box in boxes)
    assert 'aria-label="to do"' in boxes[0] and "checked" not in boxes[0]
    assert 'aria-label="done"' in boxes[1] and 'checked=""' in boxes[1]
    assert "[ ]" not in html and "[x]" not in html


def test_a_footnote_reference_and_its_note_link_to_each_other():
    html = render_markdown("Claim[^src].\n\n[^src]: Where it *comes* from.")
    assert '<sup class="footnote-ref"><a href="#fn-src" id="fnref-src"' in html
    assert '<li id="fn-src">' in html
    assert re.search(r'<a href="#fnref-src" class="footnote-backref" aria-label="[^"]+"', html)
    assert '<section class="footnotes">' in html
    assert "[^src]" not in html and "data-footnote" not in html


def test_a_footnote_label_cannot_break_out_of_its_attributes():
    html = render_markdown('Hi[^"><script>x</script>].\n\n[^"><script>x</script>]: note')
    assert "<script" not in html
    assert re.search(r'id="[^"]*"[^ >]', html) is None
    assert 'href="#fn-%22%3E%3Cscript' in html


def test_python_code_is_highlighted_with_classes_and_no_inline_style():
    html = render_markdown('```python\ndef f():\n    return "<b>"  # why\n```')
    assert html.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html
    assert '<span class="s2">"&lt;b&gt;"</span>' in html
    assert '<span class="c1"># why</span>' in html
    assert "style=" not in html and "lang=" not in html


def test_code_in_an_unknown_language_or_none_stays_plain():
    for fence in ("```nosuchlanguage", "```"):
        html = render_markdown(f"{fence}\ndef f(): pass\n```")
        assert "<span" not in html and "highlight" not in html
        assert "def f(): pass" in html


def test_a_language_name_cannot_break_out_of_its_attribute():
    html = render_markdown(
        '```"><script>alert(1)</script>\nx\n```\n\n```python" onclick="x\ny\n```'
    )
    assert "<script" not in html and "onclick=" not in html.replace("&quot; onclick=&quot;", "")
    assert html.count("<pre>") == 2 and "<span" not in html


def test_classes_other_than_the_features_are_dropped():
    # Safe mode drops raw HTML; this is the sanitiser's second check, on its own.
    html = render_markdown("text")
    assert "class" not in html
    assert render_markdown('<span class="k" onclick="x">t</span>').count("<span") == 0


def test_code_past_the_budget_or_with_a_long_line_stays_plain():
    over_budget = "```python\n" + "x = 1\n" * (MAX_HIGHLIGHTED_CHARACTERS // 6 + 1) + "```"
    assert "<span" not in render_markdown(over_budget)
    long_line = "```js\n" + '"\\' * MAX_HIGHLIGHTED_LINE + "\n```"
    assert "<span" not in render_markdown(long_line)
    within = "```python\nx = 1\n```\n\n" + over_budget
    assert render_markdown(within).count('class="highlight"') == 1


def test_excerpts_read_tasks_and_code_and_leave_footnotes_out():
    content = "- [x] done\n\nSee[^1].\n\n```python\nx = 1\n```\n\n[^1]: The note."
    assert plain_text(content) == "done See. x = 1"


def test_the_same_markdown_always_renders_to_the_same_html():
    # The sanitiser adds a box's set attributes in no fixed order of its own; a preview and the
    # stored page must still be byte for byte the same.
    assert len({render_markdown("- [x] done\n- [ ] to do\n") for _ in range(100)}) == 1
