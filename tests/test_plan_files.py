"""Which files are plans, and that nothing else of them is published: symlinks, odd files, clashing folders.

Every test goes through real parts: real symlinks, a real FIFO and /dev/zero, the real `mapsite
check` and `mkdocs build --strict` in subprocesses.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from conftest import CANONICAL, assert_no_plaintext, build_env, decrypt, edited, passwords_env

PASSWORD = "correct-horse-battery-staple-42"
ZEBRA_TITLE = "Zebraquux Crossing × Acme Analytics"
ZEBRA_BODY = "Zebraquux dispatchers lose a morning a week"
NORTHWIND_TITLE = "Northwind Logistics × Acme Analytics"


def zebra_plan() -> str:
    """The canonical plan for another buyer, with a body sentence and a protocol-relative link of its own."""
    return edited(
        ("title: Northwind Logistics × Acme Analytics", f"title: {ZEBRA_TITLE}"),
        ("share_id: k7qm2xtz9p", "share_id: zq81pz7rw2"),
        ("Peak season starts on February 15.", f"{ZEBRA_BODY}."),
        ("cadence: Weekly check-in, Tuesdays 10:00 Central", 'cadence: "[Weekly call](//meet.example/zebra)"'),
    )


def link(path, target) -> None:
    path.symlink_to(target)
    assert path.is_symlink()


# --- 1. Symlinks: built as a deal, never published in plaintext ---------------------------------

def test_a_symlinked_plan_and_folder_are_never_published_in_plaintext(canonical_site):
    site = canonical_site
    shared = site.root / "shared"
    (shared / "more").mkdir(parents=True)
    (shared / "zebra.md").write_text(zebra_plan(), encoding="utf-8")
    (shared / "more" / "notes.md").write_text("# Folderquux notes\n\nFolderquux pricing floor.\n", encoding="utf-8")
    link(site.plans / "zebra.md", "../shared/zebra.md")
    link(site.plans / "more", "../shared/more")

    site.build(env={"CI": "true", **passwords_env(northwind_logistics=PASSWORD, zebra=PASSWORD + "-z")})

    assert not (site.out / "zebra").exists() and not (site.out / "more").exists()
    summary = decrypt(site, "zebra-zq81pz7rw2/", PASSWORD + "-z")
    assert ZEBRA_TITLE in summary and ZEBRA_BODY in summary  # built as a deal, behind its own password
    assert '<a href="//meet.example/zebra" rel="noopener noreferrer" target="_blank">Weekly call</a>' in summary
    assert_no_plaintext(site.out, [ZEBRA_TITLE, "Zebraquux", ZEBRA_BODY, "Folderquux", NORTHWIND_TITLE,
                                   "Northwind Logistics", "meet.example"])


def test_with_pages_of_its_own_the_site_still_drops_every_copy_of_a_plan(site):
    """docs_dir apart from plans/: its own pages are published, a link there to a plan's text is not."""
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("docs_dir: plans", "docs_dir: docs"), encoding="utf-8")
    (site.root / "docs").mkdir()
    (site.root / "docs" / "about.md").write_text("# About our deal rooms\n", encoding="utf-8")
    (site.root / "shared").mkdir()
    (site.root / "shared" / "zebra.md").write_text(zebra_plan(), encoding="utf-8")
    link(site.plans / "zebra.md", "../shared/zebra.md")
    link(site.root / "docs" / "zebra-notes.md", "../shared/zebra.md")

    site.build(env=passwords_env(zebra=PASSWORD))
    assert "About our deal rooms" in site.html("about/index.html")
    assert not (site.out / "zebra-notes").exists()
    assert ZEBRA_TITLE in decrypt(site, "zebra-zq81pz7rw2/", PASSWORD)
    assert_no_plaintext(site.out, [ZEBRA_TITLE, ZEBRA_BODY])


def test_a_plan_that_resolves_outside_the_project_is_refused(site, tmp_path):
    outside = tmp_path / "elsewhere" / "northwind-logistics.md"
    outside.parent.mkdir()
    outside.write_text(CANONICAL.read_text(encoding="utf-8"), encoding="utf-8")
    link(site.plans / "northwind-logistics.md", outside)

    check = site.mapsite("check")
    assert check.returncode == 1
    assert f"plans/northwind-logistics.md:1:1: the plan links to {outside}, outside this project" in check.stdout
    build = site.build(check=False)
    assert build.returncode != 0 and "plans/northwind-logistics.md:1:1: the plan links to" in build.stderr
    assert "Traceback" not in check.stderr + build.stderr
    assert not site.out.exists()


