"""Template placeholders: text a rep must replace before a buyer may see the plan.

Every template marks such text the same way, in any language: between `⟦` and `⟧`
(`⟦Replace this with the outcome in the buyer's own words…⟧`, `⟦Ihr Unternehmen⟧`). These two
marks are the one definition: a template in a new language that keeps them is covered with
nothing to register, and a plan keeps being flagged until the rep has rewritten the text and
dropped the marks. Marks never occur in business writing, so a real plan is never flagged.

Only text that can reach a page counts: the front matter's values (found through YAML's own
positions, so a `# comment` is passed over) and the Markdown body. Whether a placeholder stops the
build is the caller's choice (an error in CI, a warning locally; see `mapsite check`, the plugin).
"""

from __future__ import annotations

import re
from dataclasses import replace

import yaml

__all__ = ["OPEN", "CLOSE", "find", "left_in", "message"]

OPEN, CLOSE = "⟦", "⟧"
SHOWN = 48  # characters of a placeholder quoted in the message


def find(text: str, front: str, body: str) -> list[tuple[int, int, str]]:
    """(line, column, message) for each placeholder in a plan's `text`, split as the loader split it."""
    if OPEN not in text:
        return []
    front_at = text.index("\n") + 1  # the front matter follows the opening `---` line
    starts = [front_at + index for index in _in_values(front)] + [len(text) - len(body) + m.start()
                                                                   for m in re.finditer(OPEN, body)]
    return [(text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i), message(text[i:])) for i in sorted(starts)]


def message(rest: str) -> str:
    """What is wrong and what would be right, quoting the start of the placeholder at the head of `rest`."""
    end = rest.find(CLOSE)
    inner = " ".join((rest[1:end] if end > 0 else rest[1:SHOWN + 1]).split())
    shown = inner if len(inner) <= SHOWN else inner[:SHOWN].rstrip() + "…"
    return (f"placeholder text from the template, `{OPEN}{shown}{CLOSE}`: write the deal's own words here, "
            f"without the {OPEN} {CLOSE} marks, before a buyer sees the plan")


def _in_values(front: str) -> list[int]:
    """Indexes into `front` of each `⟦` inside a key or value; the whole text when it is not YAML at all."""
    try:
        root = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return [m.start() for m in re.finditer(OPEN, front)]
    found: list[int] = []
    stack = [root] if root is not None else []
    seen: set[int] = set()  # an alias is the node it names: visit each once
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            start = node.start_mark.index
            found += [start + m.start() for m in re.finditer(OPEN, front[start:node.end_mark.index])]
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
    return sorted(found)


def left_in(deals: list, ci: bool) -> list:
    """Every deal's placeholders as problems: errors in CI, where nothing unfinished may be published; warnings locally."""
    return [replace(p, level="error" if ci else "warning") for deal in deals for p in deal.placeholders]
