"""One site key for any number of deals (issue 14, item 1), proven through real builds: every published file
is opened with each deal's derived password, by `mapsite decrypt` and by the independent decryption in
conftest; no deal's password opens another's; rotation; a missing, short, weak or malformed key fails closed."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, Site, assert_no_plaintext, decrypt_payload, payload_of
from mapsite.security import passwords, sitekey
from mapsite.security.realms import deal_realm

KEY = sitekey.new_key()
DEALS = {  # slug: (buyer, share_id)
    "northwind-logistics": ("Northwind", "k7qm2xtz9p"),
    "contoso-freight": ("Contoso", "c4x9w2m7qa"),
    "fabrikam-rail": ("Fabrikam", "f8r2t6y1ub"),
}
SHAPE = re.compile(r"[a-z]{3,9}(-[a-z]{3,9}){7}")  # eight words, as passwords.generate() makes them


def new_site(root: Path) -> Site:
    """A project with three deals, each its own buyer and address."""
    (root / "plans").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY), encoding="utf-8")
    site = Site(root)
    for slug, (buyer, share_id) in DEALS.items():
        site.add_plan(f"{slug}.md", CANONICAL.read_text(encoding="utf-8").replace("Northwind", buyer).replace("k7qm2xtz9p", share_id))
    return site


def password_of(site: Site, slug: str, *args: str, key: str = KEY) -> str:
    result = site.mapsite("password", slug, *args, env={"MAPSITE_KEY": key})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout.strip()


def encrypted_files(site: Site) -> dict[str, dict]:
    """Every published file that carries a payload, by its page path (what its payload is bound to)."""
    found = {}
    for file in sorted(site.out.rglob("*")):
        if file.is_file() and 'id="mapsite-payload"' in file.read_text("utf-8", "replace"):
            relative = file.relative_to(site.out).as_posix()
            found[relative[: -len("index.html")] if relative.endswith("index.html") else relative] = payload_of(file.read_text())
    return found


def opens(payload: dict, password: str, page_path: str) -> bool:
    try:
        return "ms-deal" in decrypt_payload(payload, password, page_path)
    except InvalidTag:
        return False


def decrypted_by_command(site: Site, password: str, *paths: str) -> tuple[int, set[str], str]:
    """`mapsite decrypt` with the password in its variable: exit code, the pages it printed, its stderr."""
    result = site.mapsite("decrypt", *(paths or ("site",)), env={"MAPSITE_DECRYPT_PASSWORD": password})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    printed = set(re.findall(r"^==> (.+) <==$", result.stdout, re.M))
    return result.returncode, printed, result.stderr


@pytest.fixture(scope="module")
def keyed(tmp_path_factory) -> tuple[Site, dict[str, str]]:
    """Three deals built as CI builds them with nothing but MAPSITE_KEY, and each deal's derived password."""
    site = new_site(tmp_path_factory.mktemp("keyed") / "project")
    site.build(env={"CI": "true", "MAPSITE_KEY": KEY})
    return site, {slug: password_of(site, slug) for slug in DEALS}


def test_only_the_site_key_publishes_every_deal_under_its_own_derived_password(keyed):
    site, derived = keyed
    files = encrypted_files(site)
    assert len(files) == 3 * len(DEALS), sorted(files)
    assert len(set(derived.values())) == len(DEALS), "a different password for every deal"
    for slug, password in derived.items():
        folder = f"{slug}-{DEALS[slug][1]}/"
        own = {path for path in files if path.startswith(folder)}
        assert len(own) == 3
        # the independent decryption: each file opens with its own deal's password and with no other deal's
        assert {path for path, payload in files.items() if opens(payload, password, path)} == own
        # mapsite decrypt, over the whole published folder: exactly this deal's pages
        code, printed, stderr = decrypted_by_command(site, password)
        assert code == 0 and {Path(p).relative_to("site").as_posix() for p in printed} == {
            p + "index.html" if p.endswith("/") else p for p in own}
        assert f"opened 3 of {len(files)} encrypted pages" in stderr
    kept = [p.relative_to(site.root).as_posix() for p in (site.root / ".mapsite").rglob("*") if p.is_file()]
    assert kept == [".mapsite/cache/records.json"], "in CI no password or key is kept: only the key cache (test_cache.py)"
    assert not any(secret in kept_text for kept_text in [(site.root / kept[0]).read_text()] for secret in (KEY, *derived.values()))
    assert_no_plaintext(site.out, [buyer for buyer, _ in DEALS.values()] + ["Acme Analytics ×", "Pilot on the Midwest region",
                                                                           KEY, *derived.values()])


def test_derived_passwords_have_the_generated_shape_and_strength(keyed):
    site, derived = keyed
    for slug, password in derived.items():
        assert SHAPE.fullmatch(password), password
        assert passwords.weakness(password, slug, (f"{DEALS[slug][0]} Logistics", "Acme Analytics")) is None
    key = sitekey.parse(KEY)
    many = {slug: passwords.derived(deal_realm(slug, ""), key, 0).value for slug in (f"deal-{n}" for n in range(300))}
    assert len(set(many.values())) == 300 and all(SHAPE.fullmatch(p) for p in many.values())
    assert all(passwords.weakness(p, slug) is None for slug, p in many.items())
    other = sitekey.parse(sitekey.new_key())
    assert passwords.derived(deal_realm("deal-1", ""), other, 0).value != many["deal-1"], "another key, other passwords"


