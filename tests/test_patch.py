"""The team's view as ops on the buyer's lines (`security.patch`): whatever two texts, the ops make one from the other;
sealed, only the team's key opens them, and only on a page it opens too."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapsite.security import patch, protect, records
from mapsite.security.keys import derive_key
from mapsite.security.protect import Lock

# Few distinct lines, so texts repeat themselves as pages do (`</li>` after every item).
LINES = st.lists(st.sampled_from(["<li>", "</li>", "a", "b", "Ask the CFO", "", "ü€😀", "\r"]),
                 min_size=1, max_size=40)  # a text is one line at least


@given(LINES, LINES)
def test_the_ops_make_the_new_lines_from_the_old(old, new):
    ops = patch.line_ops(old, new)
    text = "\n".join(old)
    assert patch.apply(text, patch.loads(patch.dumps(ops), text.count("\n") + 1)) == "\n".join(new)
    assert all(start <= end for start, end, _ in ops)
    assert all(a[1] < b[0] for a, b in zip(ops, ops[1:]))  # apart: an equal line between each two


@given(LINES, LINES, LINES)
def test_lines_the_two_share_at_either_end_are_in_no_op(head, middle, tail):
    old, new = ["", *head, "x", *tail, ""], ["", *head, *middle, *tail, ""]
    for start, end, _ in patch.line_ops(old, new):
        assert 0 < start and end < len(old) - 1


def test_an_item_inserted_into_a_list_is_one_op_not_a_shift_of_every_item_after():
    def item(n):
        return ["  <li>", f"    <span>Step {n}</span>", "    <span>due 1 May</span>", "    <span>Ana</span>", "  </li>"]
    old = ["<ol>", *[line for n in range(1, 30) for line in item(n)], "</ol>"]
    new = old[:1 + 5 * 10] + item(99) + old[1 + 5 * 10:-1] + ["</ol><p>2 internal</p>"]  # and a change after it
    [(start, end, lines), last] = patch.line_ops(old, new)
    assert start == end and len(lines) == 5 and "    <span>Step 99</span>" in lines
    assert last == (len(old) - 1, len(old), ["</ol><p>2 internal</p>"])


@pytest.mark.parametrize("ops, why", [
    ('{"a": 1}', "a list"), ("[[0, 1]]", r"\[start, end"), ('[[2, 1, []]]', "in order"), ('[[0, 9, []]]', "within"),
    ('[[0, 2, []], [1, 3, []]]', "in order"), ('[[0, 1, [3]]]', r"\[start, end"), ("[[true, 1, []]]", r"\[start, end"),
])
def test_ops_that_are_not_ops_on_the_page_are_refused(ops, why):
    with pytest.raises(ValueError, match=why):
        patch.loads(ops, 3)


def _realm(password: str, iterations: int = 1000):
    salt = os.urandom(16)
    return records.sealed(derive_key(password, salt, iterations), os.urandom(32), salt, iterations), password


def _opener(password: str):
    return lambda salt, iterations: derive_key(password, salt, iterations)


def test_the_team_opens_its_ops_on_the_buyers_page_and_the_buyer_opens_the_page_alone():
    (deal, deal_pw), (team, team_pw) = _realm("deal words"), _realm("team words")
    page, made = "<html>\n<p>plan</p>\n</html>", "<html>\n<p>plan</p>\n<p>Internal: call the CFO</p>\n</html>"
    ops = patch.line_ops(page.split("\n"), made.split("\n"))
    payload = protect.seal([protect.View(patch.dumps(ops), [Lock("team", team)], patches=1),
                            protect.View(page, [Lock("deal", deal), Lock("team", team)])], "d/")
    views = protect.views_of(json.loads(protect.payload_json(payload)))
    assert protect.open_page(views, 0, _opener(team_pw), "d/") == made
    assert protect.open_page(views, 0, _opener(deal_pw), "d/") is None  # the buyer's key opens no ops
    assert protect.open_page(views, 1, _opener(deal_pw), "d/") == page


def test_ops_are_sealed_only_for_a_page_every_lock_of_theirs_opens():
    (deal, _), (team, _) = _realm("deal words"), _realm("team words")
    with pytest.raises(ValueError, match="every lock"):  # the buyer's page without the team's lock
        protect.seal([protect.View("[]", [Lock("team", team)], patches=1), protect.View("<p>", [Lock("deal", deal)])], "d/")
    with pytest.raises(ValueError, match="every lock"):  # ops on ops
        protect.seal([protect.View("[]", [Lock("team", team)], patches=0)], "d/")


@pytest.mark.parametrize("patches", [1, 5, -1, "0"])
def test_a_payload_whose_ops_name_no_page_is_refused(patches):
    (team, _) = _realm("team words")
    payload = protect.seal([protect.View("[]", [Lock("team", team)]), protect.View("<p>", [Lock("team", team)])], "d/")
    payload["views"][0]["patches"] = 0
    payload["views"][1]["patches"] = patches
    with pytest.raises(protect.PayloadError):
        protect.views_of(payload)


def test_ops_that_do_not_fit_the_page_are_a_payload_error_not_a_crash():
    (team, team_pw) = _realm("team words")
    payload = protect.seal([protect.View("[[0, 9, []]]", [Lock("team", team)], patches=1),
                            protect.View("<p>", [Lock("team", team)])], "d/")
    with pytest.raises(protect.PayloadError, match="not ops on the page"):
        protect.open_page(protect.views_of(payload), 0, _opener(team_pw), "d/")
