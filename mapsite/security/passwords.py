"""One password per realm (today: per deal): from the environment in CI, generated and kept locally otherwise.

A realm's own variable (`MAPSITE_PASSWORD_<SLUG>`, or its entry in a JSON object of passwords) comes
first; then, with the site key `MAPSITE_KEY` set, a password derived from it (`sitekey`); then,
outside CI only, the local store.

Passwords never enter git or `site/`. In CI a missing or weak password stops the build, so
a deal can never be published under a guessable password or in plain text. Anyone holding the
published files can test guesses offline, each at the cost of one key derivation: a password
must need 2^60 guesses by zxcvbn's estimate, with the deal's and companies' names known.
"""

from __future__ import annotations

import json
import math
import os
import re
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from zxcvbn import zxcvbn

from mapsite.security.passphrase import holds_out, known_words, random_words
from mapsite.security.private import write_private
from mapsite.security.realms import MIN_BITS, Realm, variable_name
from mapsite.security.sitekey import VARIABLE as KEY_VARIABLE, Rotations, SiteKey, SiteKeyError, parse

__all__ = ["Password", "PasswordError", "LocalStore", "Rating", "derived", "generate", "in_ci", "rate", "rate_all", "resolve",
           "site_key", "variable_name", "weakness"]

STORE = Path(".mapsite") / "passwords"
ALL_VARIABLE = "MAPSITE_PASSWORDS"
FILE_VARIABLE = "MAPSITE_PASSWORDS_FILE"  # a JSON file of the same shape: what the publish workflow writes
MIN_LENGTH = 12
MIN_SCORE = 4  # zxcvbn's top score ("very unguessable"), and a realm's min_bits of guesses (realms.MIN_BITS: 2^60 for a deal)
ZXCVBN_MAX = 72  # the longest password zxcvbn rates (it raises past that); eight words reach 79 characters
MAX_DRAWS = 100  # a draw refused for leaning on known names is rare; 100 in a row means hostile names
RATE_IN_POOL_FROM = 16  # passwords to rate per worker process before a pool pays for its start
PATTERNS = {"dictionary": "a common word or name", "spatial": "a keyboard pattern", "repeat": "repeated characters",
            "sequence": "a run like abc or 123", "regex": "a year", "date": "a date"}  # zxcvbn's match patterns


class PasswordError(Exception):
    """A password is missing or too weak; the message says which deal and what to do."""


@dataclass(frozen=True)
class Password:
    value: str
    source: str  # where it came from, for messages: an env variable or the local store
    generated: bool = False
    checked: bool = False  # held to the strength rule already, or strong by construction (generated, or from the site key)
    from_site_key: bool = False  # derived from MAPSITE_KEY: whoever holds the key knows it already


def generate(slug: str = "", names: Sequence[str] = (), min_bits: int = MIN_BITS) -> str:
    """Eight common English words joined by dashes (`passphrase`): 103 bits, easy to read out on a call.

    Never rated by zxcvbn: its strength is known by construction. Drawn again in the rare case too few
    of its words are other than the deal's or a company's names (`passphrase.holds_out`).
    """
    known = known_words([slug, *names])
    for _ in range(MAX_DRAWS):
        if holds_out(candidate := random_words(), known, min_bits):
            return candidate
    raise PasswordError(_too_many_names(slug))


def _too_many_names(label: str) -> str:
    return (f"{label}: the names known for it (the deal's slug, the buyer's and seller's names) hold so many common words "
            f"that {MAX_DRAWS} drawn passwords all leaned on them; shorten those names")


@dataclass(frozen=True)
class Rating:
    """zxcvbn's verdict on a password: its score (0-4), its guesses in bits, and what it is built on, in words."""

    score: int
    bits: float
    parts: tuple[str, ...]


