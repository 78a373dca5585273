"""Sharded builds (`MAPSITE_SHARD=i/n`) and `mapsite merge`, through real CI builds of one small project.

One project of six deals (one with a document, the team page on) is built once whole and once as
shards 1/3, 2/3, 3/3 into their own folders, then merged by the real `mapsite merge`. Every page is
opened with `mapsite decrypt` (each buyer's password, the team's) and compared with the whole build's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, REPO, TODAY, Site, assert_no_plaintext, build_env, edited, opened, shown_passwords
from mapsite.security.sitekey import new_key
from mapsite.site.shards import MANIFEST, Shard, ShardError, build_day, from_environment, shard_of

TEAM_PASSWORD = "tundra-mosaic-plank-ember-quiver-sable-onion-ranch"
BUYERS = {"alder-freight": "Alder Freight", "birch-clinics": "Birch Clinics", "cedar-retail": "Cedar Retail",
          "dogwood-energy": "Dogwood Energy", "larch-media": "Larch Media", "oak-telecom": "Oak Telecom"}  # 2 a shard of 3
DOCUMENT = "files:\n  - path: alder/quuxrollout-plan.pdf\n    title: Quuxrollout plan\n"
SECRET_TEXTS = [*BUYERS.values(), "Dana Whitfield", "Raj Patel", "Quuxrollout", "quuxrollout-plan.pdf", "%PDF-1.4 quuxrollout"]
EPOCH = "1795000000"  # one build day for every shard, as the sharded workflow gives them


def plan_text(slug: str, number: int) -> str:
    changes = [("share_id: k7qm2xtz9p", f"share_id: shard{number}x{slug[:3]}q7"),
               ("  name: Northwind Logistics\n", f"  name: {BUYERS[slug]}\n"),
               ("title: Northwind Logistics × Acme Analytics", f"title: {BUYERS[slug]} × Acme Analytics")]
    if slug == "alder-freight":
        changes.append(("cadence: Weekly", DOCUMENT + "cadence: Weekly"))
    return edited(*changes)


def project(root: Path) -> Site:
    (root / "plans" / "alder").mkdir(parents=True)
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    (root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n      team: true\n"))
    for number, slug in enumerate(BUYERS):
        (root / "plans" / f"{slug}.md").write_text(plan_text(slug, number), encoding="utf-8")
    (root / "plans" / "alder" / "quuxrollout-plan.pdf").write_bytes(b"%PDF-1.4 quuxrollout " + bytes(range(256)) * 4)
    return Site(root)


def ci_env(**extra: str) -> dict[str, str]:
    return {"CI": "true", "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD, "SOURCE_DATE_EPOCH": EPOCH, **extra}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The project built whole (`whole/`) and as three shards (`shard-1/` ...), merged into `merged/`; each
    buyer's password as `mapsite password` tells it."""
    site = project(tmp_path_factory.mktemp("shards") / "project")
    env = ci_env(MAPSITE_KEY=new_key())
    site.build("--site-dir", "whole", env=env)
    for i in (1, 2, 3):
        site.build("--site-dir", f"shard-{i}", env={**env, "MAPSITE_SHARD": f"{i}/3"})
    merged = site.mapsite("merge", "merged", "shard-3", "shard-1", "shard-2")  # any order: shard 1's shared files
    assert merged.returncode == 0, merged.stderr
    return site, shown_passwords(site, BUYERS, env), merged


def files_of(folder: Path) -> set[str]:
    """Every file's path in a built site; a document's random name (new in every build) as `files/*.bin`."""
    return {re.sub(r"/files/[0-9a-f]{16}\.bin$", "/files/*.bin", p.relative_to(folder).as_posix())
            for p in folder.rglob("*") if p.is_file()}


def manifest(site: Site, i: int) -> dict:
    return json.loads((site.root / f"shard-{i}" / MANIFEST).read_text(encoding="utf-8"))


DOCUMENT_LINK = re.compile(r'files/[0-9a-f]{16}\.bin|data-ms-file-(?:key|nonce)="[^"]*"')


def same_page(html: str) -> str:
    """A page as two builds both make it: a document's name, key and nonce are drawn anew in every build."""
    return DOCUMENT_LINK.sub("<drawn per build>", html)


# --- The split ------------------------------------------------------------------------------


