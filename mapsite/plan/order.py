"""The order between a plan's milestones: what each one comes after.

A milestone comes after the milestones its `after:` names; without `after:`, after the milestone before
it in date order, because the plan was worked back from go-live. The loader refuses a loop
(`rules.order_problems`); the projection (`insight.projection`) carries delays along this order.
"""

from __future__ import annotations

from collections.abc import Sequence


def predecessors(keys: Sequence[tuple[str | None, list[str] | None, object]]) -> list[list[int]]:
    """For each milestone, given as (id, after, due), the indexes of the milestones it comes after.

    Ids `after:` names that no milestone has are left out (the loader reports them; the buyer's view
    drops internal milestones). `due` only needs to sort; milestones due the same day keep plan order.
    """
    index = {key: i for i, (key, _, _) in enumerate(keys) if key is not None}
    order = sorted(range(len(keys)), key=lambda i: (keys[i][2], i))
    previous = {later: earlier for earlier, later in zip(order, order[1:])}
    found = []
    for i, (_, after, _) in enumerate(keys):
        if after is None:
            found.append([previous[i]] if i in previous else [])
        else:
            found.append(list(dict.fromkeys(index[a] for a in after if a in index)))
    return found


def cycle(preds: list[list[int]]) -> list[int] | None:
    """Milestone indexes that come after each other in a loop (first again at the end), or None."""
    state = [0] * len(preds)  # 0 unseen, 1 on the current path, 2 finished
    for start in range(len(preds)):
        if state[start]:
            continue
        path, stack = [start], [iter(preds[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[nxt] == 1:
                return path[path.index(nxt):] + [nxt]
            elif state[nxt] == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(preds[nxt]))
    return None
