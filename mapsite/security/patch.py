"""A view sealed as the lines where it differs from another view of the same page: the team's, beside the buyer's.

The team's view of a deal page is the buyer's with a few lines more or changed (an internal step, a
note, the facts counted on them): sealing it whole compressed, encrypted and wrote a second 100 KB
page for a few hundred bytes of difference. So it travels as *ops* on the buyer's page's lines
(split at "\\n", the same in Python and JavaScript): `[start, end, lines]` replaces lines
`start`..`end - 1` with `lines`, ops in order and apart. The team's key opens both views (it reads
all the buyer reads), so the browser opens the buyer's, then applies the ops; a buyer's key opens
only the buyer's, as before. theme_overrides/assets/mapsite/unlock.js is the browser's side.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

Op = tuple[int, int, list[str]]
SYNC = 3  # lines that must agree for the two texts to be back in step
REACH = 400  # lines searched ahead for that; where they differ further, the rest is one replacement
STRIDE = 64  # equal lines compared a slice at a time before one by one


def line_ops(old: Sequence[str], new: Sequence[str]) -> list[Op]:
    """Ops that make `new` from `old`: `apply(old, line_ops(old, new)) == new`, whatever the two are.

    Not the shortest edit, a fast one (a page a fraction of a millisecond): equal lines are
    skipped, and at a difference the nearest place where `SYNC` lines agree again, the first of
    them a line `old` has once, is taken. (A page repeats its structure: `</li>` agrees with every
    other `</li>`, and an item inserted into a list would be found one item off, and every item after.)
    Lines equal at both ends are never in an op.
    """
    end_old, end_new = len(old), len(new)
    while end_old and end_new and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    once = {line for line, seen in Counter(old).items() if seen == 1}
    ops: list[Op] = []
    i = j = 0
    while True:
        while i + STRIDE <= end_old and j + STRIDE <= end_new and old[i:i + STRIDE] == new[j:j + STRIDE]:
            i, j = i + STRIDE, j + STRIDE
        while i < end_old and j < end_new and old[i] == new[j]:
            i, j = i + 1, j + 1
        if i == end_old or j == end_new:
            if i < end_old or j < end_new:
                ops.append((i, end_old, list(new[j:end_new])))
            return ops
        x, y = _in_step(old, new, i, j, end_old, end_new, once)
        ops.append((i, x, list(new[j:y])))
        i, j = x, y


def _in_step(old: Sequence[str], new: Sequence[str], i: int, j: int, end_old: int, end_new: int,
             once: set[str]) -> tuple[int, int]:
    """The nearest (x, y) past a difference at (i, j) where `SYNC` lines agree, the first in `once`; else both ends."""
    for skipped in range(1, REACH):
        for x in range(i + max(0, skipped - (end_new - j)), i + min(skipped, end_old - i) + 1):
            y = j + skipped - (x - i)
            if x == end_old:
                if y == end_new:
                    return x, y
            elif old[x] in once and old[x:min(x + SYNC, end_old)] == new[y:min(y + SYNC, end_new)]:
                return x, y
    return end_old, end_new


def apply(old: str, ops: list[Op]) -> str:
    """`old` with `ops` applied: the view they were made for."""
    lines, made, at = old.split("\n"), [], 0
    for start, end, replacement in ops:
        made += lines[at:start]
        made += replacement
        at = end
    return "\n".join(made + lines[at:])


def dumps(ops: list[Op]) -> str:
    return json.dumps(ops, ensure_ascii=False, separators=(",", ":"))


def loads(text: str, lines: int) -> list[Op]:
    """The ops of a view, checked against the `lines` of the view they apply to; ValueError if they are not ops."""
    ops = json.loads(text)
    at = 0
    if not isinstance(ops, list):
        raise ValueError("a patch is a list of ops")
    for op in ops:
        if not (isinstance(op, list) and len(op) == 3 and all(type(n) is int for n in op[:2])
                and isinstance(op[2], list) and all(isinstance(line, str) for line in op[2])):
            raise ValueError("an op is [start, end, [line, ...]]")
        if not at <= op[0] <= op[1] <= lines:
            raise ValueError("ops are in order, apart, and within the page")
        at = op[1]
    return [(start, end, replacement) for start, end, replacement in ops]
