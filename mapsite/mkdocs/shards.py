"""The plugin's part of a sharded build (`MAPSITE_SHARD=i/n`): which deals this build publishes, and its manifest.

Every plan is still loaded and checked in every shard (a bad plan fails them all, the team page
lists every deal); only the shard's own deals get pages, documents and key derivations, so a shard
never derives, nor needs the password of, a deal it does not publish.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mkdocs.exceptions import PluginError

from mapsite.mkdocs.team import Team
from mapsite.plan import Deal
from mapsite.site import shards
from mapsite.site.shards import Manifest, Shard


def published(deals: list[Deal]) -> tuple[Shard | None, list[Deal]]:
    """This build's shard (None: not sharded) and the deals it publishes; a malformed MAPSITE_SHARD stops the build."""
    try:
        shard = shards.from_environment()
    except shards.ShardError as error:
        raise PluginError(f"mapsite: {error}") from None
    return shard, [d for d in deals if shard is None or shard.holds(d.slug)]


def build_day() -> dt.date:
    try:
        return shards.build_day()
    except shards.ShardError as error:
        raise PluginError(f"mapsite: {error}") from None


def finish(site_dir: Path, shard: Shard | None, deal_folders: list[str], team: Team | None) -> None:
    """Leave the manifest `mapsite merge` reads in a shard's site; an unsharded build leaves none.

    The team page is shared but sealed: encrypted with fresh nonces in each shard, so never byte-equal.
    """
    if shard is not None:
        Manifest(shard, tuple(deal_folders), (team.path,) if team else ()).write(site_dir)