def test_the_same_key_gives_the_same_passwords_on_every_build_and_machine(keyed, tmp_path):
    site, derived = keyed
    again = new_site(tmp_path / "elsewhere")
    again.build(env={"CI": "true", "MAPSITE_KEY": KEY})
    for slug, password in derived.items():
        code, printed, _ = decrypted_by_command(again, password)
        assert code == 0 and len(printed) == 3 and all(f"{slug}-" in p for p in printed)


def test_rotating_one_deal_locks_out_its_old_password_and_keeps_the_others(tmp_path):
    site = new_site(tmp_path / "project")
    plans_before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in site.plans.iterdir()}
    before = {slug: password_of(site, slug) for slug in DEALS}
    site.build(env={"CI": "true", "MAPSITE_KEY": KEY})

    rotated = site.mapsite("password", "contoso-freight", "--rotate", env={"MAPSITE_KEY": KEY})

    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip()
    assert new != before["contoso-freight"] and SHAPE.fullmatch(new)
    assert "git add password-rotations.json" in rotated.stderr, "the command says what to commit"
    assert json.loads((site.root / "password-rotations.json").read_text()) == {"deal:contoso-freight": 1}
    assert KEY not in (site.root / "password-rotations.json").read_text() and new not in rotated.stderr
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in site.plans.iterdir()} == plans_before
    assert password_of(site, "contoso-freight") == new, "shown again, unchanged, without --rotate"

    site.build(env={"CI": "true", "MAPSITE_KEY": KEY})

    files = encrypted_files(site)
    assert not [path for path, payload in files.items() if opens(payload, before["contoso-freight"], path)]
    code, printed, _ = decrypted_by_command(site, before["contoso-freight"])
    assert code == 1 and not printed, "after the rebuild the old password opens nothing"
    assert {path for path, payload in files.items() if opens(payload, new, path)} == {
        path for path in files if path.startswith("contoso-freight-")}
    for slug in ("northwind-logistics", "fabrikam-rail"):
        assert password_of(site, slug) == before[slug]
        assert {path for path, payload in files.items() if opens(payload, before[slug], path)} == {
            path for path in files if path.startswith(f"{slug}-")}


def test_a_deals_own_secret_wins_over_the_site_key(tmp_path):
    site = new_site(tmp_path / "project")
    own = "correct-horse-battery-staple-42"
    env = {"CI": "true", "MAPSITE_KEY": KEY, "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": own}
    site.build(env=env)
    files = encrypted_files(site)
    assert {p for p, payload in files.items() if opens(payload, own, p)} == {p for p in files if p.startswith("northwind-")}
    derived = password_of(site, "northwind-logistics")
    assert not [p for p, payload in files.items() if opens(payload, derived, p)], "the key's password is not used for it"
    assert {p for p, payload in files.items() if opens(payload, password_of(site, "fabrikam-rail"), p)} == {
        p for p in files if p.startswith("fabrikam-rail-")}
    shown = site.mapsite("password", "northwind-logistics", env=env)
    assert shown.stdout.strip() == own and "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS" in shown.stderr
    refused = site.mapsite("password", "northwind-logistics", "--rotate", env=env)
    assert refused.returncode == 1 and "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS" in refused.stderr
    assert not (site.root / "password-rotations.json").exists()


def _zero_key() -> str:
    return sitekey.encode(bytes(32))  # well-formed, checksum and all, but no randomness in it


def _flipped(key: str, at: int) -> str:
    """One character changed, as a typo would."""
    return key[:at] + ("a" if key[at] != "a" else "b") + key[at + 1:]


