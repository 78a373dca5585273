"""Deal sites in the buyer's language: every catalogue complete, every word on a non-English deal from it.

One site is built once for the module with six deals: German, Austrian German, French, Spanish, US
English, and one that names no language and so speaks the site's (`language: nl` in mkdocs.yml). Their
plans carry no English of their own (every free text is a token like `Qz7`), so any English word left on
a page is an interface word that missed the catalogue.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, Served, Site, decrypt, page_file, passwords_env, unlock
from mapsite.languages import LOCALES, language, shipped
from mapsite.site import catalogue

DEALS = {"acme-de": "de", "acme-de-at": "de-AT", "acme-fr": "fr", "acme-es": "es", "acme-nl": None, "acme-en-us": "en-US"}
SITE_LANGUAGE = "nl"
PAGES = ("", "milestones/", "people/")
FREE_TEXT = {"amount", "cadence", "item", "metric", "mitigation", "name", "objectives", "risk", "role", "target",
             "task", "title", "value", "value_summary", "baseline"}
MATERIAL = Path(__import__("material").__file__).parent / "templates" / "partials" / "languages"


def _password(slug: str) -> str:
    return f"{slug}-kelut-vodaf-ripem-zunog"


def _catalog(name: str):
    with catalogue.po_path(name).open("rb") as po:
        return read_po(po, locale=name)


def neutral_plan(share_id: str, tag: str | None) -> str:
    """The canonical plan with every free text a token (no English of its own), a price, and `language: tag`."""
    front, body = CANONICAL.read_text(encoding="utf-8").split("---\n")[1:3]
    data = yaml.safe_load(front)
    count = iter(range(10_000))

    def neutral(value, key=None):
        if isinstance(value, dict):
            return {k: neutral(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [neutral(v, key) for v in value]
        return f"Qz{next(count)}" if key in FREE_TEXT and isinstance(value, str) else value

    data = neutral(data)
    data["share_id"] = share_id
    data["commercials"][0].update(price=186000, currency="EUR")
    if tag:
        data = {"title": data.pop("title"), "language": tag, **data}
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n## Qzbody\n\nQzbody.\n"


@pytest.fixture(scope="module")
def languages_site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("languages") / "project"
    (root / "plans").mkdir(parents=True)
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    (root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n",
                                                    f"      plans_dir: plans\n      language: {SITE_LANGUAGE}\n"))
    site = Site(root)
    for number, (slug, tag) in enumerate(DEALS.items()):
        site.add_plan(f"{slug}.md", neutral_plan(f"share{number}x{number}", tag))
    site.build(env=passwords_env(**{slug.replace("-", "_"): _password(slug) for slug in DEALS}))
    site.folders = {slug: next(p.name for p in site.out.iterdir() if p.name.startswith(slug + "-share")) for slug in DEALS}
    return site


def _page(site: Site, slug: str, page: str) -> str:
    return decrypt(site, f"{site.folders[slug]}/{page}", _password(slug))


def _tag(slug: str) -> str:
    return DEALS[slug] or SITE_LANGUAGE


class _Text(html.parser.HTMLParser):
    """What a reader can read: text (hidden too), titles and labels, and the words a script shows."""

    SAID = ("title", "aria-label", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.parts += [attrs[a] for a in self.SAID if attrs.get(a)]
        self._script = attrs.get("id", "") if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._script = None

    def handle_data(self, data):
        if self._script is None:
            self.parts.append(data)
        elif self._script == "ms-calendar":
            self.parts += [e[k] for e in json.loads(data)["entries"] for k in ("title", "description")]
        elif self._script == "mapsite-words":
            words = json.loads(data)
            self.parts += list(words["messages"].values()) + [f for forms in words["plurals"].values() for f in forms.values()]


def readable(page_html: str) -> str:
    parser = _Text()
    parser.feed(page_html)
    return "\n".join(parser.parts)


def english_left(text: str, name: str) -> list[str]:
    """English interface messages found in `text` that the `name` catalogue says differently."""
    translated = {m.id: m.string for m in _catalog(name) if m.id}
    found = []
    for message in _catalog("en"):
        if not message.id:
            continue
        forms = message.id if isinstance(message.id, tuple) else (message.id,)
        theirs = translated[message.id] if isinstance(translated[message.id], tuple) else (translated[message.id],)
        for form in forms:
            literal = re.sub(r"%\(\w+\)s", "", form)
            if form in theirs or not re.search(r"[A-Za-z]{2}", literal) or re.fullmatch(r"[dMy.' ]+", form):
                continue  # the same in this language, no words at all, or a date pattern
            pattern = r"(?<!\w)" + r".+?".join(re.escape(part) for part in re.split(r"%\(\w+\)s", form)) + r"(?!\w)"
            if re.search(pattern, text):
                found.append(form)
    return found


# --- Catalogues -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in shipped() if n != "en"])
def test_every_catalogue_translates_every_message_with_its_placeholders(name):
    english, theirs = {m.id for m in catalogue.extract() if m.id}, _catalog(name)
    assert {m.id for m in theirs if m.id} == english, "run `python -m mapsite.site.catalogue`, then translate"
    for message in theirs:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and len(forms) == theirs.num_plurals if isinstance(message.id, tuple) else all(forms), \
            f"{name}: not translated: {message.id!r}"
        wanted = set(re.findall(r"%\(\w+\)s", "".join(message.id if isinstance(message.id, tuple) else (message.id,))))
        for form in forms:
            assert set(re.findall(r"%\(\w+\)s", form)) <= wanted, f"{name}: {form!r} has a placeholder {message.id!r} lacks"
            assert set(re.findall(r"%\(\w+\)s", form)) >= wanted - {"%(num)s"}, f"{name}: {form!r} drops a placeholder"
    assert not list(theirs.check()), f"{name}: Babel's checks fail"


def test_the_languages_the_issue_asks_for_ship():
    assert {"en", "de", "fr", "es", "nl"} <= set(shipped())
    assert all((LOCALES / name / "LC_MESSAGES" / "mapsite.po").is_file() for name in shipped())


def test_a_tag_names_the_catalogue_and_the_region():
    assert (language("de-AT").tag, language("de-AT").catalogue, str(language("de-AT").locale)) == ("de-AT", "de", "de_AT")
    assert language("EN_us").tag == "en-US"
    for bad in ("klingon", "pt", "", "de-XX"):
        with pytest.raises(ValueError, match="de, en, es, fr, nl"):
            language(bad)


# --- A built site in six languages -------------------------------------------------------------------

@pytest.mark.parametrize("slug", DEALS)
def test_each_deal_and_its_password_page_speak_its_language(languages_site, slug):
    tag = _tag(slug)
    lock = page_file(languages_site, f"{languages_site.folders[slug]}/").read_text(encoding="utf-8")
    assert f'<html lang="{tag}">' in lock
    material = re.search(r'"clipboard.copy": "([^"]+)"', (MATERIAL / f"{tag.split('-')[0]}.html").read_text()).group(1)
    for page in PAGES:
        shown = _page(languages_site, slug, page)
        assert f'<html lang="{tag}"' in shown, page
        assert f'"lang": "{tag}"' in shown, "the browser's words block names the page's language"
        assert json.dumps(material)[1:-1] in shown, f"Material's own words in {tag}: {material!r}"


@pytest.mark.parametrize("slug", [s for s in DEALS if _tag(s) != "en-US"])
def test_no_english_interface_word_on_a_deal_in_another_language(languages_site, slug):
    name = language(_tag(slug)).catalogue
    lock = page_file(languages_site, f"{languages_site.folders[slug]}/").read_text(encoding="utf-8")
    assert english_left(readable(lock), name) == [], "password page"
    for page in PAGES:
        assert english_left(readable(_page(languages_site, slug, page)), name) == [], page or "summary"


def test_the_check_finds_english_left_on_a_page():
    """The check above can fail: an English page read as German shows its English words."""
    english = readable('<p>Next up</p><span title="Add to calendar">x</span><p>3 days left</p>')
    assert set(english_left(english, "de")) >= {"Next up", "Add to calendar", "%(num)s days left"}


def test_dates_numbers_and_prices_follow_the_language_and_region(languages_site):
    german, austrian = _page(languages_site, "acme-de", ""), _page(languages_site, "acme-de-at", "milestones/")
    assert "1. März 2027" in german  # go-live, as the issue asks
    assert "186.000\xa0€" in german
    assert "Jän" in austrian and "Jan" not in readable(austrian).replace("Jän", "")  # Austrian January
    assert "€186,000" in _page(languages_site, "acme-en-us", "")
    assert "186\u202f000\xa0€" in _page(languages_site, "acme-fr", "")


def test_a_german_deal_opens_in_german_in_chromium(browser, languages_site):
    server = Served(languages_site.out)
    page = browser.new_page()
    try:
        server.watch(page)
        page.goto(server.base + languages_site.folders["acme-de"] + "/")
        assert page.get_attribute("html", "lang") == "de"
        assert page.inner_text("#mapsite-submit") == "Plan öffnen"
        unlock(page, _password("acme-de"))
        assert page.get_attribute("html", "lang") == "de"
        days = (dt.date(2027, 3, 1) - dt.date.today()).days  # the browser counts from the real today
        shown = page.inner_text("[data-ms-days-left]")
        assert re.fullmatch(r"noch \d+ Tage?|heute|vor \d+ Tagen?", shown) and str(abs(days)) in shown.replace(".", "")
    finally:
        page.close()
        server.close()
    assert server.errors == []


# --- Errors in words ---------------------------------------------------------------------------------

def test_a_plan_in_a_language_mapsite_does_not_speak_is_a_file_line_error(site):
    site.add_plan("acme.md", neutral_plan("k7qm2xtz9p", "pt-BR"))
    result = site.mapsite("check")
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert "plans/acme.md:3:11: language: " in result.stdout + result.stderr
    assert "de, en, es, fr, nl" in result.stdout + result.stderr


@pytest.mark.parametrize("setting", ["      language: klingon\n", "theme-ja"])
def test_a_site_language_mapsite_does_not_speak_stops_build_and_cli_in_words(site, setting):
    config = (site.root / "mkdocs.yml").read_text()
    if setting == "theme-ja":
        config = config.replace("\n  language: en\n", "\n  language: ja\n", 1)
    else:
        config = config.replace("      plans_dir: plans\n", "      plans_dir: plans\n" + setting)
    (site.root / "mkdocs.yml").write_text(config)
    site.add_plan("acme.md", neutral_plan("k7qm2xtz9p", None))
    for result in (site.build(check=False), site.mapsite("list")):
        said = result.stdout + result.stderr
        assert result.returncode != 0 and "Traceback" not in said, said
        assert "de, en, es, fr, nl" in said and ("klingon" in said or "theme.language" in said), said


# --- Templates and advice in each language ------------------------------------------------------------

TEMPLATES = REPO / "plans" / "_templates"


def _key_paths(text: str) -> list[str]:
    """Every key of a template's front matter, in order, with where it sits (values left out)."""
    paths: list[str] = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append(f"{where}.{key}")
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")
    walk(yaml.safe_load(text.split("---\n")[1]), "")
    return paths


