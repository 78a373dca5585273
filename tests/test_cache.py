"""Rebuilds without key derivation (issue 18, part 2), through real CI builds with the site key and the team on.

Every PBKDF2 derivation in the build's processes is counted (a `sitecustomize` on PYTHONPATH wraps
cryptography's PBKDF2HMAC.derive, so worker processes count too). A cached record is trusted only when
the site key vouches for it: tampered, foreign and corrupted caches are made again, never used, and
every page still opens with its password (`mapsite decrypt`, and the independent decryptor in conftest).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, Site, decrypt, locks_of, page_file, payload_of
from mapsite.security import sitekey
from mapsite.security.realms import deal_salt, team_realm
from mapsite.security.recordcache import RecordCache

KEY = sitekey.new_key()
TEAM_PASSWORD = "tundra-mosaic-plank-ember-quiver-sable-onion-ranch"
DEALS = {"northwind-logistics": "northwind-logistics-k7qm2xtz9p/", "contoso-freight": "contoso-freight-c4x9w2m7qa/"}
CACHE = Path(".mapsite") / "cache" / "records.json"
COUNTER = '''import os
if os.environ.get("PBKDF2_COUNT_FILE"):
    from cryptography.hazmat.primitives.kdf import pbkdf2
    _derive = pbkdf2.PBKDF2HMAC.derive
    def derive(self, material):
        with open(os.environ["PBKDF2_COUNT_FILE"], "a") as log:
            log.write("derived\\n")
        return _derive(self, material)
    pbkdf2.PBKDF2HMAC.derive = derive
'''


def project(root: Path) -> Site:
    """Two deals and the team page."""
    (root / "plans").mkdir(parents=True)
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    (root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n      team: true\n"))
    site = Site(root)
    site.add_plan("northwind-logistics.md", CANONICAL.read_text())
    site.add_plan("contoso-freight.md", CANONICAL.read_text().replace("Northwind", "Contoso").replace("k7qm2xtz9p", "c4x9w2m7qa"))
    return site


def build(site: Site, key: str = KEY, check: bool = True) -> int:
    """A CI build with the site key and the team's password; how many PBKDF2 keys it derived."""
    counted = site.root.parent / "pbkdf2-count"
    counted.unlink(missing_ok=True)
    hook = site.root.parent / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(COUNTER)
    site.build(env={"CI": "true", "MAPSITE_KEY": key, "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD,
                    "PYTHONPATH": str(hook), "PBKDF2_COUNT_FILE": str(counted)}, check=check)
    return len(counted.read_text().splitlines()) if counted.exists() else 0


def password_of(site: Site, slug: str) -> str:
    shown = site.mapsite("password", slug, env={"MAPSITE_KEY": KEY})
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.strip()


def opened_by_command(site: Site, password: str) -> set[str]:
    result = site.mapsite("decrypt", "site", env={"MAPSITE_DECRYPT_PASSWORD": password})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return set(re.findall(r"^==> site/(.+) <==$", result.stdout, re.M))


def assert_every_page_opens(site: Site) -> None:
    """Each deal's pages open with its buyer's password and with the team's, the team page with the team's only."""
    for slug, folder in DEALS.items():
        pages = opened_by_command(site, password_of(site, slug))
        assert pages and all(p.startswith(folder) for p in pages), (slug, pages)
        buyer = "Contoso" if slug == "contoso-freight" else "Northwind"
        assert buyer in decrypt(site, folder, password_of(site, slug))
    team = opened_by_command(site, TEAM_PASSWORD)
    own = {"team/index.html", "team/actions/index.html"}  # the team page and its actions' file
    assert own <= team and all(any(p.startswith(f) for f in DEALS.values()) for p in team - own)


def realms_of(site: Site) -> dict[str, tuple[str, bytes]]:
    """Each realm's password and salt: {realm id: (password, salt)}."""
    realms = {f"deal:{slug}": (password_of(site, slug), deal_salt(folder.rstrip("/"))) for slug, folder in DEALS.items()}
    return {**realms, "team": (TEAM_PASSWORD, team_realm("team").salt)}


def published_records(site: Site) -> set[str]:
    return {lock["record"] for file in site.out.rglob("*.html") if 'id="mapsite-payload"' in file.read_text()
            for lock in locks_of(payload_of(file.read_text()))}


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> tuple[Site, int, int, bytes]:
    """A cold CI build, then a rebuild with nothing changed: (site, keys derived cold, keys derived warm, the cache after the cold build)."""
    site = project(tmp_path_factory.mktemp("cache") / "project")
    cold = build(site)
    cached = (site.root / CACHE).read_bytes()
    rebuilt = build(site)
    return site, cold, rebuilt, cached


