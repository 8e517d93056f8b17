"""Fenced code with a language, coloured on the server by Pygments.

Readers get coloured code without a script: each token becomes a ``<span>`` with one of
Pygments' short classes ("k" for a keyword), and static/css/code.css colours them, light or
dark as the reader's system prefers. No inline style: the sanitiser keeps classes only, and
only Pygments' own. A language Pygments does not know, and code past the budget, stay plain.
"""

import html
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

# Every class a highlighted token can carry ("" is plain text, which gets no class).
HIGHLIGHT_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)

# Pygments' lexers are regular expressions in Python: 0.1 to 0.3 MiB/s, slowest on code that is
# all short tokens. A post's code past this many characters stays plain, so no post spends more
# than a fraction of a second here (the 2 MiB post in bench/markdown.py included).
MAX_HIGHLIGHTED_CHARACTERS = 16 * 1024
# Some lexers backtrack quadratically within a line (JavaScript on '"\\"\\…': 2,000
# characters take 0.17 s, 30,000 take 25 s); a block with a longer line stays plain.
MAX_HIGHLIGHTED_LINE = 200

# cmark-gfm's output for a fence with an info string: the language is escaped in the class,
# the code escaped in the element, and neither can hold "</code></pre>".
_FENCED_CODE = re.compile(
    r'<pre><code class="language-([^"]*)">(.*?)</code></pre>', re.DOTALL
)  # fmt: skip
_FORMATTER = HtmlFormatter(nowrap=True)


def highlight_code_blocks(rendered: str) -> str:
    """cmark-gfm's HTML with each fenced block in a known language highlighted."""
    budget = MAX_HIGHLIGHTED_CHARACTERS

    def highlighted(match: re.Match[str]) -> str:
        nonlocal budget
        code = html.unescape(match.group(2))
        if len(code) > budget or max(map(len, code.splitlines()), default=0) > MAX_HIGHLIGHTED_LINE:
            return match.group(0)
        try:
            lexer = get_lexer_by_name(html.unescape(match.group(1)))
        except ClassNotFound:
            return match.group(0)
        budget -= len(code)
        spans = highlight(code, lexer, _FORMATTER)
        return (
            f'<pre class="highlight"><code class="language-{match.group(1)}">{spans}</code></pre>'
        )

    return _FENCED_CODE.sub(highlighted, rendered)
