"""Real `mkdocs build --strict` runs: every deal becomes its own microsite, and nothing else names it."""

from __future__ import annotations

import json
import re

import pytest

from conftest import CANONICAL, CANONICAL_PASSWORD, decrypt, passwords_env

PASSWORD = CANONICAL_PASSWORD
DEAL = "northwind-logistics-k7qm2xtz9p/"
PAGES = (DEAL, DEAL + "milestones/", DEAL + "people/")


def build_canonical(site):
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    return {path: decrypt(site, path, PASSWORD) for path in PAGES}


@pytest.fixture(scope="module")
def canonical_pages(canonical_built):
    """The canonical deal's three pages, decrypted from the one shared real build."""
    return {path: decrypt(canonical_built, path, PASSWORD) for path in PAGES}


def test_canonical_plan_builds_into_three_pages(canonical_pages):
    pages = canonical_pages
    for html in pages.values():
        assert "<html" in html and 'class="ms-deal"' in html
    assert 'aria-current="page">Summary' in pages[DEAL]
    assert 'aria-current="page">Milestones' in pages[DEAL + "milestones/"]
    assert 'aria-current="page">People' in pages[DEAL + "people/"]


def test_every_field_of_the_canonical_plan_shows_on_the_site(canonical_pages):
    import yaml

    text = CANONICAL.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    pages = canonical_pages
    site_text = _visible_text("\n".join(pages.values()))

    expected = [front["title"], front["buyer"]["name"], front["seller"]["name"], "1 Mar 2027",
                front["value_summary"], front["cadence"], "Why now", "Peak season starts on February 15"]
    expected += front["objectives"]
    for person in front["stakeholders"]:
        expected += [person.get("name", "To be named"), person["role"]] + ([person["email"]] if "email" in person else [])
    for milestone in front["milestones"]:
        expected += [milestone["title"], milestone["value"]]
        expected += [step["task"] for step in milestone.get("steps", [])]
    expected += [e["title"] for e in front["events"]]
    expected += [r["risk"] for r in front["risks"]] + [r["mitigation"] for r in front["risks"]]
    expected += [k["metric"] for k in front["kpis"]] + [k["target"] for k in front["kpis"]] + [k["baseline"] for k in front["kpis"]]
    expected += [c["item"] for c in front["commercials"]] + [c["amount"] for c in front["commercials"]]
    expected += [r["title"] for r in front["resources"]]
    missing = [value for value in expected if value not in site_text]
    assert not missing
    for resource in front["resources"]:
        assert f'href="{resource["url"]}"' in pages[DEAL]
    assert "slipped 7 days" in site_text  # Pilot: due 27 Nov, baseline 20 Nov
    assert "to be named" in site_text.lower()  # the legal counsel has a role and no name


def test_summary_leads_with_value_and_the_30_second_facts(canonical_pages):
    summary = canonical_pages[DEAL]
    order = [summary.index(marker) for marker in
             ('class="ms-value"', "Go-live", "milestones done", "Status", "Next up", "Overdue", "Objectives")]
    assert order == sorted(order)
    assert "97 days left" in summary  # built as of 2026-11-24
    assert "1 of 8 milestones done" in summary
    assert "At risk" in summary and "slipped 7 days" in summary
    assert 'data-ms-days-left="2027-03-01"' in summary  # the browser recomputes on the viewing day


def test_milestones_are_collapsible_and_closed_by_default(canonical_pages):
    milestones = canonical_pages[DEAL + "milestones/"]
    assert milestones.count("<details data-ms-milestone=") == 8
    assert "<details open" not in milestones
    assert 'id="milestone-3"' in milestones
    assert 'class="ms-timeline"' in milestones


def test_people_page_groups_both_teams_with_what_each_owns(canonical_pages):
    people = canonical_pages[DEAL + "people/"]
    buyer, seller = people.index('id="team-buyer"'), people.index('id="team-seller"')
    assert buyer < people.index("Dana Whitfield") < seller < people.index("Raj Patel")
    assert 'href="mailto:dana.whitfield@northwind.example"' in people
    lena = people[people.index('id="person-lena"'):people.index('id="person-tom"')]
    assert "Configure the pilot workspace" in lena and "Security and compliance review" in lena


def test_a_deal_sees_only_its_own_pages(site):
    site.add_plan("northwind-logistics.md", CANONICAL.read_text(encoding="utf-8"))
    other = CANONICAL.read_text(encoding="utf-8").replace("k7qm2xtz9p", "zz11yy22xx").replace(
        "Northwind Logistics × Acme Analytics", "Contoso Freight × Acme Analytics")
    site.add_plan("contoso-freight.md", other)
    site.build(env=passwords_env(northwind_logistics=PASSWORD, contoso_freight=PASSWORD + "-b"))
    for path in PAGES:
        html = decrypt(site, path, PASSWORD)
        assert "contoso" not in html.lower()
        links = set(re.findall(r'href="([^"]+)"', html))
        assert not any("zz11yy22xx" in link for link in links)
    for shared in ("index.html", "404.html", "sitemap.xml"):
        text = (site.out / shared).read_text(encoding="utf-8")
        assert "k7qm2xtz9p" not in text and "zz11yy22xx" not in text and "Northwind" not in text


