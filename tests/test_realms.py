"""Realms and URL layout: every generated page belongs to a realm or is explicitly public, and a deal's
realm, salt and addresses are what they have always been (remembered keys and sent links keep working)."""

from __future__ import annotations

import hashlib

from conftest import MKDOCS_YML, assert_no_plaintext, passwords_env
from mapsite.security import passwords
from mapsite.security.realms import PUBLIC, deal_realm, deal_salt
from mapsite.site import kinds
from mapsite.site.urls import UrlLayout

PASSWORD = "correct-horse-battery-staple-42"


class _Plan:
    share_id = "k7qm2xtz9p"


class _Deal:
    slug = "northwind-logistics"
    plan = _Plan()


def test_a_deal_realm_keeps_its_salt_variable_and_store_key():
    realm = deal_realm("northwind-logistics", "northwind-logistics-k7qm2xtz9p", ("Northwind Logistics",))
    assert realm.id == "deal:northwind-logistics"  # keyed apart from any other kind of realm named like the deal
    assert realm.salt == hashlib.sha256(b"mapsite/salt/v1|northwind-logistics-k7qm2xtz9p").digest()[:16]
    assert realm.salt == deal_salt("northwind-logistics-k7qm2xtz9p")
    assert realm.variable == "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS"
    assert realm.store_key == "northwind-logistics"  # .mapsite/passwords written by earlier versions keeps working


def test_passwords_resolve_by_realm_id_and_read_the_local_store_by_slug(tmp_path):
    (tmp_path / ".mapsite").mkdir()
    (tmp_path / ".mapsite" / "passwords").write_text(f'{{"northwind-logistics": "{PASSWORD}"}}', encoding="utf-8")
    realm = deal_realm("northwind-logistics", "northwind-logistics-k7qm2xtz9p")
    found = passwords.resolve([realm], tmp_path, {})
    assert list(found) == ["deal:northwind-logistics"] and found[realm.id].value == PASSWORD


def test_every_kind_names_its_audience():
    assert {kind.audience for kind in kinds.DEAL_KINDS} == {kinds.DEAL}
    assert kinds.LANDING.audience == kinds.NOT_FOUND.audience == PUBLIC
    assert [kind.key for kind in kinds.DEAL_KINDS] == ["summary", "milestones", "people"]


def test_the_layout_places_deals_and_pages():
    layout, flat = UrlLayout(), UrlLayout(slug_in_url=False, directory_urls=False, site_url="https://deals.example.com/q/")
    assert layout.folder(_Deal()) == "northwind-logistics-k7qm2xtz9p" and flat.folder(_Deal()) == "k7qm2xtz9p"
    assert layout.source(_Deal(), kinds.PEOPLE) == "northwind-logistics-k7qm2xtz9p/people.md"
    assert layout.deal_url(_Deal()) == "northwind-logistics-k7qm2xtz9p/"
    assert flat.deal_url(_Deal()) == "https://deals.example.com/q/k7qm2xtz9p/index.html"
    assert layout.preview_url(_Deal(), "127.0.0.1:8000") == "http://127.0.0.1:8000/northwind-logistics-k7qm2xtz9p/"
    assert flat.preview_url(_Deal(), "127.0.0.1:8000") == "http://127.0.0.1:8000/q/k7qm2xtz9p/index.html"
    assert layout.page_links("summary") == {"summary": "./", "milestones": "milestones/", "people": "people/"}
    assert layout.page_links("people") == {"summary": "../", "milestones": "../milestones/", "people": "./"}
    assert flat.page_links("people") == {"summary": "index.html", "milestones": "milestones.html", "people": "people.html"}


EXTRA_KIND = """\
# A page kind someone added without saying who may read it.
from mapsite.site import kinds

kinds.DEAL_KINDS = (*kinds.DEAL_KINDS, kinds.PageKind("notes", "Notes", "notes.md", "summary.html", audience=None))
"""


def test_a_page_kind_without_a_realm_fails_the_build_and_publishes_no_plaintext(canonical_site):
    (canonical_site.root / "extra_kind.py").write_text(EXTRA_KIND, encoding="utf-8")
    yml = canonical_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "hooks:\n  - extra_kind.py\n", encoding="utf-8")
    result = canonical_site.build(env=passwords_env(northwind_logistics=PASSWORD), check=False)
    assert result.returncode != 0
    assert "notes.md: the page kind `notes` belongs to no realm" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (canonical_site.out / "northwind-logistics-k7qm2xtz9p" / "notes").exists()
    if canonical_site.out.exists():
        assert_no_plaintext(canonical_site.out, ["Northwind Logistics", "Pilot on the Midwest region", "Marco Ruiz"])


def test_the_same_site_without_the_extra_kind_builds(canonical_built):
    """The control: only the kind without a realm made the build above fail (the shared build is that site without it)."""
    assert "hooks:" not in MKDOCS_YML and "hooks:" not in (canonical_built.root / "mkdocs.yml").read_text(encoding="utf-8")
    assert canonical_built.last.returncode == 0
    assert (canonical_built.out / "northwind-logistics-k7qm2xtz9p" / "people" / "index.html").is_file()
