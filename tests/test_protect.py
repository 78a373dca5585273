"""Every deal behind its own password: real builds, independent decryption, a leak hunt."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import urllib.parse
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from conftest import (CANONICAL, CANONICAL_PASSWORD, decrypt, decrypt_payload, locks_of, new_site, page_file, passwords_env,
                      payload_of)
from mapsite.security import passwords
from mapsite.security.realms import deal_realm

PASSWORD = CANONICAL_PASSWORD
DEAL = "northwind-logistics-k7qm2xtz9p/"
PAGES = (DEAL, DEAL + "milestones/", DEAL + "people/")


@pytest.fixture
def built(canonical_built):
    """The one shared real build of the canonical plan: these tests only read it."""
    return canonical_built


def test_pages_decrypt_with_the_right_password_only(built):
    assert "Northwind" in decrypt(built, DEAL, PASSWORD)
    with pytest.raises(InvalidTag):
        decrypt(built, DEAL, PASSWORD + "x")


def test_a_flipped_ciphertext_byte_fails_authentication(built):
    payload = payload_of(page_file(built, DEAL).read_text())
    view = payload["views"][0]
    raw = bytearray(base64.b64decode(view["ciphertext"]))
    raw[len(raw) // 2] ^= 0x01
    view["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidTag):
        decrypt_payload(payload, PASSWORD, DEAL)


def test_a_page_moved_to_another_path_does_not_open(built):
    payload = payload_of(page_file(built, DEAL + "people/").read_text())
    with pytest.raises(InvalidTag):
        decrypt_payload(payload, PASSWORD, DEAL + "milestones/")


def test_parameters_travel_in_the_payload(built):
    payloads = [payload_of(page_file(built, p).read_text()) for p in PAGES]
    locks = [lock for payload in payloads for lock in locks_of(payload)]
    assert len(locks) == 3 and {lock["for"] for lock in locks} == {"deal"}  # no team page: the buyer's lock only
    for lock in locks:
        assert lock["iterations"] >= 600_000
        assert len(base64.b64decode(lock["nonce"])) == 12
        assert len(base64.b64decode(lock["salt"])) >= 16
        assert len(base64.b64decode(lock["key"])) == 48  # a 256-bit content key and its tag
    views = [view for payload in payloads for view in payload["views"]]
    assert len({lock["salt"] for lock in locks}) == 1  # one salt per deal
    assert len({v["nonce"] for v in views} | {lock["nonce"] for lock in locks}) == 6  # fresh nonces everywhere
    assert len({lock["key"] for lock in locks}) == 3  # a fresh content key per page


def test_salt_is_stable_across_builds_and_unique_per_deal(site):
    site.add_plan("northwind-logistics.md", CANONICAL.read_text())
    site.add_plan("other-deal.md", CANONICAL.read_text().replace("k7qm2xtz9p", "q8w7e6r5t4"))
    env = passwords_env(northwind_logistics=PASSWORD, other_deal=PASSWORD + "-other")
    site.build(env=env)
    first = locks_of(payload_of(page_file(site, DEAL).read_text()))[0]
    other = locks_of(payload_of(page_file(site, "other-deal-q8w7e6r5t4/").read_text()))[0]
    site.build(env=env)
    second = locks_of(payload_of(page_file(site, DEAL).read_text()))[0]
    assert first["salt"] == second["salt"]
    assert first["nonce"] != second["nonce"]
    assert first["salt"] != other["salt"]


def test_the_locked_shell_carries_no_plan_data(built):
    for path in PAGES:
        html = page_file(built, path).read_text()
        outside_payload = re.sub(r'<script type="application/json" id="mapsite-payload">.*?</script>', "", html, flags=re.S)
        for secret in ("Northwind", "Acme Analytics ×", "Dana", "dispatch", "Milestones", "People", "2027"):
            assert secret not in outside_payload
        assert "<title>Acme Analytics · Deal rooms</title>" in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert '<meta name="referrer" content="no-referrer">' in html
        assert 'type="password"' in html


MARK = "QZXMARK"


def _marked_plan() -> str:
    """The canonical plan with a unique marker in every text field, plus internal-only items."""
    counter = iter(range(10_000))
    lines = []
    source = re.sub(r"value_summary: >-\n(  .+\n)+", f"value_summary: {MARK}VS Cut planning time\n", CANONICAL.read_text())
    for line in source.splitlines():
        match = re.match(r"^(\s*(?:- )?)(title|name|role|value|task|risk|mitigation|metric|item|amount|cadence): (.+)$", line)
        if match and "share_id" not in line:
            lines.append(f"{match.group(1)}{match.group(2)}: {json.dumps(f'{MARK}{next(counter):03d} {match.group(3)}')}")
        elif re.match(r"^  - (Replace|Give|Prove) ", line):
            lines.append(f"  - {json.dumps(f'{MARK}{next(counter):03d} {line[4:]}')}")
        else:
            lines.append(line)
    text = "\n".join(lines) + f"\n\n## {MARK}{next(counter):03d} narrative\n"
    text = text.replace("kpis:", f"""  - risk: {MARK}INT1 team-only risk
    internal: true