def rate(password: str, known: Sequence[str]) -> Rating:
    """zxcvbn on the password's first ZXCVBN_MAX characters (a prefix is never rated stronger; longer ones cost
    far more), with `known` as the attacker's words."""
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[k for k in known if k])
    parts: list[str] = []
    for match in result["sequence"]:
        part = "the deal's or a company's name" if match.get("dictionary_name") == "user_inputs" else PATTERNS.get(match["pattern"])
        if part and part not in parts:
            parts.append(part)
    return Rating(result["score"], result["guesses_log10"] * math.log2(10), tuple(parts))


def _known(slug: str, names: Sequence[str]) -> list[str]:
    known = [slug, *slug.split("-")]
    for name in names:
        known += [name, *re.findall(r"[^\W_]+", name)]
    return known


def weakness(password: str, slug: str, names: Sequence[str] = (), fix: str = "", min_bits: int = MIN_BITS,
             rating: Rating | None = None) -> str | None:
    """Why a password is too weak to publish a deal behind, or None when it is strong enough.

    `names` (the buyer's, the seller's) count as known to an attacker, like the slug: a password
    built on them is rated as the few guesses it takes. `rating` is zxcvbn's, when already made
    (`rate_all`). The reason never quotes the password.
    """
    fix = f"`{fix or f'mapsite password {slug} --rotate'}` makes a strong one"
    if len(password) < MIN_LENGTH:
        return f"it has {len(password)} characters; use at least {MIN_LENGTH}, and hard to guess ({fix})"
    rating = rating or rate(password, _known(slug, names))
    if rating.score >= MIN_SCORE and rating.bits >= min_bits:
        return None
    what = "it is built on " + ", ".join(rating.parts) if rating.parts else "it is too easy to guess"
    return (f"{what}, so about 2^{rating.bits:.0f} guesses would find it (zxcvbn strength {rating.score} of 4); a deal's "
            f"password must hold out for 2^{min_bits} guesses and strength {MIN_SCORE} ({fix})")


def _rate_job(job: tuple[str, tuple[str, ...]]) -> Rating:
    return rate(*job)


