"""The plan file's schema: what a rep may write in the front matter of `plans/<slug>.md`.

Field names here are the contract with our users (see the canonical Northwind plan):
add fields freely, never rename or drop one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from babel.numbers import is_currency
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from mapsite.languages import language

Status = Literal["not_started", "in_progress", "done", "blocked"]
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "blocked")
Side = Literal["buyer", "seller"]
Health = Literal["on_track", "at_risk", "off_track"]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
YEARS = (1900, 2999)  # far beyond any plan; a date near 0001 or 9999 would overflow the timeline's arithmetic


def iso_date(value: object) -> dt.date:
    """Accept only `YYYY-MM-DD` text (or a date) in YEARS: YAML ints or datetimes would otherwise slip through."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
        raise ValueError("date_format")
    else:
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("date_impossible") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"`{day}` is not a plausible date; use a year from {YEARS[0]} to {YEARS[1]}")
    return day


def date_error(value: object, error: ValueError) -> str:
    """Plain words for an `iso_date` refusal, for dates given outside a plan (mkdocs.yml, the command line)."""
    return {"date_format": f"`{value}` is not a date; use YYYY-MM-DD, e.g. 2027-03-01",
            "date_impossible": f"`{value}` is not a real date (check the month and the day)"}.get(str(error), str(error))


def company_name(value: object) -> str:
    """A company's name given outside a plan (`--seller`, the `seller:` option): text on one line, trimmed."""
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ValueError("a company's name is text on one line, like `Acme Analytics`")
    return value.strip()


def _text(value: object) -> object:
    """Numbers are text too: `baseline: 112` in YAML means the words "112"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


class _NumberIsText:
    """Schema side of `_text`: editors must not flag `baseline: 112`, which the loader reads as text."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"anyOf": [handler(core_schema), {"type": "number"}]}


class _DateText:
    """Schema side of `iso_date`: a plan's dates are `YYYY-MM-DD` text, exactly."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(core_schema), "pattern": r"^\d{4}-\d{2}-\d{2}$"}


IsoDate = Annotated[dt.date, BeforeValidator(iso_date), _DateText()]


def language_tag(value: object) -> str:
    """A language mapsite speaks, as its BCP 47 tag (`de_at` -> `de-AT`); else the supported ones, in words."""
    return language(str(value)).tag


LanguageTag = Annotated[str, BeforeValidator(language_tag), Field(examples=["de", "de-AT", "fr", "es", "nl", "en-US"])]
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1), _NumberIsText()]
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
    name: Text | None = Field(default=None, description="Full name; leave out while the role is open.",
                              examples=["Dana Whitfield"])
    side: Side = Field(description="`buyer` or `seller`.")
    role: Text | None = Field(default=None, description="Job title and part in the deal.", examples=["VP Operations, economic buyer"])
    email: Annotated[str, Field(pattern=r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")] | None = Field(
        default=None, description="Email address, shown to everyone who opens the plan.",
        examples=["dana.whitfield@northwind.example"])
    phone: Text | None = Field(default=None, description="Phone number, shown to everyone who opens the plan.",
                               examples=["+1 312 555 0142"])
    name_by: IsoDate | None = Field(default=None, description="Date by which an open role should have a name.",
                                    examples=["2026-11-13"])

    @property
    def label(self) -> str:
        """How a list of owners names this person: the name, or while the role is open the role (else the id)."""
        return self.name or self.role or self.id


class Step(Strict):
    """A sub-step of a milestone."""

    task: Text = Field(description="What needs doing, in a few words.", examples=["Send the SOC 2 report"])
    owner: Id | None = Field(default=None, description="Stakeholder `id` of the one person who does it.", examples=["lena"])
    due: IsoDate | None = Field(default=None, description="Due date, YYYY-MM-DD; on or before its milestone's `due`.",
                                examples=["2026-11-20"])
    status: Status = Field(default="not_started", description="`not_started`, `in_progress`, `done` or `blocked`.")
    internal: bool = Field(default=False, description="Team-only: never published.")


class Milestone(Strict):
    """One agreed step towards go-live and the value after it."""

    title: Text = Field(description="Short name of the milestone.", examples=["Security and compliance review"])
    id: Id | None = Field(default=None, description="Short id, unique in the plan, for other milestones' `after:`.",
                          examples=["security"])
    value: Text | None = Field(default=None, description="What the buyer gets when this milestone is done.",
                               examples=["IT signs off once, with every question answered in one place."])
    due: IsoDate = Field(description="Due date, YYYY-MM-DD.", examples=["2026-12-11"])
    baseline: IsoDate | None = Field(default=None, description="The originally agreed date; a later `due` is a slip.",
                                     examples=["2026-11-20"])
    status: Status = Field(default="not_started", description="`not_started`, `in_progress`, `done` or `blocked`.")
    owners: list[Id] = Field(default_factory=list, description="Stakeholder ids; name one from each side.",
                             examples=[["priya", "lena"]])
    after: list[Id] | None = Field(default=None, description="Ids of the milestones this one waits for; "
                                   "without it, the milestone before it in date order.", examples=[["pilot", "security"]])
    steps: list[Step] = Field(default_factory=list, description="The tasks that get this milestone done.")
    internal: bool = Field(default=False, description="Team-only: never published.")


class Event(Strict):
    """A key date on the customer's calendar (freeze, board meeting, peak season)."""

    date: IsoDate = Field(description="The day, YYYY-MM-DD.", examples=["2026-12-23"])
    title: Text = Field(description="What happens that day.", examples=["Holiday change freeze begins"])
    hard: bool = Field(default=False, description="A date the go-live must not pass (a freeze, peak season): "
                       "a projected go-live past it puts the deal off track.")


