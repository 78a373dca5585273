"""`mapsite password`: a deal's local password, shown or rotated."""

from __future__ import annotations

import click

from mapsite.security import passwords
from mapsite.cli import _fail, _plan_of, _settings, main


MAGIC_LINK = ("a magic link (<deal address>#k=<password>) opens the deal without typing, but the password stays in "
              "the buyer's browser history (and any device it syncs to): send it on its own channel when you can")


@main.command()
@click.argument("slug")
@click.option("--rotate", is_flag=True, help="Replace the password with a new strong one.")
def password(slug: str, rotate: bool) -> None:
    """Show (or --rotate) the local password of a deal, kept in .mapsite/passwords.

    In CI the password comes from the MAPSITE_PASSWORD_<SLUG> secret instead; after a
    rotation, update that secret too.
    """
    settings = _settings()
    _plan_of(settings, slug)
    store = passwords.LocalStore(settings.root)
    try:
        current = store.get_or_create(slug, rotate=rotate)
    except passwords.PasswordError as error:
        _fail(str(error))
    if current.generated:
        click.echo(f"new password for {slug} (kept in {store.path}; CI secret: {passwords.variable_name(slug)})", err=True)
    click.echo(MAGIC_LINK if settings.magic_links else "magic links are off (magic_links: false): the buyer types the password",
               err=True)
    click.echo(current.value)