kpis:""", 1).replace("resources:", f"""  - item: {MARK}INT2 internal discount
    amount: {MARK}INT3 12%
    internal: true
resources:""", 1)
    text = text.replace("      - task: Security review meeting", f"""      - task: {MARK}INT4 internal prep call
        internal: true
      - task: Security review meeting""", 1)
    return text


def _encodings(marker: str) -> list[str]:
    raw = marker.encode()
    forms = {marker, marker.lower(), urllib.parse.quote(marker), json.dumps(marker)[1:-1], raw.hex(), raw.hex().upper()}
    for shift in range(3):  # base64 of the marker at every alignment
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        forms.add(encoded[(shift * 4 + 2) // 3 + 1: -2])
    return [f for f in forms if len(f) >= 6]


def test_no_plan_text_or_password_lands_in_site_in_any_encoding(site):
    plan = _marked_plan()
    assert plan.count(MARK) > 40
    site.add_plan("northwind-logistics.md", plan)
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    needles = _encodings(MARK) + _encodings(PASSWORD) + _encodings("Northwind") + _encodings("dana.whitfield")
    files = [p for p in site.out.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes().decode("utf-8", "replace")
        for needle in needles:
            assert needle not in data, f"{needle!r} found in {path}"
        assert "northwind.svg" not in str(path)
    decrypted = "".join(decrypt(site, p, PASSWORD) for p in PAGES)
    assert f"{MARK}000" in decrypted  # the markers are in the plan, so their absence above means something
    for internal in ("INT1", "INT2", "INT3", "INT4"):
        assert MARK + internal not in decrypted  # internal items are not even inside the ciphertext


def test_ci_without_a_password_fails_and_writes_nothing(canonical_site):
    result = canonical_site.build(env={"CI": "true"}, check=False)
    assert result.returncode != 0
    assert "northwind-logistics" in result.stderr and "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS" in result.stderr
    assert "Traceback" not in result.stderr
    assert not canonical_site.out.exists() or not any(canonical_site.out.iterdir())
    assert not (canonical_site.root / ".mapsite").exists()


GUESSABLE = ["Winter2027!!", "Meridian#2027", "acmenorthwind1"]  # a season, a word and a year; the two companies' names


@pytest.mark.parametrize("weak", ["short-pw", "password1234", "Northwind2026!", *GUESSABLE])
def test_ci_refuses_a_weak_password(canonical_site, weak):
    result = canonical_site.build(env={"CI": "true", "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": weak}, check=False)
    assert result.returncode != 0
    assert "too weak" in result.stderr
    assert "`mapsite password northwind-logistics --rotate` makes a strong one" in result.stderr  # what would be right
    assert weak not in result.stderr  # the reason, never the password itself
    assert not canonical_site.out.exists()


NAMES = ("Northwind Logistics", "Acme Analytics")


@pytest.mark.parametrize("weak", GUESSABLE)
def test_a_password_must_hold_out_for_2_to_the_60_guesses(weak):
    """Each guess costs an attacker one key derivation: zxcvbn's top score is not enough on its own."""
    reason = passwords.weakness(weak, "northwind-logistics", NAMES)
    assert reason and "2^60 guesses and strength 4" in reason and "would find it" in reason
    assert weak not in reason