class Freeze(Strict):
    """The buyer's change freeze (the year-end, a peak season): `mapsite new` schedules no date inside it."""

    start: IsoDate = Field(alias="from", description="The freeze's first day, YYYY-MM-DD.", examples=["2026-12-20"])
    end: IsoDate = Field(alias="to", description="The freeze's last day, YYYY-MM-DD; on or after `from`.",
                         examples=["2027-01-04"])

    @model_validator(mode="after")
    def _in_order(self) -> Freeze:
        if self.end < self.start:
            raise ValueError(f"the freeze ends (`to: {self.end}`) before it starts (`from: {self.start}`); "
                             "`to:` is its last day, on or after `from:`")
        return self

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Risk(Strict):
    """Something that could delay the plan, and what is done about it."""

    risk: Text = Field(description="What could go wrong.", examples=["Security review queue is four weeks long"])
    mitigation: Text | None = Field(default=None, description="What is being done about it.",
                                    examples=["Questionnaire sent in week one; review slot booked early"])
    owner: Id | None = Field(default=None, description="Stakeholder `id` of who handles it.", examples=["lena"])
    internal: bool = Field(default=False, description="Team-only: never published.")


class Kpi(Strict):
    """A number that shows the value was delivered."""

    metric: Text = Field(description="What is measured.", examples=["Daily dispatch planning time"])
    baseline: Text | None = Field(default=None, description="Where it stands today.", examples=["6 hours"])
    target: Text = Field(description="Where it should be.", examples=["45 minutes"])
    by: IsoDate | None = Field(default=None, description="When the target should be reached, YYYY-MM-DD.",
                               examples=["2027-04-30"])


def currency_code(value: object) -> str:
    """An ISO 4217 code Babel knows (`EUR`), so the page can write the amount the reader's way."""
    code = str(value).strip().upper()
    if not is_currency(code):
        raise ValueError(f"`{value}` is not a currency code; use ISO 4217, e.g. EUR, USD, GBP, CHF")
    return code


def _number(value: object) -> object:
    """YAML's `true` and `.nan` are not amounts, though pydantic would read them as 1.0 and NaN."""
    if isinstance(value, bool) or (isinstance(value, float) and value != value):
        raise ValueError(f"`{str(value).lower()}` is not a number; write digits only, e.g. 186000")
    return value


