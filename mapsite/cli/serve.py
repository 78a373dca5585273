"""`mapsite preview`: one deal served by MkDocs with live reload."""

from __future__ import annotations

import logging

import click

from mapsite.cli import _exit_on_problems, _fail, _plan_of, _settings, main
from mapsite.plan import load_paths


@main.command()
@click.argument("slug")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="<IP:PORT>",
              help="Address to serve on; on any address but localhost the deal stays encrypted.")
def preview(slug: str, dev_addr: str) -> None:
    """Serve one deal with live reload: a saved change shows in the browser within a second.

    Only plans/SLUG.md is built and validated (with the same messages as a full build), so this
    stays fast among thousands of plans; `mapsite check` validates them all. Other deals are not
    served. The plugin learns the deal from its `preview_only` option, set here through MkDocs'
    own config overrides on every rebuild.
    """
    from mkdocs.commands.serve import serve

    _check_dev_addr(dev_addr)
    settings = _settings()
    config_file = settings.root / "mkdocs.yml"
    if not config_file.is_file():
        _fail("no mkdocs.yml here or in any folder above")
    plan = _plan_of(settings, slug)
    deals, problems = load_paths([plan], settings.root, project=settings.root, layout=settings.layout)
    _exit_on_problems(problems)
    mkdocs_log = logging.getLogger("mkdocs")  # what `mkdocs serve` prints: builds, errors, "Serving on"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)
    mkdocs_log.propagate = False
    click.echo(f"mapsite: previewing {slug} at {settings.layout.preview_url(deals[0], dev_addr)}", err=True)
    try:
        serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True, plugins=settings.plugins_previewing(slug))
    except OSError as error:  # the port is taken, or the address is not this machine's
        _fail(f"cannot serve on {dev_addr}: {error.strerror or error}; pick another with --dev-addr")


def _check_dev_addr(dev_addr: str) -> None:
    """MkDocs' own IP:PORT rule, plus a port that can be bound, checked before anything is built."""
    from mkdocs.config.config_options import IpAddress, ValidationError

    try:
        port = IpAddress().validate(dev_addr).port
    except ValidationError as error:
        raise click.BadParameter(f"`{dev_addr}`: {error}", param_hint="--dev-addr") from None
    if not 0 < port < 65536:
        raise click.BadParameter(f"`{dev_addr}`: the port must be 1-65535", param_hint="--dev-addr")
