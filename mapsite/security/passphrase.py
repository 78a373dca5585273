"""Passwords a person can read out on a call: whole common English words from the EFF long list, joined by `-`.

The list (`wordlist/eff_large_wordlist.txt`, 7,776 words, shipped as the EFF published it; source and
licence in `wordlist/SOURCE.md`) holds four words with a `-` of their own (`drop-down`, `t-shirt`, ...).
They are left out, so a password splits back into its words one way only: 7,772 words, log2(7,772) =
12.92 bits a word. Eight words are 103.4 bits, more than the 99.9 bits of the six made-up syllable words
generated before (6 x log2(16 x 5 x 16 x 5 x 16)); `LEGACY_BITS` keeps that arithmetic.

Two ways to draw: `random_words` for a generated password (`secrets`), `words_from` for one derived
from a site key (HKDF output bytes, drawn without bias by rejection: a 16-bit number at or above the
largest multiple of 7,772 is passed over, never folded onto the low words).

Their strength is known by construction, so they are never rated by zxcvbn (20 ms a password, minutes
at 10,000 deals): `holds_out` only checks that enough words are not names an attacker knows (the
deal's slug, the buyer's and seller's names), whose words count as no guess at all.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

__all__ = ["BITS", "LEGACY_BITS", "LENGTH", "SEPARATOR", "holds_out", "known_words", "random_words", "vocabulary",
           "words_from"]

SEPARATOR = "-"
LENGTH = 8  # words in a password
LIST_FILE = "eff_large_wordlist.txt"
LIST_SIZE = 7776  # as published: every roll of five dice
LEGACY_CONSONANTS, LEGACY_VOWELS, LEGACY_WORDS = "bcdfghjkmnprstvz", "aeiou", 6  # the former generated shape
LEGACY_BITS = LEGACY_WORDS * math.log2(len(LEGACY_CONSONANTS) ** 3 * len(LEGACY_VOWELS) ** 2)  # 99.86


@cache
def vocabulary() -> tuple[str, ...]:
    """The EFF long list without its hyphenated words, in the list's order. Fails loudly on a damaged file."""
    text = resources.files("mapsite.security").joinpath("wordlist", LIST_FILE).read_text(encoding="ascii")
    rows = [line.split("\t") for line in text.splitlines()]
    if len(rows) != LIST_SIZE or any(len(row) != 2 for row in rows):
        raise RuntimeError(f"{LIST_FILE}: expected {LIST_SIZE} lines of `<dice>\\t<word>`; reinstall mapsite")
    return tuple(word for _, word in rows if SEPARATOR not in word)


BITS = LENGTH * math.log2(LIST_SIZE - 4)  # 103.39; a test checks the 4 against the file
WORD_BITS = BITS / LENGTH  # 12.92


def known_words(names: Iterable[str]) -> frozenset[str]:
    """The lower-case words of names an attacker knows: `Northwind Logistics`, `northwind-logistics` -> northwind, logistics."""
    return frozenset(word for name in names for word in re.findall(r"[a-z]+", name.lower()))


def holds_out(password: str, known: frozenset[str], min_bits: float) -> bool:
    """Whether a password of drawn words holds out for 2^min_bits guesses when every known word counts as none.

    Each word not among `known` is one uniform draw from the list, 12.92 bits; eight words with none
    known hold 103.4 bits, so a deal's 2^60 needs five unknown words and the team's 2^100 all eight.
    """
    unknown = [word for word in password.split(SEPARATOR) if word not in known]
    return len(unknown) * WORD_BITS >= min_bits


def random_words(count: int = LENGTH) -> str:
    """`count` words drawn uniformly with the operating system's randomness, joined by `-`."""
    words = vocabulary()
    return SEPARATOR.join(secrets.choice(words) for _ in range(count))


def words_from(stream: Iterable[bytes], count: int = LENGTH) -> str:
    """`count` words drawn from random bytes, deterministically and without bias (rejection sampling)."""
    words = vocabulary()
    limit = 65536 - 65536 % len(words)  # 62,176: every word has exactly eight 16-bit numbers
    picked: list[str] = []
    for number in _numbers(stream):
        if number < limit:
            picked.append(words[number % len(words)])
            if len(picked) == count:
                return SEPARATOR.join(picked)
    raise ValueError("the byte stream ended before enough words were drawn")


def _numbers(stream: Iterable[bytes]) -> Iterator[int]:
    """16-bit big-endian numbers from a stream of byte blocks (each block an even length)."""
    for block in stream:
        for i in range(0, len(block) - 1, 2):
            yield int.from_bytes(block[i:i + 2], "big")


def legacy_syllables(number: int) -> str:
    """The former shape, six consonant-vowel words, from a 512-bit number: what `msk1_` site keys derive."""
    letters = []
    for index in range(LEGACY_WORDS * 5):
        alphabet = LEGACY_CONSONANTS if index % 5 % 2 == 0 else LEGACY_VOWELS
        number, pick = divmod(number, len(alphabet))
        letters.append(alphabet[pick])
    return SEPARATOR.join("".join(letters[i:i + 5]) for i in range(0, len(letters), 5))
