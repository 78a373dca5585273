"""Problems in the form each reader wants: a person's terminal, GitHub Actions annotations, or JSON for tools."""

from __future__ import annotations

import json
from dataclasses import asdict

from mapsite.plan import Problem

FORMATS = ("text", "github", "json")


def render(problems: list[Problem], fmt: str) -> str:
    """All problems as one block of text (no trailing newline); empty text when there are none, except for JSON."""
    if fmt == "json":
        return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(annotation(p) for p in problems)
    return "\n".join(str(p) for p in problems)


def annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command, shown on the plan's line in the pull request."""
    command = "error" if problem.level == "error" else "warning"
    props = f"file={_property(problem.path)},line={problem.line},col={problem.col},title={_property('mapsite check')}"
    return f"::{command} {props}::{_data(problem.message)}"


def _data(text: str) -> str:
    """GitHub's escaping for a command's message: %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """GitHub's escaping for a command's property values: as for messages, plus : and ,."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
