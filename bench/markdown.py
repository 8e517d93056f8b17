"""Time blog.rendering.render_markdown on inputs that made Python-Markdown quadratic.

    python bench/markdown.py [--mebibytes 2] [--old-sizes 5000,10000,20000]

Renders each pathological input at the full size (2 MiB, a post's maximum) with the current
renderer, and at a few small sizes with Python-Markdown (the old renderer, with its old
extensions) when the ``markdown`` package is importable, extrapolating its quadratic time.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The project root replaces this script's folder, where "markdown" would be this very file.
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

INPUTS = {
    '"["': "[",
    '"!["': "![",
    '"*a_"': "*a_",
    '"*"': "*",
    '">"': ">",
    '">["': ">[",
    '"\'"': "'",
    "plain lines": "a\n",
}


def seconds(render, text: str) -> float:
    started = time.perf_counter()
    render(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mebibytes", type=float, default=2)
    parser.add_argument("--old-sizes", default="5000,10000,20000")
    args = parser.parse_args()
    import django

    django.setup()
    from blog.rendering import render_markdown

    try:
        import markdown
    except ImportError:
        markdown = None

    def render_old(text: str) -> str:
        extensions = ["fenced_code", "tables", "sane_lists", "smarty", "toc"]
        return markdown.markdown(text, extensions=extensions, output_format="html")

    size = int(args.mebibytes * 1024 * 1024)
    old_sizes = [int(n) for n in args.old_sizes.split(",")]
    print(
        f"| input | new, {args.mebibytes:g} MiB | old, {' / '.join(map(str, old_sizes))} chars "
        f"| old, {args.mebibytes:g} MiB (extrapolated) |"
    )
    print("|---|---|---|---|")
    for name, unit in INPUTS.items():
        new = seconds(render_markdown, unit * (size // len(unit)))
        old_cells = ["(markdown not installed)", ""]
        if markdown is not None:
            old = [seconds(render_old, unit * (n // len(unit))) for n in old_sizes]
            # Growth fitted on the last two sizes; below 0.5 s the timings are too noisy for it.
            exponent = math.log(old[-1] / old[-2], old_sizes[-1] / old_sizes[-2])
            projected = old[-1] * (size / old_sizes[-1]) ** exponent
            guess = f"{projected / 3600:,.1f} h (n^{exponent:.1f})" if old[-1] >= 0.5 else "n/a"
            old_cells = [" / ".join(f"{t:.2f} s" for t in old), guess]
        print(f"| {name} * n | {new:.2f} s | {old_cells[0]} | {old_cells[1]} |", flush=True)


if __name__ == "__main__":
    main()