def with_memory_limit() -> None:
    """In the child: at most 1 GiB of address space, so reading /dev/zero without limit fails fast instead of taking the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_plan_linked_to_dev_zero_is_refused_without_reading_it(canonical_site):
    link(canonical_site.plans / "zero.md", "/dev/zero")
    result = subprocess.run([sys.executable, "-m", "mapsite", "check"], cwd=canonical_site.root, capture_output=True,
                            text=True, env=build_env(), timeout=120, preexec_fn=with_memory_limit)
    assert result.returncode == 1
    assert "plans/zero.md:1:1: the plan links to /dev/zero, outside this project" in result.stdout
    assert "plans/northwind-logistics.md:" in result.stdout  # the other plan is still checked
    assert "Traceback" not in result.stderr


def test_a_fifo_a_folder_and_a_huge_file_are_refused_and_the_other_plans_still_checked(canonical_site):
    site = canonical_site
    os.mkfifo(site.plans / "pipe.md")  # opening it for reading would wait for a writer forever
    (site.plans / "folder.md").mkdir()
    huge = CANONICAL.read_text(encoding="utf-8").replace("k7qm2xtz9p", "hh55gg66ff") + "More words. " * 100_000
    site.add_plan("huge.md", huge)

    check = site.mapsite("check", timeout=60)
    assert check.returncode == 1, check.stdout
    assert "plans/pipe.md:1:1: this is a named pipe (FIFO), not a plan file" in check.stdout
    assert "plans/folder.md:1:1: this is a folder, not a plan file" in check.stdout
    assert "plans/huge.md:1:1: the file is larger than 1 MiB" in check.stdout
    assert "plans/northwind-logistics.md:" in check.stdout and "3 of 4 plans invalid" in check.stderr
    build = site.build(check=False, timeout=60)
    assert build.returncode != 0 and "plans/pipe.md:1:1: this is a named pipe (FIFO)" in build.stderr
    assert "Traceback" not in check.stderr + build.stderr


# --- 7. Control characters ----------------------------------------------------------------------

def test_control_characters_are_reported_at_their_line_and_every_plan_is_still_checked(canonical_site):
    site = canonical_site
    site.add_plan("nul-deal.md", edited(("share_id: k7qm2xtz9p", "share_id: nn11uu22ll"),
                                        ("title: Northwind Logistics", "title: Nulquux\x00 Logistics")))
    site.add_plan("esc-deal.md", edited(("share_id: k7qm2xtz9p", "share_id: ee33ss44cc"),
                                        ("  - title: Rollout to all 14 depots", "  - title: Rollout to \x1b[31mall")))
    site.add_plan("typo-deal.md", edited(("share_id: k7qm2xtz9p", "share_id: tt55yy66pp"), ("go_live: 2027-03-01", "go_live: 2027-02-30")))

    check = site.mapsite("check")
    assert check.returncode == 1
    assert "plans/nul-deal.md:2:15: U+0000 (NUL) cannot appear in a plan; delete it" in check.stdout
    assert "plans/esc-deal.md:120:23: U+001B (ESC) cannot appear in a plan; delete it" in check.stdout
    assert "plans/typo-deal.md:8:10: go_live: `2027-02-30` is not a real date" in check.stdout
    assert "3 of 4 plans invalid" in check.stderr
    build = site.build(check=False)
    assert build.returncode != 0 and "plans/nul-deal.md:2:15: U+0000 (NUL)" in build.stderr
    assert "Traceback" not in check.stderr + build.stderr


@pytest.mark.parametrize(("char", "name"), [("\x07", "U+0007 (BEL)"), ("\x7f", "U+007F (DEL)"),
                                            ("\x9b", "U+009B (a control character)"), ("\ufffe", "U+FFFE (a control character)")])
@pytest.mark.parametrize(("old", "line", "col"), [("cadence: Weekly", 161, 16), ("## Why now", 164, 11)])
def test_every_character_yaml_refuses_is_named_in_the_front_matter_and_the_body(tmp_path, char, name, old, line, col):
    from mapsite.plan import load_plan

    path = tmp_path / "northwind-logistics.md"
    path.write_text(edited((old, old + char)), encoding="utf-8")
    deal, problems = load_plan(path, "plans/northwind-logistics.md")
    assert deal is None
    assert [str(p) for p in problems] == [f"plans/northwind-logistics.md:{line}:{col}: {name} cannot appear in a plan; "
                                          "delete it (it is invisible in most editors)"]


def test_a_template_with_a_control_character_is_reported_by_mapsite_new(site):
    templates = site.plans / "_templates"
    templates.mkdir()
    (templates / "odd.md").write_text("---\ntitle: Odd\x00\n---\n", encoding="utf-8")
    result = site.mapsite("new", "contoso", "--go-live", "2027-03-01", "--template", "odd")
    assert result.returncode == 1
    assert "plans/_templates/odd.md:2:1: U+0000 (NUL) cannot appear in a plan" in result.stderr
    assert "Traceback" not in result.stderr


# --- 8. Two plans, one folder -------------------------------------------------------------------

def clashing_plans(site) -> None:
    """`a-b.md` + `cdefgh` and `a.md` + `b-cdefgh`: both `a-b-cdefgh/` when the slug is in the address."""
    site.add_plan("a-b.md", edited(("share_id: k7qm2xtz9p", "share_id: cdefgh"), (NORTHWIND_TITLE, "Clashquux One")))
    site.add_plan("a.md", edited(("share_id: k7qm2xtz9p", "share_id: b-cdefgh"), (NORTHWIND_TITLE, "Clashquux Two")))


def test_two_plans_published_in_the_same_folder_is_an_error_naming_both(site):
    clashing_plans(site)
    check = site.mapsite("check")
    assert check.returncode == 1
    expected = "plans/a.md:7:11: this deal would be published in `a-b-cdefgh/`, where plans/a-b.md is published too"
    assert expected in check.stdout
    build = site.build(check=False)
    assert build.returncode != 0 and expected in build.stderr
    assert "Traceback" not in check.stderr + build.stderr


def test_without_the_slug_in_the_address_the_same_plans_get_their_own_folders(site):
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("      plans_dir: plans\n", "      plans_dir: plans\n      slug_in_url: false\n"))
    clashing_plans(site)
    assert site.mapsite("check").returncode == 0
    site.build(env=passwords_env(a=PASSWORD, a_b=PASSWORD + "-b"))
    assert "Clashquux One" in decrypt(site, "cdefgh/", PASSWORD + "-b")
    assert "Clashquux Two" in decrypt(site, "b-cdefgh/", PASSWORD)
    site.add_plan("c.md", edited(("share_id: k7qm2xtz9p", "share_id: cdefgh")))
    check = site.mapsite("check")
    assert check.returncode == 1 and "plans/c.md:7:11: share_id `cdefgh` is already used by plans/a-b.md" in check.stdout


@pytest.mark.parametrize("folder", ["assets", "search"])
def test_a_deal_cannot_be_published_in_a_folder_the_site_uses(site, folder):
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("      plans_dir: plans\n", "      plans_dir: plans\n      slug_in_url: false\n"))
    site.add_plan("northwind-logistics.md", edited(("share_id: k7qm2xtz9p", f"share_id: {folder}")))
    check = site.mapsite("check")
    assert check.returncode == 1
    assert f"plans/northwind-logistics.md:7:11: this deal would be published in `{folder}/`, a folder the site itself uses" in check.stdout
    build = site.build(check=False)
    assert build.returncode != 0 and f"published in `{folder}/`" in build.stderr and not (site.out / folder / "index.html").exists()


# --- Leak check with everything at once ---------------------------------------------------------

def test_no_plaintext_in_the_site_with_symlinks_clashes_and_control_characters(canonical_site):
    site = canonical_site
    (site.root / "shared").mkdir()
    (site.root / "shared" / "zebra.md").write_text(zebra_plan(), encoding="utf-8")
    link(site.plans / "zebra.md", "../shared/zebra.md")
    env = {"CI": "true", **passwords_env(northwind_logistics=PASSWORD, zebra=PASSWORD + "-z")}
    site.build(env=env)
    clashing_plans(site)
    site.add_plan("nul-deal.md", edited(("share_id: k7qm2xtz9p", "share_id: nn11uu22ll"), (NORTHWIND_TITLE, "Nulquux\x00 deal")))

    assert site.build(check=False, env=env).returncode != 0
    assert_no_plaintext(site.out, [ZEBRA_TITLE, ZEBRA_BODY, "Zebraquux", NORTHWIND_TITLE, "Clashquux", "Nulquux"])
    assert (site.out / "zebra-zq81pz7rw2" / "index.html").is_file()  # the last good build is left as it was


# --- Links to another host ----------------------------------------------------------------------

@pytest.mark.parametrize("href", ["//evil.example/x", " //evil.example/x", "/\\evil.example/x", "https://evil.example/x",
                                  "HTTP://evil.example/x"])
def test_every_link_to_another_host_opens_apart_without_a_referrer(href):
    from mapsite.site import text

    html = str(text.inline(f"[out](<{href}>)"))
    assert 'rel="noopener noreferrer" target="_blank"' in html, html


@pytest.mark.parametrize("href", ["#milestone-2", "milestones/", "/about/", "mailto:raj@acme.example"])
def test_links_within_the_site_stay_as_they_are(href):
    from mapsite.site import text

    assert "target=" not in str(text.inline(f"[in]({href})"))