def _spare_bits(key: str) -> str:
    """The last character changed in its two spare bits only: the same bytes, so the checksum alone would pass."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return key[:-1] + alphabet[alphabet.index(key[-1]) ^ 1]


BAD_KEYS = {
    "short": ("msk1_" + KEY[5:40], "MAPSITE_KEY is too short"),
    "weak": (_zero_key(), "MAPSITE_KEY is weak"),
    "not-base32": (KEY[:-3] + "01!", "MAPSITE_KEY is malformed"),
    "checksum": (_flipped(KEY, 20), "MAPSITE_KEY is malformed: its checksum does not match"),
    "spare-bits": (_spare_bits(KEY), "MAPSITE_KEY is malformed: its checksum does not match"),
    "no-prefix": ("correct-horse-battery-staple-but-not-a-key-1234567890", "MAPSITE_KEY is not a mapsite site key"),
}


@pytest.mark.parametrize("name", BAD_KEYS)
def test_a_bad_site_key_fails_the_build_naming_it_and_never_quoting_it(tmp_path, name):
    key, message = BAD_KEYS[name]
    site = new_site(tmp_path / "project")
    # per-deal secrets for every deal do not make a broken key go unnoticed
    env = {"CI": "true", "MAPSITE_KEY": key, **{passwords.variable_name(s): passwords.generate(s) for s in DEALS}}
    result = site.build(env=env, check=False)
    assert result.returncode != 0 and message in result.stderr and "`mapsite key` makes a new one" in result.stderr
    assert "Traceback" not in result.stderr and key not in result.stderr + result.stdout
    assert not site.out.exists() and not (site.root / ".mapsite").exists()
    shown = site.mapsite("password", "northwind-logistics", env={"MAPSITE_KEY": key})
    assert shown.returncode == 1 and message in shown.stderr and "Traceback" not in shown.stderr and not shown.stdout
    with pytest.raises(sitekey.SiteKeyError, match=re.escape(message)):
        sitekey.parse(key)


def test_ci_without_a_key_or_a_deals_secret_fails_naming_both(tmp_path):
    site = new_site(tmp_path / "project")
    result = site.build(env={"CI": "true", "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": "correct-horse-battery-staple-42"}, check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    for slug in ("contoso-freight", "fabrikam-rail"):
        assert f"{slug}: set the secret {passwords.variable_name(slug)}" in result.stderr
    assert "or one site key MAPSITE_KEY for every deal" in result.stderr
    assert not site.out.exists()


def test_locally_the_key_replaces_generated_passwords(tmp_path):
    site = new_site(tmp_path / "project")
    result = site.build(env={"MAPSITE_KEY": KEY})
    assert "new password for" not in result.stderr and not (site.root / ".mapsite" / "passwords").exists()
    code, printed, _ = decrypted_by_command(site, password_of(site, "fabrikam-rail"))
    assert code == 0 and len(printed) == 3


def test_mapsite_key_prints_a_new_strong_key(tmp_path):
    site = new_site(tmp_path / "project")
    made = [site.mapsite("key") for _ in range(2)]
    keys = [m.stdout.strip() for m in made]
    assert all(m.returncode == 0 for m in made) and keys[0] != keys[1]
    for key, result in zip(keys, made):
        assert re.fullmatch(r"msk2_[a-z2-7]{58}", key) and key.isprintable()
        assert len(sitekey.parse(key).secret) * 8 >= 128
        assert "MAPSITE_KEY" in result.stderr and key not in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "password-rotations.json:1:2: not JSON"),
    ('{"deal:contoso-freight": -1}', "password-rotations.json: must be an object of whole numbers"),
    ('["deal:contoso-freight"]', "password-rotations.json: must be an object of whole numbers"),
])
def test_a_broken_rotations_file_is_reported_and_left_alone(tmp_path, content, message):
    site = new_site(tmp_path / "project")
    (site.root / "password-rotations.json").write_text(content, encoding="utf-8")
    for result in (site.mapsite("password", "contoso-freight", "--rotate", env={"MAPSITE_KEY": KEY}),
                   site.build(env={"CI": "true", "MAPSITE_KEY": KEY}, check=False)):
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert (site.root / "password-rotations.json").read_text(encoding="utf-8") == content
    assert not site.out.exists()


def test_the_rotations_file_is_committed_not_ignored():
    """It must reach CI with the plans: every build derives the rotated password from it."""
    checked = subprocess.run(["git", "check-ignore", "--no-index", "-q", sitekey.ROTATIONS], cwd=REPO)
    assert checked.returncode == 1, "git ignores password-rotations.json"
    assert subprocess.run(["git", "check-ignore", "--no-index", "-q", ".mapsite/passwords"], cwd=REPO).returncode == 0


def test_password_from_the_key_names_a_broken_plan_at_its_line(tmp_path):
    """The derived password holds to the strength rule with the plan's names, so the plan must load."""
    site = new_site(tmp_path / "project")
    plan = site.plans / "fabrikam-rail.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("go_live: 2027-03-01", "go_live: soon"), encoding="utf-8")
    result = site.mapsite("password", "fabrikam-rail", "--rotate", env={"MAPSITE_KEY": KEY})
    assert result.returncode == 1 and "Traceback" not in result.stderr and not result.stdout
    assert re.search(r"^plans/fabrikam-rail\.md:\d+:\d+: .*go_live", result.stderr, re.M), result.stderr
    assert not (site.root / "password-rotations.json").exists()


def test_a_password_an_earlier_build_checked_is_not_rated_again_and_a_new_one_is(tmp_path):
    """Locally a cached key means the password passed the rule before: zxcvbn (~20 ms for eight words) runs once."""
    from mapsite.security.realms import deal_realm
    realm = deal_realm("acme", "acme-k7qm2xtz9p")
    weak = {"CI": "", "MAPSITE_PASSWORD_ACME": "acme-acme-acme"}
    with pytest.raises(passwords.PasswordError, match="too weak"):
        passwords.resolve([realm], tmp_path, weak)
    assert passwords.resolve([realm], tmp_path, weak, passed=lambda r, value: r is realm and value == "acme-acme-acme")
    with pytest.raises(passwords.PasswordError, match="too weak"):  # another password: rated again
        passwords.resolve([realm], tmp_path, weak, passed=lambda r, value: value == "something else")