def test_a_password_built_on_the_companies_names_says_so():
    reason = passwords.weakness("acmenorthwind1", "northwind-logistics", NAMES)
    assert reason and "the deal's or a company's name" in reason


def test_generated_passwords_always_pass_the_rule():
    made = {passwords.generate("northwind-logistics", NAMES) for _ in range(1000)}
    assert len(made) == 1000
    assert [p for p in made if passwords.weakness(p, "northwind-logistics", NAMES)] == []


@pytest.fixture(scope="module")
def ci_built(tmp_path_factory):
    """The canonical plan built as in CI, its password from a per-deal secret: read by two tests, changed by none."""
    site = new_site(tmp_path_factory.mktemp("ci"))
    shutil.copy(CANONICAL, site.plans / CANONICAL.name)
    site.build(env={"CI": "true", "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": PASSWORD})
    return site


def test_ci_accepts_a_per_deal_secret_or_the_whole_secrets_object(ci_built, canonical_site):
    assert "Northwind" in decrypt(ci_built, DEAL, PASSWORD)
    secrets = json.dumps({"GITHUB_TOKEN": "x", "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": PASSWORD + "!"})
    canonical_site.build(env={"CI": "true", "MAPSITE_PASSWORDS": secrets})
    assert "Northwind" in decrypt(canonical_site, DEAL, PASSWORD + "!")


def test_ci_reads_the_passwords_file_the_publish_workflow_writes(canonical_site, tmp_path):
    kept = tmp_path / "mapsite-passwords.json"
    kept.write_text(json.dumps({"MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": PASSWORD}), encoding="utf-8")
    canonical_site.build(env={"CI": "true", "MAPSITE_PASSWORDS_FILE": str(kept)})
    assert "Northwind" in decrypt(canonical_site, DEAL, PASSWORD)
    for text, problem in (("[]", "is not a JSON object of passwords"), (None, "cannot read")):
        kept.unlink(missing_ok=True)
        if text is not None:
            kept.write_text(text, encoding="utf-8")
        with pytest.raises(passwords.PasswordError, match=f"MAPSITE_PASSWORDS_FILE.*{problem}"):
            passwords.resolve([deal_realm("northwind-logistics", DEAL.rstrip("/"))], tmp_path, {"CI": "true", "MAPSITE_PASSWORDS_FILE": str(kept)})


def test_ci_refuses_a_password_built_on_a_companys_name(canonical_site):
    """The plan's buyer and seller count as known: 69 bits to zxcvbn alone, 55 once it knows the seller."""
    built_on_seller = "AcmeAnalytics-Dispatch-Pilot"
    assert passwords.weakness(built_on_seller, "northwind-logistics") is None
    result = canonical_site.build(env={"CI": "true", "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": built_on_seller}, check=False)
    assert result.returncode != 0
    assert "too weak: it is built on the deal's or a company's name" in result.stderr


def test_locally_a_strong_password_is_generated_kept_and_shown_again(canonical_site):
    result = canonical_site.build()
    store = canonical_site.root / ".mapsite" / "passwords"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    generated = json.loads(store.read_text())["northwind-logistics"]
    assert len(generated.split("-")) >= 6 and len(generated) >= 30
    assert generated in result.stderr and ".mapsite/passwords" in result.stderr
    assert "Northwind" in decrypt(canonical_site, DEAL, generated)
    shown = canonical_site.mapsite("password", "northwind-logistics")
    assert shown.stdout.strip() == generated
    assert "#k=" in shown.stderr and "browser history" in shown.stderr, "what a magic link leaves behind"
    canonical_site.build()  # a rebuild keeps the same password
    assert json.loads(store.read_text())["northwind-logistics"] == generated
    rotated = canonical_site.mapsite("password", "northwind-logistics", "--rotate").stdout.strip()
    assert rotated != generated and json.loads(store.read_text())["northwind-logistics"] == rotated
    assert not any(generated in p.read_text("utf-8", "replace") for p in canonical_site.out.rglob("*.html"))


def test_the_passwords_file_is_ignored_by_git():
    ignored = Path(__file__).resolve().parent.parent / ".gitignore"
    assert "/.mapsite/" in ignored.read_text().splitlines()