def test_invalid_plan_fails_the_build_with_file_and_line_no_traceback(site):
    site.add_plan("broken.md", CANONICAL.read_text(encoding="utf-8").replace("    status: in_progress\n    owners: [marco, lena]",
                                                                          "    status: finished\n    owners: [marco, lena]", 1))
    result = site.build(check=False)
    assert result.returncode != 0
    assert "plans/broken.md:69:13: milestones[2].status: `finished` is not allowed" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (site.out / "index.html").exists()


def test_plan_text_is_escaped_and_javascript_links_dropped(site):
    hostile = CANONICAL.read_text(encoding="utf-8").replace(
        "title: Northwind Logistics × Acme Analytics",
        'title: "<script>alert(1)</script> & [click](javascript:alert(2)) <img src=x onerror=alert(3)>"').replace(
        "cadence: Weekly check-in, Tuesdays 10:00 Central",
        'cadence: "[ok](https://example.com) ![logo](https://tracker.example/p.gif) </p><b>x</b>"')
    site.add_plan("northwind-logistics.md", hostile)
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    for path in PAGES:
        html = decrypt(site, path, PASSWORD)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert not re.search(r'href="\s*javascript:', html, re.I)
        assert "<img src=x" not in html and "tracker.example" not in html
    summary = decrypt(site, DEAL, PASSWORD)
    assert '<a href="https://example.com" rel="noopener noreferrer" target="_blank">ok</a>' in summary
    assert "&lt;b&gt;x&lt;/b&gt;" in summary


def test_mapsite_list_prints_every_deal_with_its_address(canonical_site):
    result = canonical_site.mapsite("list", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["slug"] == "northwind-logistics"
    assert row["url"] == DEAL
    assert row["go_live"] == "2027-03-01" and row["progress"] == "1/8" and row["status"] == "at_risk"
    assert row["buyer"] == "Northwind Logistics" and row["title"].startswith("Northwind")


def test_mapsite_check_reports_every_problem_and_exits_1(site):
    site.add_plan("good.md", CANONICAL.read_text(encoding="utf-8"))
    site.add_plan("bad.md", CANONICAL.read_text(encoding="utf-8").replace("k7qm2xtz9p", "AB CD").replace(
        "stakeholders:", "stakholders:"))
    result = site.mapsite("check")
    assert result.returncode == 1
    assert "plans/bad.md:7:11: share_id: `AB CD` is too short" in result.stdout
    assert "did you mean `stakeholders`?" in result.stdout
    assert "Traceback" not in result.stderr


def _visible_text(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


def test_milestone_date_changes_from_git_history_show_on_the_site(canonical_site):
    from gitrepo import GitRepo

    repo = GitRepo(canonical_site.root)
    plan = canonical_site.plans / "northwind-logistics.md"
    repo.commit("first plan", date="2026-10-01")
    plan.write_text(plan.read_text().replace("    due: 2026-12-18\n", "    due: 2027-01-06\n", 1))
    repo.commit("business case moves after the holidays", date="2026-11-02")
    plan.write_text(plan.read_text().replace("    due: 2027-01-06\n", "    due: 2027-01-04\n", 1))
    repo.commit("pulled in two days", date="2026-11-09")
    pages = build_canonical(canonical_site)
    milestones = pages[DEAL + "milestones/"]
    business_case = milestones[milestones.index('id="milestone-4"'):milestones.index('id="milestone-5"')]
    assert "moved 17 days later" in business_case
    assert "18 Dec 2026</time> → <time datetime=\"2027-01-06\">6 Jan 2027</time> (+19 days), changed <time datetime=\"2026-11-02\">" in business_case
    assert "(-2 days), changed <time datetime=\"2026-11-09\">" in business_case
    assert "Date changes" not in milestones[:milestones.index('id="milestone-4"')]  # the others never moved
    summary = pages[DEAL]
    assert "Updated <time datetime=\"2026-11-09\">" in summary  # last updated comes from git too


def test_the_sellers_colour_is_set_once_for_shell_pages_and_landing(canonical_built, canonical_pages, canonical_site):
    shipped = (canonical_built.root / "mkdocs.yml").read_text()
    colour = re.search(r'brand_color: "(#[0-9a-f]{6})"', shipped).group(1)
    assert f"--accent: {colour}" in canonical_built.html(DEAL + "index.html")
    assert f"--md-primary-fg-color: {colour}" in canonical_pages[DEAL] and colour in canonical_built.html("index.html")
    yml = canonical_site.root / "mkdocs.yml"
    yml.write_text(shipped.replace(colour, "red; } body { display: none"))
    result = canonical_site.build(check=False)
    assert result.returncode != 0 and "is not a colour like #1f4e79" in result.stderr