Currency = Annotated[str, BeforeValidator(currency_code)]
Money = Annotated[float, BeforeValidator(_number), Field(ge=0, le=1e15)]
Forecast = Literal["commit", "best_case", "pipeline", "omitted"]


class Commercial(Strict):
    """One line of the commercial terms: the price as text, or as a number and currency (written in the deal's language)."""

    item: Text = Field(description="What is bought.", examples=["Annual subscription, 60 planner seats"])
    amount: Text | None = Field(default=None, description="Its price, as text; with `price:`, what follows it.",
                                examples=["$186,000 per year", "per year"])
    price: Money | None = Field(
        default=None, description="Its price as a number; the page writes it in the deal's language, with `currency:`.",
        examples=[186000])
    currency: Currency | None = Field(
        default=None, description="ISO 4217 code of `price:`.", examples=["EUR", "USD"])
    internal: bool = Field(default=False, description="Team-only: never published.")

    @model_validator(mode="after")
    def _priced(self) -> Commercial:
        if self.price is None and self.amount is None:
            raise ValueError("give its price: `amount:` as text, or `price:` with `currency:`")
        if (self.price is None) != (self.currency is None):
            raise ValueError("`price:` and `currency:` go together, e.g. `price: 186000` and `currency: USD`")
        return self


class Resource(Strict):
    """A link the buyer will need."""

    title: Text = Field(description="Link text.", examples=["SOC 2 Type II report"])
    url: Annotated[str, Field(pattern=r"^(https?://|mailto:)\S+$")] = Field(
        description="Full http(s):// or mailto: address.", examples=["https://trust.acme.example/soc2"])


class Document(Strict):
    """A file from the repository for the buyer to download: encrypted like the pages, offered on the summary."""

    path: Annotated[str, Field(min_length=1)] = Field(
        description="The file, relative to the plan's folder and inside the project (PDF, PNG, JPEG, WebP, DOCX, "
                    "XLSX, PPTX, TXT or CSV; up to 10 MB, 25 MB a deal).", examples=["northwind/order-form.pdf"])
    title: Text | None = Field(default=None, description="What the summary calls it (default: the file name).",
                               examples=["Order form"])
    internal: bool = Field(default=False, description="Team-only: offered only in the team's view.")


class Note(Strict):
    """Free text for the team; published only when not `internal`."""

    text: Text = Field(description="The note, in Markdown.")
    internal: bool = Field(default=True, description="Team-only unless set to false.")


