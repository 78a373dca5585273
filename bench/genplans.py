"""Synthetic deals for the benchmark: N valid plans of realistic size, and the same pages as static Markdown.

Every plan has 9 stakeholders (5 buyer, 4 seller, one role still unnamed), 8 milestones of
4 steps each, objectives, events, risks, KPIs, commercials, resources and a body of a few
paragraphs (~7 KB of YAML and Markdown, like the example plans). Plans are deterministic for
a given seed, so runs compare like with like.

`write_plain_pages` writes the same content as plain Markdown pages (summary, milestones and
people of every deal), the site a team would have without mapsite: one MkDocs + Material site
whose navigation holds every page of every deal.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from pathlib import Path

import yaml

TODAY = dt.date(2026, 11, 24)

COMPANIES = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Litware", "Adventure", "Proseware",
             "Lucerne", "Margie", "Coho", "Humongous", "Alpine", "Blue Yonder", "Trey", "Woodgrove", "Fourth Coffee",
             "Graphic Design", "Relecloud", "VanArsdel", "Wide World", "Datum", "Consolidated", "Southridge"]
INDUSTRIES = ["Logistics", "Health", "Foods", "Freight", "Bank", "Energy", "Retail", "Insurance", "Telecom", "Labs"]
FIRST = ["Dana", "Marco", "Priya", "Raj", "Lena", "Tom", "Sofia", "Aisha", "James", "Nkechi", "Paul", "Rosa",
         "Mike", "Chloe", "Ben", "Greg", "Elaine", "Yuki", "Omar", "Ingrid", "Carlos", "Mei", "Tariq", "Hannah"]
LAST = ["Whitfield", "Ruiz", "Shah", "Patel", "Fischer", "Becker", "Lindqvist", "Rahman", "Harlow", "Adeyemi",
        "Brennan", "Villanueva", "Santoro", "Martin", "Adler", "Lindholm", "Okafor", "Tanaka", "Haddad", "Berg"]
BUYER_ROLES = ["VP Operations, economic buyer", "Director of Dispatch, champion", "IT Security Lead",
               "Procurement Manager", "Legal counsel"]
SELLER_ROLES = ["Account Executive", "Solutions Engineer", "VP Sales, executive sponsor", "Customer Success Manager"]
# Titles and values name the buyer and its sites, as real plans do, so few strings repeat across deals.
MILESTONES = [
    ("Agree on success criteria with {team}", "Both teams know in numbers what \"worth it\" means for {buyer} before anyone spends money."),
    ("Technical validation on {city} data", "{buyer}'s engineers see the product work on their own data and systems."),
    ("Pilot in {city}", "Managers in {city} see real results on their own work, not a demo."),
    ("Security and compliance review by {team}", "IT at {buyer} signs off once, with every question answered in one place."),
    ("Business case approved by {buyer} finance", "Finance sees the savings model built on the {city} pilot's own numbers."),
    ("Contract and order form signed", "Terms that fit {buyer}'s procurement calendar, signed before the {month} freeze."),
    ("Rollout to all {sites} {buyer} sites", "Every team at {buyer} works the new way before the busy season starts."),
    ("Value review with {team}", "Confirm the savings promised to {buyer} were delivered and pick the next easy wins."),
]
CITIES = ["Chicago", "Denver", "Austin", "Leeds", "Lyon", "Porto", "Osaka", "Perth", "Calgary", "Dublin", "Tampa",
          "Boise", "Malmo", "Ghent", "Turin", "Kobe", "Accra", "Quito", "Cork", "Graz", "Omaha", "Reno", "Brno", "Bergen"]
TEAMS = ["Dispatch", "Operations", "IT", "Finance", "Procurement", "the depot managers", "Security", "the PMO", "Logistics"]
MONTHS = ["December", "January", "March", "June", "September", "year-end"]
STEP_VERBS = ["Share", "Review", "Draft", "Confirm", "Schedule", "Send", "Approve", "Configure", "Export", "Test"]
STEP_OBJECTS = ["current workflow and volumes", "baseline measurements", "the data export", "the integration plan",
                "the security questionnaire", "the savings model", "redlines", "the rollout calendar",
                "training sessions", "the pilot workspace", "the SOC 2 report", "the success criteria"]
WORDS = ("the team needs a plan that every depot manager can trust before the morning shift starts while "
         "finance wants the savings proven on real numbers and IT wants one review with every answer in "
         "one place so the rollout can finish before the busy season").split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(_sentence(rng, rng.randint(9, 16)) for _ in range(sentences))


def share_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(10))


def plan_data(index: int, seed: int = 1, revision: int = 0) -> tuple[str, dict, str]:
    """(slug, front matter, body) of synthetic deal number `index`; later revisions move dates, as weekly updates do."""
    rng = random.Random(f"{seed}/{index}")
    buyer = f"{rng.choice(COMPANIES)} {rng.choice(INDUSTRIES)}"
    slug = f"deal-{index:05d}-" + buyer.lower().replace(" ", "-")
    people = []
    for n, role in enumerate(BUYER_ROLES):
        person = {"id": f"b{n}", "side": "buyer", "role": role}
        if n != 4:  # legal counsel: a role still waiting for a name
            person["name"] = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            person["email"] = f"{person['name'].lower().replace(' ', '.')}@{slug[11:]}.example"
        else:
            person["name_by"] = (TODAY + dt.timedelta(days=14)).isoformat()
        people.append(person)
    for n, role in enumerate(SELLER_ROLES):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append({"id": f"s{n}", "name": name, "side": "seller", "role": role,
                       "email": f"{name.lower().replace(' ', '.')}@acme.example", "phone": f"+1 312 555 01{n}{index % 10}"})
    start = TODAY - dt.timedelta(days=rng.randint(20, 80))
    milestones = []
    due = start
    words = {"buyer": buyer, "city": rng.choice(CITIES), "team": rng.choice(TEAMS), "month": rng.choice(MONTHS),
             "sites": rng.randint(3, 40)}
    for n, (title, value) in enumerate(MILESTONES):
        title, value = title.format(**words), value.format(**words)
        due = due + dt.timedelta(days=rng.randint(14, 28))
        status = "done" if due < TODAY - dt.timedelta(days=7) else ("in_progress" if due < TODAY + dt.timedelta(days=21) else "not_started")
        buyer_owner, seller_owner = f"b{rng.randint(0, 3)}", f"s{rng.randint(0, 3)}"
        steps = []
        for s in range(4):
            step_due = due - dt.timedelta(days=3 * (4 - s))
            steps.append({"task": f"{rng.choice(STEP_VERBS)} {rng.choice(STEP_OBJECTS)} for {rng.choice(CITIES)} {rng.choice(TEAMS)}",
                          "owner": buyer_owner if s % 2 == 0 else seller_owner, "due": step_due.isoformat(),
                          "status": "done" if status == "done" or step_due < TODAY - dt.timedelta(days=3) else "not_started"})
        milestone = {"title": title, "value": value, "due": due.isoformat(), "status": status,
                     "owners": [buyer_owner, seller_owner], "steps": steps}
        if n == 2 and rng.random() < 0.3:
            milestone["baseline"] = (due - dt.timedelta(days=7)).isoformat()
        milestones.append(milestone)
    if revision:  # a status update: the security review and everything after it slipped a few days more
        for n, milestone in enumerate(milestones[3:], start=3):
            moved = dt.date.fromisoformat(milestone["due"]) + dt.timedelta(days=3 * revision)
            if n == 3:
                milestone.setdefault("baseline", milestone["due"])
            milestone["due"] = moved.isoformat()
            for step in milestone["steps"]:
                step["due"] = (dt.date.fromisoformat(step["due"]) + dt.timedelta(days=3 * revision)).isoformat()
    go_live = dt.date.fromisoformat(milestones[6]["due"])
    data = {
        "title": f"{buyer} × Acme Analytics",
        "buyer": {"name": buyer},
        "seller": {"name": "Acme Analytics"},
        "share_id": share_id(rng),
        "go_live": go_live.isoformat(),
        "value_summary": f"Cut planning at {buyer} from six hours to forty-five minutes a day, so regional "
                         f"managers act before 8 a.m. and save about ${rng.randint(2, 30) / 10:.1f}M a year.",
        "objectives": [_sentence(rng, 10) for _ in range(3)],
        "stakeholders": people,
        "milestones": milestones,
        "events": [{"date": (go_live - dt.timedelta(days=30)).isoformat(), "title": "Holiday change freeze begins"},
                   {"date": (go_live + dt.timedelta(days=10)).isoformat(), "title": "Peak season starts"}],
        "risks": [{"risk": f"Security review queue at {buyer} is {rng.randint(2, 8)} weeks long",
                   "mitigation": "Questionnaire sent in week one", "owner": "s1"},
                  {"risk": f"The {words['month']} freeze delays contract signature",
                   "mitigation": f"Redlines due before the {words['month']} freeze", "owner": "s0"}],
        "kpis": [{"metric": "Daily planning time", "baseline": "6 hours", "target": "45 minutes",
                  "by": (go_live + dt.timedelta(days=60)).isoformat()},
                 {"metric": "Empty miles per truck per week", "baseline": str(rng.randint(100, 130)), "target": "95",
                  "by": (go_live + dt.timedelta(days=90)).isoformat()}],
        "commercials": [{"item": "Annual subscription, 60 planner seats", "amount": f"${rng.randint(90, 400)},000 per year"},
                        {"item": "Onboarding and integration services", "amount": "$24,000 one-time"}],
        "resources": [{"title": "SOC 2 Type II report", "url": "https://trust.acme.example/soc2"},
                      {"title": "Pilot results dashboard", "url": f"https://app.acme.example/pilots/{slug}"}],
        "cadence": "Weekly check-in, Tuesdays 10:00 Central",
    }
    body = "\n\n".join([
        "## Why now", _paragraph(rng), _paragraph(rng, 3),
        "## Current challenges", "\n".join(f"- {_sentence(rng, 8)}" for _ in range(3)),
        "## Decision process", _paragraph(rng),
    ]) + "\n"
    return slug, data, body


# libyaml's dumper writes the same text as PyYAML's own, about 6x faster: 30,000 plan files at 10,000 deals.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def plan_text(data: dict, body: str) -> str:
    front = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n\n{body}"


# `after:` of each of the 8 milestones, by id: a start, two parallel branches joining again (a diamond), then a chain.
AFTER = [[], ["m0"], ["m0"], ["m1", "m2"], ["m3"], ["m4"], ["m5"], ["m6"]]


def with_dependencies(data: dict) -> dict:
    """The same plan with an `id:` and an `after:` on every milestone (AFTER), for the cost of the projection's order."""
    milestones = [{"title": m["title"], "id": f"m{n}", **{k: v for k, v in m.items() if k != "title"}, "after": AFTER[n]}
                  for n, m in enumerate(data["milestones"])]
    return {**data, "milestones": milestones}