def rate_all(known_by_password: Mapping[str, Sequence[str]]) -> dict[str, Rating]:
    """Each distinct password rated once, with every name known to any realm it guards, on every core when many.

    A user may supply 1,000s of passwords; zxcvbn holds the GIL for 5 to 35 ms each.
    """
    jobs = [(value, tuple(known)) for value, known in known_by_password.items()]
    workers = min(os.cpu_count() or 1, len(jobs) // RATE_IN_POOL_FROM)
    if workers < 2:
        return {value: rate(value, known) for value, known in jobs}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(zip(known_by_password, pool.map(_rate_job, jobs, chunksize=max(1, len(jobs) // (8 * workers)))))


def from_environment(realm: Realm, environ: Mapping[str, str] | None = None,
                     tables: list[tuple[str, dict]] | None = None) -> Password | None:
    """The realm's password from its variable (`MAPSITE_PASSWORD_<SLUG>`), else from the JSON objects of passwords.

    Those are `MAPSITE_PASSWORDS` and the file `MAPSITE_PASSWORDS_FILE` names (see `tables`); keys
    are variable names or store keys (a deal's slug), other keys are ignored.
    """
    environ = os.environ if environ is None else environ
    if environ.get(realm.variable):
        return Password(environ[realm.variable], realm.variable)
    for source, table in tables if tables is not None else password_tables(environ):
        for key in (realm.variable, realm.store_key):
            if isinstance(table.get(key), str) and table[key]:
                return Password(table[key], f"{source}[{key}]")
    return None


def password_tables(environ: Mapping[str, str] | None = None) -> list[tuple[str, dict]]:
    """The JSON objects of passwords in the environment, read once for every deal of a build.

    The publish workflow writes only the `MAPSITE_PASSWORD_*` secrets to a private file and names it
    in `MAPSITE_PASSWORDS_FILE`, so the build (and the packages it runs) never sees another secret.
    """
    environ = os.environ if environ is None else environ
    found = []
    if environ.get(ALL_VARIABLE):
        found.append((ALL_VARIABLE, _json_object(environ[ALL_VARIABLE], ALL_VARIABLE)))
    if environ.get(FILE_VARIABLE):
        path = Path(environ[FILE_VARIABLE])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise PasswordError(f"{FILE_VARIABLE}: cannot read {path} ({error.strerror})") from None
        found.append((FILE_VARIABLE, _json_object(text, f"{FILE_VARIABLE} ({path})")))
    return found


def site_key(environ: Mapping[str, str] | None = None, tables: list[tuple[str, dict]] | None = None) -> SiteKey | None:
    """The site key from `MAPSITE_KEY`, or from a JSON object of passwords (the publish workflow's file), or None.

    A key that is set but malformed or weak is an error wherever it is used, never skipped: a
    build must not quietly fall back to other passwords, or publish under a guessable key.
    """
    environ = os.environ if environ is None else environ
    found = [(KEY_VARIABLE, environ.get(KEY_VARIABLE))]
    found += [(f"{source}[{KEY_VARIABLE}]", table.get(KEY_VARIABLE)) for source, table in
              (tables if tables is not None else password_tables(environ))]
    for source, value in found:
        if isinstance(value, str) and value.strip():
            try:
                return parse(value, source)
            except SiteKeyError as error:
                raise PasswordError(str(error)) from None
    return None


def derived(realm: Realm, key: SiteKey, counter: int,
            passed: Callable[[Realm, str], bool] = lambda realm, value: False) -> Password:
    """The realm's password from the site key: the same on every build, another for every realm and counter.

    Not rated by zxcvbn (`passphrase.holds_out` checks that enough of its words are not the realm's
    known names); a draw that check refuses (very rare) is drawn again, deterministically, so the
    build and `mapsite password` agree. A `msk1_` key's passwords were defined by zxcvbn's rule, so
    they still are (unless `passed` says an earlier build rated it): no published password changes.
    """
    known = known_words([realm.label, *realm.known])
    for attempt in range(MAX_DRAWS):
        value = key.password(realm.id, counter, attempt)
        if (holds_out(value, known, realm.min_bits) if key.version > 1
                else passed(realm, value) or weakness(value, realm.label, realm.known) is None):
            return Password(value, f"{KEY_VARIABLE} (rotation {counter})" if counter else KEY_VARIABLE, checked=True,
                            from_site_key=True)
    raise PasswordError(_too_many_names(realm.label))


def _json_object(text: str, source: str) -> dict:
    try:
        table = json.loads(text)
    except json.JSONDecodeError:
        table = None
    if not isinstance(table, dict):
        raise PasswordError(f"{source} is not a JSON object of passwords")
    return table


class LocalStore:
    """`.mapsite/passwords` beside mkdocs.yml: JSON {store key: password}, mode 600, git-ignored.

    A deal's store key is its slug, as in every version so far; see `realms`.
    """

    def __init__(self, root: Path):
        self.path = root / STORE
        self._passwords: dict[str, str] | None = None  # as last read or written by this store

    def read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:  # ValueError: not JSON, or not UTF-8 at all
            raise PasswordError(f"{self.path}: cannot read the local passwords ({error}); fix or remove the file") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            # never write over it: other deals' passwords may still be in there
            raise PasswordError(f"{self.path}: not a JSON object of passwords ({{\"<slug>\": \"<password>\"}}); fix or remove the file")
        return data

    def write(self, passwords: dict[str, str]) -> None:
        write_private(self.path, json.dumps(passwords, indent=2, sort_keys=True))

    def get_or_create(self, key: str, rotate: bool = False, names: Sequence[str] = (), min_bits: int = MIN_BITS) -> Password:
        """The password kept under `key` (a deal's slug), generated and kept when there is none or `rotate`."""
        if self._passwords is None:  # read once: a build asks for 1,000s of deals, and a read parses them all
            self._passwords = self.read()
        passwords = self._passwords
        if key in passwords and not rotate:
            return Password(passwords[key], str(STORE))
        passwords[key] = generate(key, names, min_bits)  # drawn until it holds out by construction
        self.write(passwords)
        return Password(passwords[key], str(STORE), generated=True, checked=True)


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.lower() not in ("", "0", "false", "no")


def resolve(realms: Sequence[Realm], root: Path, environ: Mapping[str, str] | None = None,
            passed: Callable[[Realm, str], bool] = lambda realm, value: False) -> dict[str, Password]:
    """A strong password for every realm, by realm id, or one PasswordError naming every realm that lacks one.

    In CI a password must come from the environment (its own variable or the site key); locally a
    missing one is generated and stored. A password must not be built on the names the realm lists
    as known (the deal's buyer and seller). Only a password a person supplied is rated by zxcvbn,
    once per distinct password, on every core (`rate_all`); generated and site-key passwords are strong
    by construction. `passed(realm, password)` says a password already held to the rule for its realm
    (locally: its key is in the key cache, which only a build that checked it writes).
    """
    environ = os.environ if environ is None else environ
    tables = password_tables(environ)
    key = site_key(environ, tables)
    try:
        rotations = Rotations(root).read() if key else {}
    except SiteKeyError as error:
        raise PasswordError(str(error)) from None
    found: dict[str, Password] = {}
    missing: list[str] = []
    store = LocalStore(root)
    for realm in realms:
        password = from_environment(realm, environ, tables)
        if password is None and key is not None and realm.from_site_key:
            password = derived(realm, key, rotations.get(realm.id, 0), passed)
        if password is None and not in_ci(environ):
            password = store.get_or_create(realm.store_key, names=realm.known, min_bits=realm.min_bits)
        if password is None:
            missing.append(f"  {realm.label}: set the secret {realm.variable} (or a `{realm.store_key}` key in {ALL_VARIABLE})"
                           + (f", or one site key {KEY_VARIABLE} for every deal (`mapsite key` makes one)" if realm.from_site_key
                              else f"; it is never derived from {KEY_VARIABLE}: `mapsite password --team` makes a strong one"))
            continue
        found[realm.id] = password
    present = [r for r in realms if r.id in found]
    weak, shared = _too_weak(present, found, passed), _shared(present, found)
    if missing or weak or shared:
        lines = []
        if missing:
            lines.append("no password for these, so nothing was published:")
            lines += missing
        lines += weak + shared
        raise PasswordError("\n".join(lines))
    return found


def _shared(realms: Sequence[Realm], found: Mapping[str, Password]) -> list[str]:
    """A line for each password that opens more than one realm: whoever may open one could read the others
    (one deal's buyer another deal, or the team page and its internal items)."""
    holders: dict[str, list[Realm]] = {}
    for realm in realms:
        holders.setdefault(found[realm.id].value, []).append(realm)
    return [f"  {', '.join(r.label for r in group)} (from {', '.join(found[r.id].source for r in group)}): one password "
            f"opens all of these, so whoever may open one could read the others; give each its own"
            for group in holders.values() if len(group) > 1]


def _too_weak(realms: Sequence[Realm], found: Mapping[str, Password], passed: Callable[[Realm, str], bool]) -> list[str]:
    """A line for each realm whose supplied password fails the strength rule: each distinct password rated once."""
    todo = [r for r in realms if not found[r.id].checked and not passed(r, found[r.id].value)]
    known: dict[str, list[str]] = {}
    for realm in todo:
        if len(found[realm.id].value) >= MIN_LENGTH:  # a short one needs no rating to be refused
            known.setdefault(found[realm.id].value, []).extend(_known(realm.label, realm.known))
    ratings = rate_all(known)
    weak = []
    for realm in todo:
        password = found[realm.id]
        reason = weakness(password.value, realm.label, realm.known, realm.rotate_command, realm.min_bits,
                          rating=ratings.get(password.value))
        if reason:
            weak.append(f"  {realm.label} (from {password.source}): password too weak: {reason}")
    return weak
