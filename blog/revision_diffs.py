"""Side-by-side line diffs of two texts, bounded in cost for 2 MiB posts: the lines both share
at the start and end are set aside in linear time, difflib compares what is left only while it
is at most ``max_lines`` lines (difflib is quadratic in them; past it, that stretch shows as
removed and added whole), unchanged runs are folded to a few lines of context, and at most
``max_rows`` rows are kept. Plain data in and out; no Django."""

import difflib
from dataclasses import dataclass, field
from typing import Literal

RowKind = Literal["same", "removed", "added", "changed", "folded"]
# Unchanged lines shown around each change; longer unchanged runs are folded.
CONTEXT_LINES = 3
# Rows a diff keeps (~450 KiB of HTML); the rest are counted (a 2 MiB rewrite is ~45,000 rows).
MAX_ROWS = 1000

_Opcode = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side table: a line on either side (numbered from 1), or, for
    ``folded``, ``folded_lines`` unchanged lines left out."""

    kind: RowKind
    before_number: int | None = None
    before: str | None = None
    after_number: int | None = None
    after: str | None = None
    folded_lines: int = 0


@dataclass(frozen=True)
class LineDiff:
    rows: list[DiffRow] = field(default_factory=list)
    removed_lines: int = 0
    added_lines: int = 0
    # False when the changed stretch was past ``max_lines`` and shown whole, not line by line.
    is_line_by_line: bool = True
    # Rows past ``max_rows``, not kept.
    rows_left_out: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.removed_lines or self.added_lines)


def _common_ends(before: list[str], after: list[str]) -> tuple[int, int]:
    """How many lines the two share at the start, and then at the end."""
    shortest = min(len(before), len(after))
    start = 0
    while start < shortest and before[start] == after[start]:
        start += 1
    end = 0
    while end < shortest - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return start, end


def _opcodes(before: list[str], after: list[str], max_lines: int) -> tuple[list[_Opcode], bool]:
    start, end = _common_ends(before, after)
    before_end, after_end = len(before) - end, len(after) - end
    middle_before, middle_after = before[start:before_end], after[start:after_end]
    is_line_by_line = len(middle_before) + len(middle_after) <= max_lines
    codes: list[_Opcode] = [("equal", 0, start, 0, start)]
    if is_line_by_line:
        # autojunk (lines in over 1% of a long text, such as blank ones, do not anchor a match)
        # keeps repetitive texts fast: without it 4,000 lines of a few repeated values took 75 s.
        matcher = difflib.SequenceMatcher(None, middle_before, middle_after, autojunk=True)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            codes.append((tag, start + i1, start + i2, start + j1, start + j2))
    elif middle_before or middle_after:
        codes.append(("replace", start, before_end, start, after_end))
    codes.append(("equal", before_end, len(before), after_end, len(after)))
    return [code for code in codes if code[1] != code[2] or code[3] != code[4]], is_line_by_line


def _changed_rows(
    before: list[str], after: list[str], i1: int, i2: int, j1: int, j2: int, *, limit: int
) -> list[DiffRow]:
    """Removed lines beside added ones, paired in order; the longer side goes on alone. At
    most ``limit`` rows."""
    rows = []
    for offset in range(min(limit, max(i2 - i1, j2 - j1))):
        i, j = i1 + offset, j1 + offset
        has_before, has_after = i < i2, j < j2
        kind: RowKind = (
            "changed" if has_before and has_after else "removed" if has_before else "added"
        )
        rows.append(
            DiffRow(
                kind,
                before_number=i + 1 if has_before else None,
                before=before[i] if has_before else None,
                after_number=j + 1 if has_after else None,
                after=after[j] if has_after else None,
            )
        )
    return rows


def _same_rows(
    before: list[str], i1: int, i2: int, j1: int, *, is_first: bool, is_last: bool
) -> list[DiffRow]:
    """An unchanged run: the lines next to a change, the rest folded."""
    length = i2 - i1
    head = 0 if is_first else CONTEXT_LINES
    tail = 0 if is_last else CONTEXT_LINES
    if length <= head + tail + 1:
        head, tail = length, 0

    def same(offset: int) -> DiffRow:
        return DiffRow(
            "same",
            before_number=i1 + offset + 1,
            before=before[i1 + offset],
            after_number=j1 + offset + 1,
            after=before[i1 + offset],
        )

    rows = [same(offset) for offset in range(head)]
    if length > head + tail:
        rows.append(DiffRow("folded", folded_lines=length - head - tail))
    rows += [same(offset) for offset in range(length - tail, length)]
    return rows


def diff_lines(before: str, after: str, *, max_lines: int, max_rows: int = MAX_ROWS) -> LineDiff:
    """The side-by-side diff of ``before`` and ``after``, line by line."""
    before_lines, after_lines = before.splitlines(), after.splitlines()
    codes, is_line_by_line = _opcodes(before_lines, after_lines, max_lines)
    rows: list[DiffRow] = []
    removed = added = left_out = 0
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            is_first, is_last = index == 0, index == len(codes) - 1
            more = _same_rows(before_lines, i1, i2, j1, is_first=is_first, is_last=is_last)
        else:
            removed += i2 - i1
            added += j2 - j1
            # Past the cap, rows are counted, not built: a 2 MiB rewrite is ~45,000 of them.
            room = max(0, max_rows - len(rows))
            rows += _changed_rows(before_lines, after_lines, i1, i2, j1, j2, limit=room)
            left_out += max(0, max(i2 - i1, j2 - j1) - room)
            continue
        room = max(0, max_rows - len(rows))
        rows += more[:room]
        left_out += max(0, len(more) - room)
    return LineDiff(
        rows=rows,
        removed_lines=removed,
        added_lines=added,
        is_line_by_line=is_line_by_line,
        rows_left_out=left_out,
    )
