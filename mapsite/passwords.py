"""One password per deal: from the environment in CI, generated and kept locally otherwise.

Passwords never enter git or `site/`. In CI a missing or weak password stops the build, so
a deal can never be published under a guessable password or in plain text.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from zxcvbn import zxcvbn

STORE = Path(".mapsite") / "passwords"
ALL_VARIABLE = "MAPSITE_PASSWORDS"
MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
CONSONANTS = "bcdfghjkmnprstvz"  # 16
VOWELS = "aeiou"  # 5
WORDS = 6  # 6 words of consonant-vowel-consonant-vowel-consonant: 6 * log2(16*5*16*5*16) = 102 bits


class PasswordError(Exception):
    """A password is missing or too weak; the message says which deal and what to do."""


@dataclass(frozen=True)
class Password:
    value: str
    source: str  # where it came from, for messages: an env variable or the local store
    generated: bool = False


def variable_name(slug: str) -> str:
    """`northwind-logistics` -> `MAPSITE_PASSWORD_NORTHWIND_LOGISTICS` (one GitHub secret per deal)."""
    return "MAPSITE_PASSWORD_" + slug.upper().replace("-", "_")


def generate() -> str:
    """Six pronounceable random words joined by dashes: over 100 bits, easy to read out on a call."""
    def word() -> str:
        return "".join(secrets.choice(CONSONANTS if i % 2 == 0 else VOWELS) for i in range(5))
    return "-".join(word() for _ in range(WORDS))


def weakness(password: str, slug: str) -> str | None:
    """Why a password is too weak to publish a deal behind, or None when it is strong enough."""
    if len(password) < MIN_LENGTH:
        return f"it has {len(password)} characters; use at least {MIN_LENGTH}"
    result = zxcvbn(password[:100], user_inputs=[slug, *slug.split("-")])
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "it is too easy to guess"
        return f"{hint.rstrip('.')} (strength {result['score']} of 4, need {MIN_SCORE}); use `mapsite password {slug} --rotate` for a strong one"
    return None


def from_environment(slug: str, environ: dict[str, str] | None = None) -> Password | None:
    """The deal's password from `MAPSITE_PASSWORD_<SLUG>` or the `MAPSITE_PASSWORDS` JSON object.

    The JSON object may be a workflow's whole `toJSON(secrets)`: keys are slugs or variable names,
    other keys are ignored.
    """
    environ = os.environ if environ is None else environ
    name = variable_name(slug)
    if environ.get(name):
        return Password(environ[name], name)
    raw = environ.get(ALL_VARIABLE)
    if raw:
        try:
            table = json.loads(raw)
        except json.JSONDecodeError:
            raise PasswordError(f"{ALL_VARIABLE} is not a JSON object of passwords") from None
        if not isinstance(table, dict):
            raise PasswordError(f"{ALL_VARIABLE} is not a JSON object of passwords")
        for key in (name, slug):
            if isinstance(table.get(key), str) and table[key]:
                return Password(table[key], f"{ALL_VARIABLE}[{key}]")
    return None


class LocalStore:
    """`.mapsite/passwords` beside mkdocs.yml: JSON {slug: password}, mode 600, git-ignored."""

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

    def get_or_create(self, slug: str, rotate: bool = False) -> Password:
        if self._passwords is None:  # read once: a build asks for 1,000s of deals, and a read parses them all
            self._passwords = self.read()
        passwords = self._passwords
        if slug in passwords and not rotate:
            return Password(passwords[slug], str(STORE))
        passwords[slug] = generate()
        self.write(passwords)
        return Password(passwords[slug], str(STORE), generated=True)


def write_private(path: Path, text: str) -> None:
    """Write a secret file under .mapsite/ atomically, readable by its owner only (mode 600)."""
    path.parent.mkdir(mode=0o700, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")  # belt and braces beside the repo's .gitignore
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)  # an older .tmp kept its mode: os.open's mode applies only on creation
    os.replace(temporary, path)


def in_ci(environ: dict[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.lower() not in ("", "0", "false", "no")


def resolve(slugs: list[str], root: Path, environ: dict[str, str] | None = None) -> dict[str, Password]:
    """A strong password for every deal, or one PasswordError naming every deal that lacks one.

    In CI a password must come from the environment; locally a missing one is generated and stored.
    """
    environ = os.environ if environ is None else environ
    found: dict[str, Password] = {}
    missing: list[str] = []
    weak: list[str] = []
    store = LocalStore(root)
    for slug in slugs:
        password = from_environment(slug, environ)
        if password is None and not in_ci(environ):
            password = store.get_or_create(slug)
        if password is None:
            missing.append(f"  {slug}: set the secret {variable_name(slug)} (or a `{slug}` key in {ALL_VARIABLE})")
            continue
        reason = weakness(password.value, slug)
        if reason:
            weak.append(f"  {slug} (from {password.source}): password too weak: {reason}")
            continue
        found[slug] = password
    if missing or weak:
        lines = []
        if missing:
            lines.append("no password for these deals, so nothing was published:")
            lines += missing
        lines += weak
        raise PasswordError("\n".join(lines))
    return found
