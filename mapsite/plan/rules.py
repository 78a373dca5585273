"""Rules a field alone cannot check: references between fields, logo files, and rules across plans.

Each rule says what is wrong and where (a data location, or the deal), in words for the rep;
the loader turns that into `file:line:col` problems beside the schema's own.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path

from mapsite.plan.files import display_path
from mapsite.plan.order import cycle, predecessors
from mapsite.plan.wording import Loc

if typing.TYPE_CHECKING:
    from mapsite.site.urls import UrlLayout
    from mapsite.plan.loader import Deal

SITE_FOLDERS = frozenset({"assets", "search"})  # written by MkDocs and Material: never a deal's folder
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
MAX_LOGO_BYTES = 256 * 1024


def reference_problems(data: dict) -> list[tuple[Loc, str]]:
    """Cross-field rules, checked on the raw data so they show up beside schema errors."""
    found = order_problems(_list(data.get("milestones")))
    people = data.get("stakeholders")
    if not isinstance(people, list):
        return found  # the missing list is reported already; every owner would be noise
    ids: list[str] = []
    for index, person in enumerate(people):
        if isinstance(person, dict) and isinstance(person.get("id"), str):
            if person["id"] in ids:
                found.append(((("stakeholders", index, "id")), f"stakeholder id `{person['id']}` is used twice; each stakeholder needs its own id"))
            ids.append(person["id"])
    if not ids:
        return found  # no usable stakeholder list: that error is reported already, owners would be noise
    known = ", ".join(f"`{i}`" for i in dict.fromkeys(ids))

    def check_owner(loc: Loc, owner: object) -> None:
        if isinstance(owner, str) and owner not in ids:
            close = difflib.get_close_matches(owner, ids, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            found.append((loc, f"owner `{owner}` is not a stakeholder id; {hint}known ids: {known}"))

    for m_index, milestone in enumerate(_list(data.get("milestones"))):
        if not isinstance(milestone, dict):
            continue
        for o_index, owner in enumerate(_list(milestone.get("owners"))):
            check_owner(("milestones", m_index, "owners", o_index), owner)
        for s_index, step in enumerate(_list(milestone.get("steps"))):
            if isinstance(step, dict):
                check_owner(("milestones", m_index, "steps", s_index, "owner"), step.get("owner"))
    for r_index, risk in enumerate(_list(data.get("risks"))):
        if isinstance(risk, dict):
            check_owner(("risks", r_index, "owner"), risk.get("owner"))
    check_owner(("owner",), data.get("owner"))
    found += _deal_owner_side(data.get("owner"), people)
    return found


def _deal_owner_side(owner: object, people: list) -> list[tuple[Loc, str]]:
    """The deal owner (`owner:` at the top) answers for the deal on the seller's side, never the buyer's."""
    sides = {}
    for person in people:
        if isinstance(person, dict) and isinstance(person.get("id"), str):
            sides.setdefault(person["id"], person.get("side"))
    if not isinstance(owner, str) or sides.get(owner) != "buyer":
        return []
    sellers = ", ".join(f"`{i}`" for i, side in sides.items() if side == "seller") or "none yet: add one with `side: seller`"
    return [(("owner",), f"owner `{owner}` is on the buyer's side; the deal owner is someone on your (the seller's) "
                        f"side: seller ids: {sellers}")]


def order_problems(milestones: list) -> list[tuple[Loc, str]]:
    """Milestone ids are unique, `after:` names known ids, and no milestone waits for itself, even in a loop."""
    found: list[tuple[Loc, str]] = []
    rows = [m if isinstance(m, dict) else {} for m in milestones]
    ids: dict[str, int] = {}
    for index, milestone in enumerate(rows):
        key = milestone.get("id")
        if isinstance(key, str):
            if key in ids:
                found.append((("milestones", index, "id"), f"milestone id `{key}` is used twice (also by "
                              f"{_name(rows, ids[key])}); each milestone needs its own id"))
            ids.setdefault(key, index)
    known = ", ".join(f"`{i}`" for i in ids) or "none yet: give the milestone you mean an `id:`"
    for index, milestone in enumerate(rows):
        for a_index, name in enumerate(_list(milestone.get("after"))):
            if not isinstance(name, str):
                continue
            if ids.get(name) == index:
                found.append((("milestones", index, "after", a_index), f"{_name(rows, index)} cannot come after itself; "
                              "name the milestones it waits for"))
            elif name not in ids:
                close = difflib.get_close_matches(name, list(ids), n=1)
                hint = f"did you mean `{close[0]}`? " if close else ""
                found.append((("milestones", index, "after", a_index), f"`after:` names `{name}`, which is no "
                              f"milestone's id; {hint}milestone ids: {known}"))
    if found:
        return found
    keys = [(m.get("id") if isinstance(m.get("id"), str) else None,
             [a for a in _list(m.get("after")) if isinstance(a, str)] if "after" in m else None,
             str(m.get("due", ""))) for m in rows]
    loop = cycle(predecessors(keys))
    if loop:
        steps = [f"{_name(rows, later)} comes after {_name(rows, earlier)}"
                 + ("" if "after" in rows[later] else " (it has no `after:`, so it follows the one before it by date)")
                 for later, earlier in zip(loop, loop[1:])]
        where = next((("milestones", i, "after") for i in loop if "after" in rows[i]), ("milestones", loop[0], "title"))
        found.append((where, "these milestones wait for each other in a loop: " + "; ".join(steps)
                      + "; remove one of these links from `after:`"))
    return found


def _name(rows: list[dict], index: int) -> str:
    title = rows[index].get("title")
    return f"milestone {index + 1} (`{title}`)" if isinstance(title, str) else f"milestone {index + 1}"


def logo_file(plan_path: Path, logo: str) -> Path:
    """Where a plan's `logo:` points, every link followed."""
    return (plan_path.parent / logo).resolve()


