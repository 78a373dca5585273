"""Every realm's key for a build: a cached record where the site key vouches for it, else PBKDF2 in the background.

A realm's pages are sealed under its content key R; a lock carries R wrapped under P (`records`).
With the site key, R is reproducible, so a record an earlier build made and kept in
`MAPSITE_CACHE_DIR` (`recordcache`) is used again and P is not derived: a rebuild whose passwords did
not change derives no PBKDF2 key. The rest derive P in worker processes while pages render; locally,
P may also come from `.mapsite/keys` (never in CI). Both caches are written only when the build succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from mkdocs.exceptions import PluginError

from mapsite.security import passwords, recordcache, records
from mapsite.security.keys import ITERATIONS, BackgroundKeys, KeyCache, RealmKey
from mapsite.security.realms import Realm
from mapsite.security.records import SealKey

log = logging.getLogger("mkdocs.plugins.mapsite")


class SealKeys:
    """Each realm's SealKey by realm id: from its cached record at once, else made from P when P is ready."""

    def __init__(self, derived: BackgroundKeys | None = None, cached: dict[str, SealKey] | None = None,
                 content: Callable[[str], bytes] = lambda realm_id: b""):
        self._derived = derived or BackgroundKeys({}, {})
        self._seals = dict(cached or {})
        self._content = content

    def get(self, realm_id: str) -> SealKey:
        if realm_id not in self._seals:
            p = self._derived.get(realm_id)
            self._seals[realm_id] = records.sealed(p.key, self._content(realm_id), p.salt, p.iterations)
        return self._seals[realm_id]

    def derived(self) -> dict[str, RealmKey]:
        """Every P this build holds (from `.mapsite/keys` or derived), waiting for those still being derived."""
        return self._derived.all()

    def close(self) -> None:
        self._derived.close()


def keeps(realm: Realm, password: passwords.Password) -> bool:
    """Whether a realm's record may be cached: its password is derived from the site key, or holds 2^100 guesses (the team's)."""
    return realm.min_bits >= recordcache.MIN_BITS or password.from_site_key


def realm_keys(realms: Iterable[Realm], root: Path, pool=None) -> tuple[SealKeys, Callable[[], None] | None]:
    """Every realm's key by realm id, with no PBKDF2 where a cached record serves; fails closed when a password is missing or weak.

    Returns the keys and what saves both caches once the build has succeeded (None: nothing to save).
    `pool`: the build's key workers (`keys.key_workers`), forked before the plans were read.
    """
    realms = list(realms)
    local = None if passwords.in_ci() else KeyCache(root)
    try:
        site_key = passwords.site_key()
    except passwords.PasswordError as error:
        raise PluginError(f"mapsite: {error}") from None
    cache = site_key and recordcache.RecordCache(recordcache.folder(root), site_key.secret)

    def passed(realm: Realm, value: str) -> bool:  # an earlier build held this password to the rule
        return bool(local and local.get(realm.id, value, realm.salt, ITERATIONS) is not None) or bool(
            cache and cache.entries and cache.record(realm.id, realm.label, value, realm.salt, ITERATIONS, report=False) is not None)
    try:
        found = passwords.resolve(realms, root, passed=passed)
    except passwords.PasswordError as error:
        raise PluginError(f"mapsite: {error}") from None
    for realm in realms:
        if found[realm.id].generated:
            log.info(f"mapsite: new password for {realm.label}: {found[realm.id].value}  (kept in {passwords.STORE}; "
                     f"`{realm.rotate_command.removesuffix(' --rotate')}` shows it again)")

    salts = {r.id: r.salt for r in realms}

    def content(realm_id: str) -> bytes:
        return records.content_key(site_key and site_key.secret, found[realm_id].value, realm_id, salts[realm_id])
    kept = [r for r in realms if cache and keeps(r, found[r.id])]
    cached: dict[str, SealKey] = {}
    for realm in kept:
        record = cache.record(realm.id, realm.label, found[realm.id].value, realm.salt, ITERATIONS)
        if record is not None:
            cached[realm.id] = SealKey(content(realm.id), realm.salt, ITERATIONS, record)
    known: dict[str, RealmKey] = {}
    for realm in realms:
        p = local and realm.id not in cached and local.get(realm.id, found[realm.id].value, realm.salt, ITERATIONS)
        if p:
            known[realm.id] = p
    todo = [r for r in realms if r.id not in cached and r.id not in known]
    if cache:
        log.info(f"mapsite: keys: {len(cached)} of {len(realms)} realms from the cache, {len(todo)} to derive")
    derived = BackgroundKeys({r.id: found[r.id].value for r in todo}, {r.id: r.salt for r in todo}, known=known, pool=pool)
    seals = SealKeys(derived, cached, content)
    if not (cache or (local and todo)):
        return seals, None

    def save() -> None:
        if local and todo:
            every = seals.derived()
            local.save({r.id: (found[r.id].value, every[r.id]) for r in realms if r.id in every})
        if cache:
            cache.save({r.id: (found[r.id].value, r.salt, ITERATIONS, seals.get(r.id).record) for r in kept})
    return seals, save
