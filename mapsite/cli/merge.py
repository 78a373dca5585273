"""`mapsite merge OUT SITE...`: the outputs of a sharded build (`MAPSITE_SHARD=i/n`) joined into one site."""

from __future__ import annotations

from pathlib import Path

import click

from mapsite.cli import _fail, main
from mapsite.site.merge import merge as join
from mapsite.site.shards import ShardError


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.argument("sites", nargs=-1, required=True, metavar="SITE...", type=click.Path(path_type=Path))
def merge(out: Path, sites: tuple[Path, ...]) -> None:
    """Join the sites of shards 1/n to n/n into OUT, a new or empty folder, ready to publish.

    Every shard must be there once, no deal folder in two shards, and the shared files (root, 404,
    sitemap, assets) alike in every shard; else nothing is written.
    """
    try:
        merged = join(out, list(sites))
    except ShardError as error:  # a missing or foreign manifest too
        _fail(f"merge: {error}")
    except OSError as error:
        _fail(f"merge: {error.filename or out}: {error.strerror or error}; nothing was written to {out}")
    click.echo(f"mapsite: merged {merged.shards} shards into {out}: {merged.deals} deal folders, {merged.shared} shared files")
