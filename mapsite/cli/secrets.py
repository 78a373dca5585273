"""`mapsite password`, `mapsite key`, `mapsite decrypt`: a deal's password shown or rotated, a new site key, and
what a password opens in a published site."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mapsite.plan import display_path, load_plan
from mapsite.mkdocs.settings import SiteSettings
from mapsite.security import passwords, sitekey, unseal
from mapsite.security.realms import deal_realm, realm_of, team_realm
from mapsite.cli import _exit_on_problems, _fail, _plan_of, _settings, main


MAGIC_LINK = ("a magic link (<deal address>#k=<password>) opens the deal without typing, but the password stays in "
              "the buyer's browser history (and any device it syncs to): send it on its own channel when you can")
DECRYPT_VARIABLE = "MAPSITE_DECRYPT_PASSWORD"


@main.command()
@click.argument("slug", required=False)
@click.option("--team", is_flag=True, help="The team's password (MAPSITE_TEAM_PASSWORD), which opens every deal.")
@click.option("--rotate", is_flag=True, help="Replace the password with a new strong one.")
def password(slug: str | None, team: bool, rotate: bool) -> None:
    """Show (or --rotate) the password a build gives a deal, or with --team the team's.

    From its own MAPSITE_PASSWORD_<SLUG> when set; else, with MAPSITE_KEY set, derived from the site
    key (--rotate then raises the deal's counter in password-rotations.json: commit it); else the local
    one kept in .mapsite/passwords (after a rotation, update the deal's CI secret too). The team's
    comes from MAPSITE_TEAM_PASSWORD, else the local store: never from the site key.
    """
    settings = _settings()
    if team and slug is not None:
        _fail("name one deal (`mapsite password <slug>`) or --team, not both")
    if team:
        return _team_password(settings, rotate)
    if slug is None:
        _fail("name a deal (`mapsite password <slug>`), or --team for the team's password")
    plan = _plan_of(settings, slug)
    realm = deal_realm(slug, folder="")  # where its password comes from; the salt plays no part in that
    try:
        tables = passwords.password_tables()
        own = passwords.from_environment(realm, os.environ, tables)
        key = passwords.site_key(os.environ, tables)
        if own:
            if rotate:
                _fail(f"{slug}'s password comes from {own.source}, which wins over the site key and the local store: "
                      f"give it a new strong value there")
            click.echo(f"{slug}'s password, from {own.source}", err=True)
            current = own
        elif key:
            current = _derived(settings, plan, key, rotate)
        else:
            store = passwords.LocalStore(settings.root)
            current = store.get_or_create(slug, rotate=rotate)
            if current.generated:
                click.echo(f"new password for {slug} (kept in {store.path}; CI secret: {realm.variable})", err=True)
    except (passwords.PasswordError, sitekey.SiteKeyError) as error:
        _fail(str(error))
    click.echo(MAGIC_LINK if settings.magic_links else "magic links are off (magic_links: false): the buyer types the password",
               err=True)
    click.echo(current.value)


def _team_password(settings: SiteSettings, rotate: bool) -> None:
    """The team's password, as the build finds it; made and kept locally when there is none."""
    realm = team_realm(settings.team_path or "team")
    try:
        own = passwords.from_environment(realm, os.environ, passwords.password_tables())
        if own and rotate:
            _fail(f"the team's password comes from {own.source}: give it a new strong value there "
                  f"(`mapsite password --team --rotate` outside CI makes one to copy)")
        current = own or passwords.LocalStore(settings.root).get_or_create(realm.store_key, rotate=rotate,
                                                                           min_bits=realm.min_bits)
    except passwords.PasswordError as error:
        _fail(str(error))
    reason = not current.generated and passwords.weakness(current.value, "team", realm.known, realm.rotate_command,
                                                          realm.min_bits)
    if reason:
        _fail(f"the team's password (from {current.source}) is too weak: {reason}")
    where = "kept in " + str(passwords.STORE) if not own else "from " + own.source
    click.echo(f"the team's password ({where}; CI secret: {realm.variable}). It opens the team page and every deal, "
               f"internal items included: share it with the sales team only" + ("" if settings.team_path else
               "; the team page is off until mkdocs.yml sets `team: true` under mapsite"), err=True)
    click.echo(current.value)


def _derived(settings: SiteSettings, plan: Path, key: sitekey.SiteKey, rotate: bool) -> passwords.Password:
    """The deal's password from the site key, as the build derives it (from the deal's realm, the plan's names
    known); --rotate raises its counter in the committed rotations file first."""
    deal, problems = load_plan(plan, display_path(plan, settings.root), project=settings.root)
    _exit_on_problems(problems)
    if deal is None:
        _fail(f"{display_path(plan, settings.root)}: not a valid plan; `mapsite check` says why")
    realm = realm_of(deal, settings.layout.folder(deal))
    rotations = sitekey.Rotations(settings.root)
    counter = rotations.rotate(realm.id) if rotate else rotations.counter(realm.id)
    current = passwords.derived(realm, key, counter)
    if rotate:
        click.echo(f"new password for {realm.label}: {sitekey.ROTATIONS} now says \"{realm.id}\": {counter}. Commit it\n"
                   f"  git add {sitekey.ROTATIONS} && git commit -m \"New password for {realm.label}\"\n"
                   f"and the next build publishes {realm.label} under this password; the old one then opens nothing, "
                   f"and every other deal keeps its password", err=True)
    else:
        click.echo(f"{realm.label}'s password, from {current.source}", err=True)
    return current


@main.command()
def key() -> None:
    """Print a new random site key for MAPSITE_KEY: one secret gives every deal its own password."""
    click.echo(f"a new site key: keep it as the secret {sitekey.VARIABLE} (`mapsite key | gh secret set {sitekey.VARIABLE} "
               f"--env github-pages`). Whoever holds it can derive every deal's password; a new key changes them all",
               err=True)
    click.echo(sitekey.new_key())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--text", is_flag=True, help="Print each opened page's text, not its HTML.")
def decrypt(paths: tuple[Path, ...], text: bool) -> None:
    """Print every published page in PATHS (files, or folders of .html) that a password opens.

    The password comes from MAPSITE_DECRYPT_PASSWORD, or is asked for on a terminal. Exit 0 when
    something opened, 1 when nothing did: check exactly what a buyer with that password reads.
    """
    for path in paths:
        if not path.exists():
            _fail(f"{path}: no such file or folder")
    outcome = unseal.Unsealer(_decrypt_password()).run(unseal.files_under(paths))
    for line in unseal.lines_of(outcome, text):
        click.echo(line)
    for file, why in outcome.broken:
        click.echo(f"mapsite: {file}: not opened: {why}", err=True)
    tried = len(outcome.opened) + len(outcome.locked) + len(outcome.broken)
    click.echo(f"opened {len(outcome.opened)} of {tried} encrypted pages ({outcome.plain} other files)", err=True)
    sys.exit(0 if outcome.opened else 1)


def _decrypt_password() -> str:
    if os.environ.get(DECRYPT_VARIABLE):
        return os.environ[DECRYPT_VARIABLE]
    if not sys.stdin.isatty():
        _fail(f"no password: set {DECRYPT_VARIABLE}, or run on a terminal to be asked for it")
    return click.prompt("Password", hide_input=True)