FORECASTS = ("commit", "best_case", "pipeline", "omitted")


def with_team_fields(data: dict, index: int, seed: int) -> dict:
    """The same plan with what a sales team adds: pipeline fields on every deal, and internal items
    (a risk, a step, a note) on every other deal, so half the deals carry a second view for the team."""
    rng = random.Random(f"{seed}/{index}/team")
    go_live = dt.date.fromisoformat(data["go_live"])
    extra = {"owner": "s0", "amount": rng.randint(20, 900) * 1000, "currency": rng.choice(("USD", "EUR")),
             "forecast": rng.choice(FORECASTS), "close": (go_live - dt.timedelta(days=rng.randint(30, 90))).isoformat()}
    data = {**data, **extra}
    if index % 2 == 0:
        milestones = [dict(m) for m in data["milestones"]]
        milestones[3]["steps"] = [*milestones[3]["steps"], {"task": "Ask the VP to call their CFO", "owner": "s0",
                                                           "internal": True}]
        data = {**data, "milestones": milestones,
                "risks": [*data["risks"], {"risk": "Champion may move to another role in Q1", "owner": "s0", "internal": True}],
                "notes": [{"text": f"Discount floor agreed with finance: {rng.randint(5, 20)}%."}]}
    return data


def write_plans(folder: Path, count: int, seed: int = 1, revision: int = 0, languages: tuple[str, ...] = (),
                dependencies: bool = False, team: bool = False) -> list[str]:
    """Write `count` plans into `folder`; return their slugs. With `languages`, the plans take them in turn;
    with `dependencies`, every milestone has an `id:` and `after:`; with `team`, pipeline fields and internal items."""
    folder.mkdir(parents=True, exist_ok=True)
    slugs = []
    for index in range(count):
        slug, text = plan_file(index, seed, revision, languages, dependencies, team)
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
        slugs.append(slug)
    return slugs


