"""Keeps the catalogues in step with the code: extracts every message (Python, templates, mapsite.js) with
Babel, as `babel.cfg` says, and updates each language's .po.

    python -m mapsite.site.catalogue          # after changing a word anywhere
    python -m mapsite.site.catalogue --add pt # a new language: its empty catalogue, ready to translate

A test extracts the same way and fails when a catalogue misses a message or keeps one no longer used.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel import Locale

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from mapsite.site.words import DOMAIN, LOCALES

HEADER = """\
# mapsite's words, language `{language}`. Regenerate with `python -m mapsite.site.catalogue`;
# an English entry keeps msgstr empty (the message is its own English)."""
ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "tn": (1, 2)}  # mapsite.js: t(message), tn(singular, plural, n)


def extract(root: Path = ROOT) -> Catalog:
    """Every message the code uses, as a template catalogue."""
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(project="mapsite", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True):
        template.add(message, None, [(filename, None)], auto_comments=comments, context=context)
    return template


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(template: Catalog) -> list[Path]:
    """Each language's catalogue with the template's messages: new ones added, unused ones dropped."""
    written = []
    for folder in sorted(p for p in LOCALES.iterdir() if p.is_dir()):
        path = po_path(folder.name)
        with path.open("rb") as po:
            catalog = read_po(po, locale=folder.name)
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False  # the header is reviewed with the messages
        catalog.creation_date = created  # unchanged words leave the file unchanged
        catalog.header_comment = HEADER.format(language=folder.name)
        catalog.msgid_bugs_address = catalog.last_translator = catalog.language_team = "mapsite maintainers"
        catalog.revision_date = created
        with path.open("wb") as po:
            write_po(po, catalog, width=100, omit_header=False, ignore_obsolete=True, include_lineno=False,
                     sort_output=True)
        written.append(path)
    return written


def add(language: str) -> Path:
    """An empty catalogue for `language` (a CLDR locale such as `pt` or `pt_BR`), with its plural rule."""
    Locale.parse(language)  # an unknown language stops here, before any file is written
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as po:
        write_po(po, Catalog(locale=language, domain=DOMAIN, project="mapsite"), omit_header=False)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mapsite.site.catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("--add", metavar="LANGUAGE", help="start the catalogue of a new language, then update all")
    options = parser.parse_args(argv)
    if options.add:
        add(options.add)
    for path in update(extract()):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