class Plan(Strict):
    """A mutual action plan: the front matter of one `plans/<slug>.md`."""

    title: Text = Field(description="The plan's title, usually buyer × seller.", examples=["Northwind Logistics × Acme Analytics"])
    buyer: Party = Field(description="The customer.")
    seller: Party = Field(description="Your company.")
    share_id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$", min_length=6, max_length=64)] = Field(
        description="Random token that becomes part of the deal's address; only a-z, 0-9 and -.",
        examples=["k7qm2xtz9p"],
    )
    go_live: IsoDate = Field(description="The day the buyer starts using what they bought, YYYY-MM-DD.", examples=["2027-03-01"])
    value_summary: Text = Field(description="What the buyer gets, in the buyer's words (20-30 words).",
                                examples=["Cut dispatch planning from six hours to forty-five minutes a day, so managers "
                                          "reroute trucks before 8 a.m. and save about $1.2M a year."])
    language: LanguageTag | None = Field(default=None, description="The language of the deal's pages, a BCP 47 tag "
                                         "(default: the site's); see README, Languages.")
    objectives: list[Text] = Field(default_factory=list, description="The buyer's goals, one line each.",
                                   examples=[["Replace the spreadsheet dispatch plan used by 14 depots"]])
    stakeholders: list[Stakeholder] = Field(min_length=1, description="People on both sides; roles first, names as you learn them.")
    milestones: list[Milestone] = Field(min_length=1, description="7-9 milestones from first meeting to the value review after go-live.")
    events: list[Event] = Field(default_factory=list, description="Dates on the buyer's calendar the plan must respect.")
    freeze: Freeze | None = Field(default=None, description="The buyer's change freeze, `{from: YYYY-MM-DD, to: "
                                  "YYYY-MM-DD}`: `mapsite new` schedules no date in it, `mapsite check` warns of one there.",
                                  examples=[{"from": "2026-12-20", "to": "2027-01-04"}])
    risks: list[Risk] = Field(default_factory=list, description="What could delay the plan.")
    kpis: list[Kpi] = Field(default_factory=list, description="How both sides will know the value was delivered.")
    commercials: list[Commercial] = Field(default_factory=list, description="Prices and terms.")
    resources: list[Resource] = Field(default_factory=list, description="Links the buyer will need.")
    files: list[Document] = Field(default_factory=list, description="Documents for the buyer (order form, "
                                  "questionnaire), encrypted and offered on the summary once the page is open.")
    cadence: Text | None = Field(default=None, description="When both teams meet.", examples=["Weekly check-in, Tuesdays 10:00 Central"])
    status: Health | None = Field(default=None, description="Set by hand to override the derived deal status.")
    status_note: Text | None = Field(default=None, description="Why, in a few words, when `status` is set by hand.")
    notes: list[Note] = Field(default_factory=list, description="Free text; team-only unless `internal: false`.")
    remind_buyers: bool = Field(default=False, description="`mapsite remind` also emails buyer-side people their "
                                "items due soon or overdue (seller-side people always get theirs).")
    owner: Id | None = Field(default=None, description="Deal owner: a seller-side stakeholder `id` (default: the first "
                             "seller stakeholder). Team-only, like the fields below.", examples=["raj"])
    amount: Money | None = Field(default=None, description="The deal's value, a number >= 0 (no currency sign or "
                                 "separators). Team-only.", examples=[186000])
    currency: Currency | None = Field(default=None, description="ISO 4217 code of `amount` (default: the site's "
                                      "`currency` option). Team-only.", examples=["USD", "EUR"])
    forecast: Forecast | None = Field(default=None, description="Forecast category: `commit`, `best_case`, "
                                      "`pipeline` or `omitted`. Team-only.")
    close: IsoDate | None = Field(default=None, description="Expected signature date, YYYY-MM-DD. Team-only.",
                                  examples=["2027-01-15"])

    def stakeholder(self, stakeholder_id: str | None) -> Stakeholder | None:
        return next((s for s in self.stakeholders if s.id == stakeholder_id), None)

    def deal_owner(self) -> Stakeholder | None:
        """Who owns the deal on the seller's side: `owner`, else the first seller stakeholder (None when there is none)."""
        if self.owner:
            return self.stakeholder(self.owner)
        return next((s for s in self.stakeholders if s.side == "seller"), None)


PIPELINE_FIELDS = ("owner", "amount", "currency", "forecast", "close")  # the team's sales pipeline: never the buyer's


def _public_milestone(milestone: Milestone, hidden: set[str]) -> Milestone:
    """The milestone without its internal steps and its `after:` on internal milestones; itself when it has neither,
    so the buyer's view and the team's share it (`site.render` renders it once for both)."""
    if not any(s.internal for s in milestone.steps) and not (milestone.after and hidden.intersection(milestone.after)):
        return milestone
    return milestone.model_copy(update={"steps": [s for s in milestone.steps if not s.internal],
                                        "after": None if milestone.after is None else [a for a in milestone.after if a not in hidden]})


def public_view(plan: Plan) -> Plan:
    """The plan as the buyer may see it: every `internal: true` item and the pipeline fields removed."""
    hidden = {m.id for m in plan.milestones if m.internal and m.id}
    milestones = [_public_milestone(m, hidden) for m in plan.milestones if not m.internal]
    return plan.model_copy(update={
        "milestones": milestones,
        "risks": [r for r in plan.risks if not r.internal],
        "commercials": [c for c in plan.commercials if not c.internal],
        "notes": [n for n in plan.notes if not n.internal],
        "files": [f for f in plan.files if not f.internal],
        **dict.fromkeys(PIPELINE_FIELDS),
    })