def logo_problem(plan_path: Path, logo: str | None) -> str | None:
    """A logo must be a small image file in the plans folder: it is inlined into the encrypted pages."""
    if not logo:
        return None
    file = logo_file(plan_path, logo)
    if not file.is_relative_to(plan_path.parent.resolve()):
        return f"logo `{logo}` must be a file in the plans folder, beside the plan"
    if file.suffix.lower() not in LOGO_TYPES:
        return f"logo `{logo}` must be one of: {', '.join(LOGO_TYPES)}"
    if not file.is_file():
        return f"logo `{logo}` does not exist; put the file beside the plan"
    if file.stat().st_size > MAX_LOGO_BYTES:
        return f"logo `{logo}` is larger than {MAX_LOGO_BYTES // 1024} KB; every page carries it inside its encryption"
    return None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def shared_problems(deals: list[Deal], root: Path | None, layout: UrlLayout) -> list[tuple[Deal, str]]:
    """Rules across plans: two deals must never share a share_id, nor the folder they are published in.

    Each problem is the deal at fault (pointed at by its `share_id`) and what to do.
    """
    problems: list[tuple[Deal, str]] = []
    by_share_id: dict[str, Deal] = {}
    by_folder: dict[str, Deal] = {}
    for deal in deals:
        other = by_share_id.setdefault(deal.plan.share_id, deal)
        if other is not deal:
            problems.append((deal, (
                f"share_id `{deal.plan.share_id}` is already used by {display_path(other.path, root)}; "
                "every deal needs its own random share_id (e.g. run `mapsite new` or pick 10 random letters and digits)")))
            continue
        folder = layout.folder(deal)
        if folder in SITE_FOLDERS:
            problems.append((deal, (
                f"this deal would be published in `{folder}/`, a folder the site itself uses for "
                "its styles, scripts or search; give it another random share_id")))
            continue
        other = by_folder.setdefault(folder, deal)
        if other is not deal:
            problems.append((deal, (
                f"this deal would be published in `{folder}/`, where {display_path(other.path, root)} is "
                "published too, and one of them would be lost; give one of them another random share_id")))
    return problems
