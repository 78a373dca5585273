"""The plan file's schema: what a rep may write in the front matter of `plans/<slug>.md`.

Field names here are the contract with our users (see the canonical Northwind plan):
add fields freely, never rename or drop one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Status = Literal["not_started", "in_progress", "done", "blocked"]
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "blocked")
Side = Literal["buyer", "seller"]
Health = Literal["on_track", "at_risk", "off_track"]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SHARE_ID = re.compile(r"[a-z0-9-]+")


def _iso_date(value: object) -> object:
    """Accept only `YYYY-MM-DD` text: YAML ints or datetimes would otherwise slip through."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
        raise ValueError("date_format")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("date_impossible") from None


def _text(value: object) -> object:
    """Numbers are text too: `baseline: 112` in YAML means the words "112"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Party(Strict):
    """One side of the deal."""

    name: Text = Field(description="Company name.", examples=["Northwind Logistics"])
    logo: str | None = Field(
        default=None,
        description="Logo file beside the plan (SVG, PNG, JPEG or WebP); shown inside the protected pages.",
        examples=["northwind-logo.svg"],
    )


class Stakeholder(Strict):
    """A person, or a role still waiting for a name."""

    id: Id = Field(description="Short id used by `owners` and `owner`.", examples=["dana"])
    name: Text | None = Field(default=None, description="Full name; leave out while the role is open.")
    side: Side = Field(description="`buyer` or `seller`.")
    role: Text | None = Field(default=None, description="Job title and part in the deal.", examples=["VP Operations, economic buyer"])
    email: Annotated[str, Field(pattern=r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")] | None = None
    phone: Text | None = None
    name_by: IsoDate | None = Field(default=None, description="Date by which an open role should have a name.")


class Step(Strict):
    """A sub-step of a milestone."""

    task: Text
    owner: Id | None = None
    due: IsoDate | None = None
    status: Status = "not_started"
    internal: bool = Field(default=False, description="Team-only: never published.")


class Milestone(Strict):
    title: Text
    value: Text | None = Field(default=None, description="What the buyer gets when this milestone is done.")
    due: IsoDate
    baseline: IsoDate | None = Field(default=None, description="The originally agreed date; a later `due` is a slip.")
    status: Status = "not_started"
    owners: list[Id] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    internal: bool = Field(default=False, description="Team-only: never published.")


class Event(Strict):
    """A key date on the customer's calendar (freeze, board meeting, peak season)."""

    date: IsoDate
    title: Text


class Risk(Strict):
    risk: Text
    mitigation: Text | None = None
    owner: Id | None = None
    internal: bool = Field(default=False, description="Team-only: never published.")


class Kpi(Strict):
    metric: Text
    baseline: Text | None = None
    target: Text
    by: IsoDate | None = None


class Commercial(Strict):
    item: Text
    amount: Text
    internal: bool = Field(default=False, description="Team-only: never published.")


class Resource(Strict):
    title: Text
    url: Annotated[str, Field(pattern=r"^(https?://|mailto:)\S+$")]


class Note(Strict):
    """Free text for the team; published only when not `internal`."""

    text: Text
    internal: bool = True


class Plan(Strict):
    """A mutual action plan: the front matter of one `plans/<slug>.md`."""

    title: Text = Field(examples=["Northwind Logistics × Acme Analytics"])
    buyer: Party
    seller: Party
    share_id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$", min_length=6, max_length=64)] = Field(
        description="Random token that becomes part of the deal's address; only a-z, 0-9 and -.",
        examples=["k7qm2xtz9p"],
    )
    go_live: IsoDate
    value_summary: Text = Field(description="What the buyer gets, in the buyer's words (20-30 words).")
    objectives: list[Text] = Field(default_factory=list)
    stakeholders: list[Stakeholder] = Field(min_length=1)
    milestones: list[Milestone] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    kpis: list[Kpi] = Field(default_factory=list)
    commercials: list[Commercial] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    cadence: Text | None = None
    status: Health | None = Field(default=None, description="Set by hand to override the derived deal status.")
    status_note: Text | None = Field(default=None, description="Why, in a few words, when `status` is set by hand.")
    notes: list[Note] = Field(default_factory=list)

    def stakeholder(self, stakeholder_id: str | None) -> Stakeholder | None:
        return next((s for s in self.stakeholders if s.id == stakeholder_id), None)


def public_view(plan: Plan) -> Plan:
    """The plan as the buyer may see it: every `internal: true` item removed."""
    milestones = [
        m.model_copy(update={"steps": [s for s in m.steps if not s.internal]})
        for m in plan.milestones
        if not m.internal
    ]
    return plan.model_copy(update={
        "milestones": milestones,
        "risks": [r for r in plan.risks if not r.internal],
        "commercials": [c for c in plan.commercials if not c.internal],
        "notes": [n for n in plan.notes if not n.internal],
    })