def test_the_split_is_stable_and_balanced():
    slugs = [f"{word}-{number}" for number in range(250) for word in ("acme", "globex", "initech", "umbrella")]
    for count in (3, 4, 7):
        sizes = Counter(shard_of(slug, count) for slug in slugs)
        assert set(sizes) == set(range(1, count + 1))
        expected = len(slugs) / count  # binomial: 5 standard deviations either side
        bound = 5 * (len(slugs) * (1 / count) * (1 - 1 / count)) ** 0.5
        assert all(abs(size - expected) <= bound for size in sizes.values()), (count, sizes)
    # a deal's shard is a function of its slug and n alone (a sorted round-robin would move deals when one is
    # added): pinned, so a change of the hash, which would move every deal between runners, fails here
    assert [shard_of("northwind-logistics", n) for n in (1, 2, 3, 4, 256)] == [1, 1, 1, 3, 243], "the hash must not change"
    assert Shard(3, 4).holds("northwind-logistics") and not Shard(1, 4).holds("northwind-logistics")


@pytest.mark.parametrize("value", ["0/3", "4/3", "3", "1/257", "a/b", "1/3/5", "-1/3"])
def test_a_malformed_shard_is_refused_naming_the_variable(value):
    with pytest.raises(ShardError, match=r"MAPSITE_SHARD: .* i/n with 1 <= i <= n <= 256"):
        from_environment({"MAPSITE_SHARD": value})


def test_shard_and_build_day_from_the_environment():
    assert from_environment({}) is None and from_environment({"MAPSITE_SHARD": " "}) is None
    assert from_environment({"MAPSITE_SHARD": "256/256"}) == Shard(256, 256)
    assert str(build_day({"SOURCE_DATE_EPOCH": "1795000000"})) == "2026-11-18"
    with pytest.raises(ShardError, match="SOURCE_DATE_EPOCH"):
        build_day({"SOURCE_DATE_EPOCH": "yesterday"})


def test_a_build_with_a_malformed_shard_stops_without_a_traceback(tmp_path):
    site = project(tmp_path / "project")
    result = site.build(env=ci_env(MAPSITE_KEY=new_key(), MAPSITE_SHARD="4/3"), check=False)
    assert result.returncode != 0 and "MAPSITE_SHARD: `4/3`" in result.stderr and "Traceback" not in result.stderr
    assert not site.out.exists()


# --- Shards and their merge, real builds ------------------------------------------------------


def test_shards_hold_every_deal_exactly_once(built):
    site, _, _ = built
    whole = {p.name for p in (site.root / "whole").iterdir() if p.is_dir() and p.name.startswith(tuple(BUYERS))}
    assert len(whole) == len(BUYERS)
    held = [folder for i in (1, 2, 3) for folder in manifest(site, i)["deals"]]
    assert sorted(held) == sorted(whole), "every deal once, in one shard"
    for i in (1, 2, 3):
        data = manifest(site, i)
        assert (data["shard"], data["of"], data["sealed"]) == (i, 3, ["team"])
        present = {p.name for p in (site.root / f"shard-{i}").iterdir() if p.name.startswith(tuple(BUYERS))}
        assert present == set(data["deals"]), "a shard publishes its own deals and no other"
        assert all(shard_of(folder.rsplit("-", 1)[0], 3) == i for folder in data["deals"])


def test_the_merged_site_is_the_whole_builds(built):
    site, buyers, merged = built
    whole, joined = site.root / "whole", site.root / "merged"
    assert files_of(joined) == files_of(whole), "the same files, the manifest left out"
    assert "6 deal folders" in merged.stdout
    for path in files_of(whole):  # the public files byte for byte: root, 404, sitemap(.gz), assets, search index
        if not path.startswith((*BUYERS, "team/")):
            assert (joined / path).read_bytes() == (whole / path).read_bytes(), path
    for password in [TEAM_PASSWORD, *buyers.values()]:
        pages, merged_pages = opened(site, password, "whole"), opened(site, password, "merged")
        assert pages and pages.keys() == merged_pages.keys()
        for path, html in pages.items():
            assert same_page(merged_pages[path]) == same_page(html), path
    team = opened(site, TEAM_PASSWORD, "whole")["team/index.html"]
    assert all(name in team for name in BUYERS.values()), "the team page lists every deal"
    for i in (1, 2, 3):  # every shard's team page is the whole build's: rows for every deal, not just its own
        assert opened(site, TEAM_PASSWORD, f"shard-{i}")["team/index.html"] == team


def test_the_document_is_published_by_its_deals_shard_alone_and_opens_after_the_merge(built):
    site, _, _ = built
    owner = shard_of("alder-freight", 3)
    for i in (1, 2, 3):
        documents = list((site.root / f"shard-{i}").glob("*/files/*.bin"))
        assert len(documents) == (1 if i == owner else 0), i
    assert len(list((site.root / "merged").glob("alder-freight-*/files/*.bin"))) == 1


def test_no_leak_in_the_merged_site(built):
    site, _, _ = built
    assert_no_plaintext(site.root / "merged", SECRET_TEXTS)
    assert not (site.root / "merged" / MANIFEST).exists()
    for i in (1, 2, 3):  # each shard's artifact too, manifest included
        assert_no_plaintext(site.root / f"shard-{i}", SECRET_TEXTS)