@pytest.mark.parametrize("name", [n for n in shipped() if n != "en"])
@pytest.mark.parametrize("template", ["enterprise", "mid-market", "renewal"])
def test_every_template_ships_in_every_language_with_the_english_shape(name, template, tmp_path):
    from mapsite.plan.scaffold import render

    source = TEMPLATES / name / f"{template}.md"
    english = _key_paths((TEMPLATES / f"{template}.md").read_text(encoding="utf-8"))
    assert [p for p in _key_paths(source.read_text(encoding="utf-8")) if p != ".language"] == english
    made = render(source, f"plans/_templates/{name}/{template}.md", plan_path=tmp_path / "acme.md",
                  go_live=dt.date(2027, 6, 1), buyer="Acme", share_id="k7qm2xtz9p", schema_ref="x.json", language_tag=name)
    assert f"\nlanguage: {name}\n" in made.text
    english_titles = {m["title"] for m in yaml.safe_load((TEMPLATES / f"{template}.md").read_text().split("---\n")[1])["milestones"]}
    titles = {m["title"] for m in yaml.safe_load(made.text.split("---\n")[1])["milestones"]}
    assert len(titles - english_titles) >= len(titles) - 2, "milestone titles are translated (a loan word like Go-live may stay)"


def test_new_with_a_language_writes_the_template_in_that_language(site):
    import shutil

    shutil.copytree(TEMPLATES, site.plans / "_templates")
    result = site.mapsite("new", "mueller-spedition", "--go-live", "2027-06-01", "--language", "de-AT")
    assert result.returncode == 0, result.stderr
    text = (site.plans / "mueller-spedition.md").read_text(encoding="utf-8")
    german = (TEMPLATES / "de" / "enterprise.md").read_text(encoding="utf-8")
    assert "\nlanguage: de-AT\n" in text and text.count("language:") == 1
    first = yaml.safe_load(german.split("---\n")[1])["milestones"][0]["title"]
    assert first in text
    assert site.mapsite("check", "--strict", "plans/mueller-spedition.md").returncode in (0, 1)  # valid; advice may warn
    assert "invalid" not in site.mapsite("check", "plans/mueller-spedition.md").stdout

    (site.plans / "_templates" / "nl" / "renewal.md").unlink()
    refused = site.mapsite("new", "acme-bv", "--go-live", "2027-06-01", "--language", "nl", "--template", "renewal")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "no template `renewal` in plans/_templates/nl/" in refused.stderr
    assert "exists in: de, es, fr" in refused.stderr
    assert not (site.plans / "acme-bv.md").exists()