def test_no_sitemap_or_search_entry_for_any_deal(site):
    site.add_plan("northwind-logistics.md", CANONICAL.read_text())
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("plugins:\n", "plugins:\n  - search\n"))
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    index = json.loads((site.out / "search" / "search_index.json").read_text())
    assert not [d for d in index["docs"] if "k7qm2xtz9p" in d["location"]]
    assert "k7qm2xtz9p" not in (site.out / "sitemap.xml").read_text()
    import gzip

    assert b"k7qm2xtz9p" not in gzip.decompress((site.out / "sitemap.xml.gz").read_bytes())


def test_local_key_cache_is_private_and_follows_password_changes(canonical_site):
    canonical_site.build(env=passwords_env(northwind_logistics=PASSWORD))
    cache = canonical_site.root / ".mapsite" / "keys"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    cached = cache.read_text()
    canonical_site.build(env=passwords_env(northwind_logistics=PASSWORD))  # warm: same password, same key
    assert cache.read_text() == cached
    assert "Northwind" in decrypt(canonical_site, DEAL, PASSWORD)
    canonical_site.build(env=passwords_env(northwind_logistics=PASSWORD + "-rotated"))
    assert "Northwind" in decrypt(canonical_site, DEAL, PASSWORD + "-rotated")  # never a stale key
    with pytest.raises(InvalidTag):
        decrypt(canonical_site, DEAL, PASSWORD)
    assert cache.read_text() != cached
    key_b64 = next(iter(json.loads(cache.read_text()).values()))
    assert not any(key_b64 in p.read_text("utf-8", "replace") for p in canonical_site.out.rglob("*") if p.is_file())


def test_ci_never_writes_a_key_cache(ci_built):
    assert (ci_built.out / DEAL / "index.html").is_file()
    assert not (ci_built.root / ".mapsite").exists()


def test_instant_loading_is_turned_off_so_pages_open_through_their_shell(canonical_site):
    yml = canonical_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("features: []", "features: [navigation.instant, navigation.instant.prefetch]"))
    result = canonical_site.build(env=passwords_env(northwind_logistics=PASSWORD))
    assert "navigation.instant is off" in result.stderr
    summary = decrypt(canonical_site, DEAL, PASSWORD)
    assert "navigation.instant" not in summary
    assert "navigation.instant" not in canonical_site.html("index.html")


def test_addresses_can_leave_the_slug_out(canonical_site):
    yml = canonical_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("      plans_dir: plans\n", "      plans_dir: plans\n      slug_in_url: false\n"))
    canonical_site.build(env=passwords_env(northwind_logistics=PASSWORD))
    names = [str(p.relative_to(canonical_site.out)) for p in canonical_site.out.rglob("*")]
    assert not [n for n in names if "northwind" in n.lower()]
    assert "Northwind" in decrypt(canonical_site, "k7qm2xtz9p/", PASSWORD)
    listed = json.loads(canonical_site.mapsite("list", "--json").stdout)
    assert listed[0]["url"] == "k7qm2xtz9p/"


def test_a_big_plan_still_publishes_pages_under_100_kb(site):
    steps = "".join(f"      - {{task: Step {s} of a long milestone with a realistic amount of words in it, owner: marco, due: 2026-11-{10 + s}}}\n" for s in range(8))
    milestones = "".join(f"  - title: Milestone {m} with a descriptive title\n    value: What the buyer gets from milestone {m}, in a sentence or two of plain words.\n    due: 2026-12-{m + 1:02d}\n    owners: [marco, raj]\n    steps:\n{steps}" for m in range(20))
    text = CANONICAL.read_text()
    start, end = text.index("milestones:\n"), text.index("events:\n")
    site.add_plan("northwind-logistics.md", text[:start] + "milestones:\n" + milestones + text[end:])
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    sizes = {p.name: p.stat().st_size for p in (site.out / DEAL).rglob("*.html")}
    assert max(sizes.values()) < 100_000, sizes
    plain = decrypt(site, DEAL + "milestones/", PASSWORD)
    assert plain.count("<details data-ms-milestone=") == 20 and len(plain) > 150_000  # it is big, and compressed
