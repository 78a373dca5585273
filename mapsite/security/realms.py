"""Realms: what one password opens. Every published page belongs to one realm, or is explicitly public.

Each deal is a realm (`deal:<slug>`), and with the plugin's `team: true` the team is one more
(`team`): its password opens the team page and every deal. Passwords, derived keys and the local
key cache are keyed by realm id, so a realm that is not a deal can never collide with a plan of
the same name.

The local password store keeps a deal realm's password under the deal's slug, as it always has
(existing `.mapsite/passwords` files keep working without migration). Other realms use a store
key with a `:` in it, which no slug can hold (`[a-z0-9-]`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MIN_BITS = 60  # a deal's password: zxcvbn's 2^60 guesses (with its top score, 10^10 and up): days of one GPU at 600,000 rounds a guess
PUBLIC = "public"  # the audience of a page anyone may read: the landing page, the 404 page


@dataclass(frozen=True)
class Realm:
    """One password's reach: its salt, where its password comes from, and how messages name it."""

    id: str  # unique across realms: `deal:<slug>`
    salt: bytes  # stable across builds, so remembered and cached keys survive the daily rebuild
    variable: str  # the CI secret holding its password: MAPSITE_PASSWORD_<NAME>
    store_key: str  # its key in `.mapsite/passwords` (and in the JSON objects of passwords)
    label: str  # how messages name it: the deal's slug
    known: tuple[str, ...] = ()  # names an attacker knows (slug, buyer, seller): a password must not be built on them
    from_site_key: bool = True  # may take its password from the site key when it has no variable of its own
    rotate: str = ""  # the command that gives it a new password, for messages
    min_bits: int = MIN_BITS  # guesses (log2, zxcvbn's estimate) its password must hold out for

    @property
    def rotate_command(self) -> str:
        return self.rotate or f"mapsite password {self.label} --rotate"


def variable_name(name: str) -> str:
    """`northwind-logistics` -> `MAPSITE_PASSWORD_NORTHWIND_LOGISTICS` (one GitHub secret per deal)."""
    return "MAPSITE_PASSWORD_" + name.upper().replace("-", "_")


def deal_salt(folder: str) -> bytes:
    """16 bytes unique to the deal's address and stable across builds.

    Not derived from the password: a salt computed from the password by a fast hash would let
    anyone test guesses without paying for PBKDF2. Rotating the password changes the key.
    """
    return hashlib.sha256(f"mapsite/salt/v1|{folder}".encode()).digest()[:16]


def deal_realm(slug: str, folder: str, names: tuple[str, ...] = ()) -> Realm:
    """A deal's realm: its salt from the folder it is published in (unchanged since v1), its slug as store key."""
    return Realm(f"deal:{slug}", deal_salt(folder), variable_name(slug), slug, slug, tuple(names))


TEAM_VARIABLE = "MAPSITE_TEAM_PASSWORD"
TEAM_MIN_BITS = 100  # no weaker than a generated password (eight words, 103 bits, which zxcvbn rates far above 100)


def team_realm(path: str, names: tuple[str, ...] = ()) -> Realm:
    """The team's realm: its own secret, never one derived from the site key.

    The team's password opens every deal, so it is a secret a person chooses to share with the team,
    not one more derivation of the key that CI holds: a leaked site key opens no internal item.
    Its salt comes from the team page's path (stable, so remembered keys survive rebuilds); its
    store key holds a `:`, which no slug can.
    """
    salt = hashlib.sha256(f"mapsite/salt/v1/team|{path}".encode()).digest()[:16]
    return Realm("team", salt, TEAM_VARIABLE, "team:password", "the team page", tuple(names), from_site_key=False,
                 rotate="mapsite password --team --rotate", min_bits=TEAM_MIN_BITS)


def realm_of(deal, folder: str) -> Realm:
    """A loaded deal's realm, its buyer's and seller's names known to an attacker: the build's and `mapsite password`'s."""
    return deal_realm(deal.slug, folder, (deal.plan.buyer.name, deal.plan.seller.name))
