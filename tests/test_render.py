"""Rendering details the pages rely on, checked on the fragments themselves (no MkDocs build needed).

Plans are the canonical Northwind plan (tests/northwind-logistics.md), edited line by line and read from text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import edited
from mapsite.plan import load_text
from mapsite.site import kinds
from mapsite.site import render as pages

TODAY = dt.date(2026, 11, 24)


def test_a_persons_name_and_role_are_escaped_wherever_the_page_names_them() -> None:
    """A name or role holding markup reads as text, in the person's chip and in its tooltip, named or not."""
    deal, problems = load_text(edited(
        ("    name: Marco Ruiz\n", "    name: 'Marco <b>\"Ruiz\"</b> & co'\n"),
        ("    role: Director of Dispatch, champion\n", "    role: 'Director <i>of</i> \"Dispatch\"'\n"),
        ("    role: Legal counsel\n", "    role: 'Legal <counsel> & co'\n"),
    ), Path("plans/northwind-logistics.md"))
    assert problems == []
    html = "".join(pages.render_page(kind, deal, TODAY) for kind in kinds.DEAL_KINDS)
    assert ('<span class="ms-person ms-side-buyer" title="Director &lt;i&gt;of&lt;/i&gt; &#34;Dispatch&#34;">'
            'Marco &lt;b&gt;&#34;Ruiz&#34;&lt;/b&gt; &amp; co<span class="ms-side-tag">buyer</span></span>') in html
    assert ('<span class="ms-person ms-side-buyer" title="Legal &lt;counsel&gt; &amp; co">Legal &lt;counsel&gt; &amp; co '
            '<em class="ms-tbn">(to be named)</em><span class="ms-side-tag">buyer</span></span>') in html
    assert "<b>" not in html and "<i>of" not in html and "<counsel>" not in html
