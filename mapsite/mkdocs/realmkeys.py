"""Every realm's key for a build: PBKDF2 once per realm per build, in the background, cached locally."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from mkdocs.exceptions import PluginError

from mapsite.security import passwords
from mapsite.security.keys import ITERATIONS, BackgroundKeys, KeyCache, RealmKey
from mapsite.security.realms import Realm

log = logging.getLogger("mkdocs.plugins.mapsite")


def realm_keys(realms: Iterable[Realm], root: Path) -> tuple[BackgroundKeys, Callable[[], None] | None]:
    """Every realm's key by realm id, derived once per build; fails closed when a password is missing or weak.

    Locally, keys whose realm, password, salt and cost are unchanged come from `.mapsite/keys`. Returns the
    keys (new ones derived in the background) and, when there are new ones, what saves them there.
    """
    realms = list(realms)
    cache = None if passwords.in_ci() else KeyCache(root)

    def passed(realm: Realm, value: str) -> bool:  # a cached key: an earlier build held this password to the rule
        return cache is not None and cache.get(realm.id, value, realm.salt, ITERATIONS) is not None
    try:
        found = passwords.resolve(realms, root, passed=passed)
    except passwords.PasswordError as error:
        raise PluginError(f"mapsite: {error}") from None
    for realm in realms:
        if found[realm.id].generated:
            log.info(f"mapsite: new password for {realm.label}: {found[realm.id].value}  (kept in {passwords.STORE}; "
                     f"`{realm.rotate_command.removesuffix(' --rotate')}` shows it again)")
    keys: dict[str, RealmKey] = {}
    for realm in realms:
        cached = cache and cache.get(realm.id, found[realm.id].value, realm.salt, ITERATIONS)
        if cached:
            keys[realm.id] = cached
    todo = [r for r in realms if r.id not in keys]
    pending = BackgroundKeys({r.id: found[r.id].value for r in todo}, {r.id: r.salt for r in todo}, known=keys)
    if not (cache and todo):
        return pending, None

    def save() -> None:
        every = pending.all()
        cache.save({r.id: (found[r.id].value, every[r.id]) for r in realms})
    return pending, save