def plan_file(index: int, seed: int = 1, revision: int = 0, languages: tuple[str, ...] = (),
              dependencies: bool = False, team: bool = False) -> tuple[str, str]:
    """(slug, text of plans/<slug>.md) of deal number `index`, with the options of `write_plans`."""
    slug, data, body = plan_data(index, seed, revision)
    if dependencies:
        data = with_dependencies(data)
    if team:
        data = with_team_fields(data, index, seed)
    if languages:
        data = {"title": data.pop("title"), "language": languages[index % len(languages)], **data}
    return slug, plan_text(data, body)


# --- The same pages as plain Markdown --------------------------------------------------------

STATUS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "blocked": "Blocked"}


def _who(people: dict, pid: str) -> str:
    person = people[pid]
    return person.get("name") or f"{person['role']} *(to be named)*"


def plain_pages(data: dict, body: str) -> dict[str, str]:
    """summary, milestones and people of one deal as Markdown files, with the content mapsite shows."""
    people = {p["id"]: p for p in data["stakeholders"]}
    done = sum(m["status"] == "done" for m in data["milestones"])
    summary = [f"# {data['title']}", "", f"!!! abstract \"What {data['buyer']['name']} gets\"",
               f"    {data['value_summary']}", "",
               f"**Go-live:** {data['go_live']} · **Progress:** {done} of {len(data['milestones'])} milestones done", "",
               "## Objectives", "", *[f"- {o}" for o in data["objectives"]], "", body, "",
               "## Key dates", "", *[f"- **{e['date']}** {e['title']}" for e in data["events"]], "",
               "## Risks", "", "| Risk | Mitigation | Owner |", "| --- | --- | --- |",
               *[f"| {r['risk']} | {r['mitigation']} | {_who(people, r['owner'])} |" for r in data["risks"]], "",
               "## Success measures", "", "| Metric | Today | Target | By |", "| --- | --- | --- | --- |",
               *[f"| {k['metric']} | {k['baseline']} | {k['target']} | {k['by']} |" for k in data["kpis"]], "",
               "## Commercials", "", *[f"- {c['item']}: **{c['amount']}**" for c in data["commercials"]], "",
               "## Resources", "", *[f"- [{r['title']}]({r['url']})" for r in data["resources"]], "",
               f"**Cadence:** {data['cadence']}", ""]
    milestones = [f"# Milestones · {data['title']}", ""]
    for n, m in enumerate(data["milestones"], start=1):
        owners = ", ".join(_who(people, o) for o in m["owners"])
        milestones += [f"## {n}. {m['title']} {{ #milestone-{n} }}", "", f"*{m['value']}*", "",
                       f"**Due:** {m['due']} · **Status:** {STATUS[m['status']]} · **Owners:** {owners}", "",
                       "| Step | Owner | Due | Status |", "| --- | --- | --- | --- |",
                       *[f"| {s['task']} | {_who(people, s['owner'])} | {s['due']} | {STATUS[s['status']]} |" for s in m["steps"]],
                       ""]
    team = [f"# People · {data['title']}", ""]
    for side, name in (("buyer", data["buyer"]["name"]), ("seller", data["seller"]["name"])):
        team += [f"## {name}", "", "| Name | Role | Email | Phone |", "| --- | --- | --- | --- |"]
        team += [f"| {_who(people, p['id'])} | {p['role']} | {p.get('email', '')} | {p.get('phone', '')} |"
                 for p in data["stakeholders"] if p["side"] == side]
        team.append("")
    return {"index.md": "\n".join(summary), "milestones.md": "\n".join(milestones), "people.md": "\n".join(team)}


def write_plain_pages(docs: Path, count: int, seed: int = 1, revision: int = 0) -> None:
    """The same `count` deals as a plain MkDocs site: docs/<slug>-<share_id>/{index,milestones,people}.md."""
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Deal rooms\n\nThe shared plans we work on with our customers.\n", encoding="utf-8")
    for index in range(count):
        slug, data, body = plan_data(index, seed, revision)
        folder = docs / f"{slug}-{data['share_id']}"
        folder.mkdir(exist_ok=True)
        for name, text in plain_pages(data, body).items():
            (folder / name).write_text(text, encoding="utf-8")