def copy_of(warm, tmp_path: Path) -> Site:
    site = Site(tmp_path / "project")
    shutil.copytree(warm[0].root, site.root)
    return site


def test_a_rebuild_with_unchanged_passwords_derives_no_pbkdf2_key(warm):
    site, cold, rebuilt, cached = warm
    assert cold == 3, "the cold build derives each deal's key and the team's"
    assert rebuilt == 0, "the rebuild took every record from the cache"
    assert "3 of 3 realms from the cache, 0 to derive" in site.last.stderr
    assert (site.root / CACHE).read_bytes() == cached, "nothing changed, nothing rewritten"
    assert_every_page_opens(site)


def test_the_cache_holds_only_published_records_and_macs_never_a_password_p_or_r(warm):
    site, *_ = warm
    raw = (site.root / CACHE).read_bytes()
    secret = sitekey.parse(KEY).secret
    secrets = [secret]
    for realm_id, (password, salt) in realms_of(site).items():  # P and R computed here, independently of mapsite
        p = PBKDF2HMAC(hashes.SHA256(), 32, salt, 600_000).derive(password.encode())
        r = HKDF(hashes.SHA256(), 32, None, f"mapsite/realm/v1|{realm_id}|{salt.hex()}".encode()).derive(secret + password.encode())
        secrets += [password.encode(), p, r]
    for value in secrets:
        for form in (value, base64.b64encode(value), base64.urlsafe_b64encode(value).rstrip(b"="), value.hex().encode()):
            assert form not in raw
    assert b"northwind" not in raw.lower() and b"contoso" not in raw.lower() and b"deal:" not in raw, "filed by salt"
    entries = json.loads(raw)["realms"]
    assert len(entries) == 3 and {e["record"] for e in entries.values()} <= published_records(site)


def tamper(site: Site, how: str) -> None:
    path = site.root / CACHE
    if how == "corrupted":
        path.write_bytes(path.read_bytes()[:57] + b"\x00\xff garbage")
        return
    data = json.loads(path.read_text())
    if how == "foreign":  # written by a build holding another site key: the same records, under its own MACs
        RecordCache(path.parent, sitekey.parse(sitekey.new_key()).secret).save(
            {realm_id: (password, salt, 600_000, base64.b64decode(data["realms"][salt.hex()]["record"]))
             for realm_id, (password, salt) in realms_of(site).items()})
        return
    entry = data["realms"][deal_salt("northwind-logistics-k7qm2xtz9p").hex()]
    value = bytearray(base64.b64decode(entry[how]))
    value[20] ^= 0x01
    entry[how] = base64.b64encode(bytes(value)).decode()
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("how", ["record", "mac", "foreign", "corrupted"])
def test_a_tampered_foreign_or_corrupted_cache_is_never_used_and_every_page_still_opens(warm, tmp_path, how):
    site = copy_of(warm, tmp_path)
    before = json.loads(warm[3])["realms"][deal_salt("northwind-logistics-k7qm2xtz9p").hex()]["record"]
    tamper(site, how)
    derived = build(site)
    assert derived == (1 if how in ("record", "mac") else 3), "what the cache cannot vouch for is derived again"
    assert "was not written with this site key" in site.last.stderr or "cannot be read" in site.last.stderr
    records = {lock["record"] for lock in locks_of(payload_of(page_file(site, DEALS["northwind-logistics"]).read_text()))}
    assert before not in records, "a new record, not the cached one"
    assert_every_page_opens(site)
    assert build(site) == 0, "and the next build trusts the record this one wrote"


def test_a_rotated_password_never_reuses_its_cached_record(warm, tmp_path):
    site = copy_of(warm, tmp_path)
    old = password_of(site, "contoso-freight")
    rotated = site.mapsite("password", "contoso-freight", "--rotate", env={"MAPSITE_KEY": KEY})
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip()
    assert build(site) == 1, "only the rotated deal's key is derived again"
    assert "contoso-freight has a new password" in site.last.stderr
    assert opened_by_command(site, old) == set(), "the old password opens nothing after the rebuild"
    assert opened_by_command(site, new) and all(p.startswith(DEALS["contoso-freight"]) for p in opened_by_command(site, new))
    assert_every_page_opens(site)


def test_a_failed_build_writes_no_cache(tmp_path):
    site = project(tmp_path / "project")
    (site.root / "bare-theme").mkdir()
    config = (site.root / "mkdocs.yml").read_text()
    (site.root / "mkdocs.yml").write_text(config.replace(str(REPO / "theme_overrides"), "bare-theme"))
    build(site, check=False)
    assert site.last.returncode != 0 and "the theme has no mapsite-deal.html" in site.last.stderr
    assert not (site.root / CACHE).exists(), "only a build that succeeded writes the cache"