def test_with_a_private_slug_the_manifest_names_folders_never_slugs(tmp_path):
    site = project(tmp_path / "project")
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("      team: true\n", "      team: true\n      slug_in_url: false\n"))
    site.build(env=ci_env(MAPSITE_KEY=new_key(), MAPSITE_SHARD="1/1"))
    text = (site.out / MANIFEST).read_text()
    assert not any(slug in text for slug in BUYERS) and json.loads(text)["deals"]
    assert_no_plaintext(site.out, [*SECRET_TEXTS, *BUYERS])


def test_a_shard_needs_and_derives_no_key_of_another_shards_deal(tmp_path):
    """In CI, a shard holding some deals builds with only their passwords: it derives no other deal's key."""
    site = project(tmp_path / "project")
    mine = [slug for slug in BUYERS if shard_of(slug, 3) == 1]
    assert mine and len(mine) < len(BUYERS)
    own = {f"MAPSITE_PASSWORD_{slug.upper().replace('-', '_')}": f"{slug}-kelut-vodaf-ripem-zunog" for slug in mine}
    whole = site.build(env=ci_env(**own), check=False)
    assert whole.returncode != 0 and "MAPSITE_PASSWORD_" in whole.stderr, "the whole build needs every deal's password"
    site.build(env=ci_env(**own, MAPSITE_SHARD="1/3"))
    for slug in mine:
        assert opened(site, f"{slug}-kelut-vodaf-ripem-zunog", "site"), slug


# --- Merge errors: one line, exit 1, nothing written -----------------------------------------


def merge(site: Site, out: str, *sites: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mapsite", "merge", out, *sites], cwd=site.root, capture_output=True,
                          text=True, env=build_env(), timeout=300)


def copies(built, tmp_path: Path) -> Site:
    """A copy of the three shards' sites to spoil, in a folder of its own."""
    site = Site(tmp_path)
    for i in (1, 2, 3):
        shutil.copytree(built[0].root / f"shard-{i}", tmp_path / f"shard-{i}")
    return site


def spoil_folder_in_two_shards(site: Site) -> str:
    folder = manifest(site, 1)["deals"][0]
    shutil.copytree(site.root / "shard-1" / folder, site.root / "shard-2" / folder)
    data = manifest(site, 2)
    data["deals"].append(folder)
    (site.root / "shard-2" / MANIFEST).write_text(json.dumps(data))
    return folder


def spoil_public_file(site: Site) -> str:
    (site.root / "shard-3" / "404.html").write_text("<p>another build</p>")
    return "404.html"


@pytest.mark.parametrize("case", ["folder_in_two_shards", "missing_shard", "shard_twice", "not_a_shard_output",
                                  "out_not_empty", "public_file_differs", "shared_file_missing", "two_splits"])
def test_merge_errors_are_one_line_and_write_nothing(built, tmp_path, case):
    site = copies(built, tmp_path)
    sites = ["shard-1", "shard-2", "shard-3"]
    if case == "folder_in_two_shards":
        expected = f"the deal folder {spoil_folder_in_two_shards(site)} is in two shards, shard-1 and shard-2"
    elif case == "missing_shard":
        sites, expected = ["shard-1", "shard-3"], "shard 2/3 missing"
    elif case == "shard_twice":
        sites, expected = ["shard-1", "shard-2", "shard-3", "shard-2"], "shard-2 and shard-2 are both shard 2/3"
    elif case == "not_a_shard_output":
        shutil.copytree(built[0].root / "whole", tmp_path / "whole")
        sites, expected = ["shard-1", "whole"], f"whole: not a mapsite shard's output (no {MANIFEST})"
    elif case == "out_not_empty":
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "keep.txt").write_text("a user's file")
        expected = "out: is not empty; merge never writes over files"
    elif case == "public_file_differs":
        expected = f"{spoil_public_file(site)}: differs between shard-1 and shard-3"
    elif case == "shared_file_missing":
        (site.root / "shard-2" / "sitemap.xml.gz").unlink()
        expected = "sitemap.xml.gz: is in shard-1 but not in shard-2"
    else:
        data = manifest(site, 3)
        data["of"] = 4
        (site.root / "shard-3" / MANIFEST).write_text(json.dumps(data))
        expected = "shard-3 is shard 3/4, shard-1 is shard 1/3"
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))

    result = merge(site, "out", *sites)

    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.startswith("mapsite: merge: ") and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before, "nothing written"


def test_merge_into_an_empty_folder(built, tmp_path):
    site = copies(built, tmp_path)
    (tmp_path / "out").mkdir()
    result = merge(site, "out", "shard-2", "shard-1", "shard-3")
    assert result.returncode == 0, result.stderr
    assert files_of(tmp_path / "out") == files_of(built[0].root / "whole")
