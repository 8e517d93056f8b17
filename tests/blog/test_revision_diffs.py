"""Side-by-side line diffs: every line of both texts is accounted for, in order, and the cost
stays bounded for 2 MiB posts (past the line cap a changed stretch is shown whole)."""

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from blog.revision_diffs import diff_lines

# Lines from a small alphabet, so texts share many lines and the diff has work to do.
_texts = st.lists(st.sampled_from(["a", "b", "c", "", "a b", "<i>"]), max_size=40).map("\n".join)


def _side(rows, side):
    """The (number, line) pairs of one side, and the lines folded away."""
    shown = [
        (getattr(row, f"{side}_number"), getattr(row, side))
        for row in rows
        if getattr(row, f"{side}_number") is not None
    ]
    folded = sum(row.folded_lines for row in rows)
    return shown, folded


@given(before=_texts, after=_texts, max_lines=st.sampled_from([0, 3, 1000]))
@settings(max_examples=300, deadline=None)
def test_each_side_shows_its_own_lines_in_order_with_the_rest_folded(before, after, max_lines):
    diff = diff_lines(before, after, max_lines=max_lines)
    for side, text in (("before", before), ("after", after)):
        lines = text.splitlines()
        shown, folded = _side(diff.rows, side)
        assert len(shown) + folded == len(lines)
        numbers = [number for number, _ in shown]
        assert numbers == sorted(numbers)
        assert all(lines[number - 1] == line for number, line in shown)
    assert diff.has_changes == (before.splitlines() != after.splitlines())


@given(before=_texts, after=_texts)
@settings(max_examples=200, deadline=None)
def test_removed_and_added_counts_match_the_marked_rows(before, after):
    diff = diff_lines(before, after, max_lines=1000)
    marked = [row for row in diff.rows if row.kind in ("removed", "changed", "added")]
    assert diff.removed_lines == sum(row.before is not None for row in marked)
    assert diff.added_lines == sum(row.after is not None for row in marked)


def test_unchanged_runs_are_folded_to_three_lines_of_context():
    before = "\n".join(f"line {n}" for n in range(100))
    after = before.replace("line 50", "line fifty")
    diff = diff_lines(before, after, max_lines=1000)
    kinds = [row.kind for row in diff.rows]
    assert kinds == ["folded", "same", "same", "same", "changed", "same", "same", "same", "folded"]
    assert [row.folded_lines for row in diff.rows if row.kind == "folded"] == [47, 46]


def test_past_the_line_cap_the_changed_stretch_is_shown_whole():
    before = "\n".join(["same start", *(f"old {n}" for n in range(10)), "same end"])
    after = "\n".join(["same start", *(f"new {n}" for n in range(10)), "same end"])
    diff = diff_lines(before, after, max_lines=19)
    assert not diff.is_line_by_line
    assert (diff.removed_lines, diff.added_lines) == (10, 10)
    assert diff.rows[0].before == "same start" and diff.rows[-1].after == "same end"


def test_rows_past_the_row_cap_are_counted_not_kept():
    diff = diff_lines("", "\n".join(map(str, range(50))), max_lines=1000, max_rows=10)
    assert len(diff.rows) == 10
    assert diff.rows_left_out == 40


def _timed(before, after, **options):
    started = time.perf_counter()
    diff = diff_lines(before, after, **options)
    return diff, time.perf_counter() - started


def test_two_different_two_mebibyte_posts_are_compared_in_bounded_time():
    before = "\n".join(f"before line {n:06d} " + "x" * 30 for n in range(45_000))
    after = "\n".join(f"after line {n:06d} " + "y" * 30 for n in range(45_000))
    assert len(before) > 2_000_000
    diff, seconds = _timed(before, after, max_lines=4000)
    assert not diff.is_line_by_line
    assert seconds < 5  # ~0.05 s measured; the cap keeps difflib off 90,000 lines


def test_repetitive_text_at_the_line_cap_stays_fast():
    # Few distinct lines are difflib's worst case: without autojunk, 4,100 such lines took 75 s.
    before = "\n".join(["x", "y"] * 1000)
    after = "\n".join(["y", "x", "z"] * 700)
    diff, seconds = _timed(before, after, max_lines=4100)
    assert diff.is_line_by_line
    assert seconds < 5  # ~0.01 s measured