SUMMARIES = {  # the same value, as a native writer puts it
    "en": "Cut dispatch planning at Northwind from six hours to forty-five minutes a day, so regional managers reroute "
          "trucks before 8 a.m. and save about $1.2M a year.",
    "de": "Die Tourenplanung bei Northwind dauert statt sechs Stunden nur noch 45 Minuten am Tag: Regionalleiter "
          "disponieren vor 8 Uhr um und sparen rund 1,2 Mio. $ im Jahr.",
    "fr": "Chez Northwind, la planification des tournées passe de six heures à quarante-cinq minutes par jour : les "
          "responsables régionaux réorganisent les camions avant 8 h et économisent environ 1,2 M$ par an.",
}


@pytest.mark.parametrize("tag", SUMMARIES)
def test_value_summary_advice_counts_words_the_way_each_language_writes(tag):
    from mapsite.insight.advice import advise
    from mapsite.plan import load_text

    text = neutral_plan("k7qm2xtz9p", tag).replace("value_summary: Qz", "value_summary: Qz0Qz")  # found below
    data = yaml.safe_load(text.split("---\n")[1])
    text = text.replace(f"value_summary: {data['value_summary']}", f"value_summary: {json.dumps(SUMMARIES[tag])}")
    deal, problems = load_text(text, Path("plans/acme.md"), "plans/acme.md")
    assert not problems
    said = [p.message for p in advise(deal, "plans/acme.md", dt.date(2026, 11, 24)) if "value_summary" in p.message]
    assert said == [], said
    if tag == "fr":  # the French says it in 31 words: held to the English band, that is too long
        deal.plan = deal.plan.model_copy(update={"language": "en"})
        long = [p.message for p in advise(deal, "plans/acme.md", dt.date(2026, 11, 24)) if "value_summary" in p.message]
        assert long == ["value_summary has 31 words; write 20-30 words in the buyer's words: cut it to the one outcome "
                        "the buyer cares most about"]


def test_the_landing_page_speaks_the_sites_language(languages_site):
    landing = (languages_site.out / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{SITE_LANGUAGE}"' in landing
    assert english_left(readable(landing), SITE_LANGUAGE) == []
    assert "Open the link" not in landing and _catalog(SITE_LANGUAGE)[
        "Open the link your contact sent you. Each plan asks for its own password."].string in landing
