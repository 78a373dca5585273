"""The team page's content. A placeholder until the team page's own view lands: one link per deal."""

from __future__ import annotations

from markupsafe import escape


def render_team(rows, actions, env, *, today, links) -> str:
    """A list of every deal, linked; `actions` and `today` are for the full page."""
    items = "".join(f'<li><a href="{escape(links[r.slug])}">{escape(r.buyer)}</a>: {escape(r.title)}</li>' for r in rows)
    return f'<div class="ms-team"><ul id="ms-team-deals">{items}</ul></div>'
