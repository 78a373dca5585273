"""Passwords a person can read out (issue 17, item 8): whole words from the EFF long list, at least the entropy of
the syllable passwords they replace, split back one way only, drawn without bias, and derived from a site key the
same way on every machine; site keys made before keep deriving the passwords their buyers already have."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from importlib import resources

from hypothesis import given, settings, strategies as st

from mapsite.security import passphrase, passwords, sitekey
from mapsite.security.passphrase import BITS, LEGACY_BITS, LENGTH, SEPARATOR, vocabulary, words_from

NAMES = ("Northwind Logistics", "Acme Analytics")
RAW = bytes(range(32))  # a fixed key (32 distinct bytes: passes the randomness check) for pinned derivations


def test_eight_words_hold_more_entropy_than_the_six_syllable_words_they_replace():
    # today's (before this change) generated password: six words of consonant-vowel-consonant-vowel-consonant
    syllable_word = 16 * 5 * 16 * 5 * 16  # 102,400 words
    assert math.isclose(LEGACY_BITS, 6 * math.log2(syllable_word)) and round(LEGACY_BITS, 2) == 99.86
    assert len(vocabulary()) == 7772  # the EFF's 7,776 less the four with a dash of their own
    assert math.isclose(BITS, LENGTH * math.log2(len(vocabulary()))) and round(BITS, 2) == 103.39
    assert BITS >= LEGACY_BITS and (LENGTH - 1) * math.log2(len(vocabulary())) < LEGACY_BITS, "eight is the fewest that do"


def test_the_shipped_list_is_the_eff_list_as_published():
    data = resources.files("mapsite.security").joinpath("wordlist", passphrase.LIST_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e"
    note = resources.files("mapsite.security").joinpath("wordlist", "SOURCE.md").read_text(encoding="utf-8")
    assert "CC BY 3.0 US" in note and "eff.org" in note


def test_no_two_word_sequences_join_into_the_same_password():
    words = vocabulary()
    assert len(set(words)) == len(words) and all(w.isascii() and w.isalpha() and w.islower() for w in words)
    assert not {"drop-down", "felt-tip", "t-shirt", "yo-yo"} & set(words)
    known = set(words)
    for _ in range(200):
        made = passwords.generate("northwind-logistics", NAMES)
        parts = made.split(SEPARATOR)
        assert len(parts) == LENGTH and set(parts) <= known  # split at each dash gives back exactly the words drawn


def test_each_word_has_exactly_as_many_numbers_as_any_other():
    """The whole 16-bit range at once: accepted numbers map to every word eight times, the rest are passed over."""
    words = vocabulary()
    picked = Counter()
    for number in range(65536):
        block = number.to_bytes(2, "big") + b"\x00\x00" * LENGTH  # then eight draws of the first word
        picked[words_from([block]).split(SEPARATOR)[0] if number < 62176 else None] += 1
    assert picked.pop(None) == 65536 - 62176
    assert set(picked.values()) == {8} and len(picked) == len(words)


@settings(max_examples=200)
@given(st.lists(st.binary(min_size=0, max_size=40).map(lambda b: b[: len(b) // 2 * 2]), min_size=1, max_size=30))
def test_words_come_from_the_numbers_below_the_limit_in_order(blocks):
    numbers = [int.from_bytes(b[i:i + 2], "big") for b in blocks for i in range(0, len(b), 2)]
    accepted = [vocabulary()[n % 7772] for n in numbers if n < 62176]
    if len(accepted) < LENGTH:
        try:
            words_from(blocks)
        except ValueError:
            return
        raise AssertionError("too few numbers must not make a short password")
    assert words_from(blocks) == SEPARATOR.join(accepted[:LENGTH])


def test_site_key_passwords_are_words_and_the_same_on_every_machine():
    key = sitekey.parse(sitekey.encode(RAW))
    made = key.password("deal:northwind-logistics")
    assert made == key.password("deal:northwind-logistics") == sitekey.parse(sitekey.encode(RAW)).password("deal:northwind-logistics")
    assert made == "surgical-bust-opium-finisher-residue-unsterile-stump-handlebar"  # pinned: a change would re-key every deal
    assert len({key.password("deal:northwind-logistics", counter) for counter in range(20)}) == 20
    assert len({key.password(f"deal:d{n}") for n in range(50)}) == 50
    assert passwords.weakness(made, "northwind-logistics", NAMES) is None


def test_keys_made_before_keep_deriving_the_passwords_buyers_already_have():
    old = sitekey.encode(RAW, 1)
    assert old == "msk1_aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypzjyq3o4"
    key = sitekey.parse(old)
    # the values the derivation gave before this change (computed at 634773e)
    assert key.password("deal:northwind-logistics") == "vekug-zezus-gevef-muvuv-cagen-foboh"
    assert key.password("deal:northwind-logistics", 1) == "segez-cukud-puziv-mosar-sufig-vitar"


def test_a_key_retyped_with_the_other_prefix_is_caught_not_read_as_another_key():
    new = sitekey.encode(RAW)
    assert new.startswith("msk2_") and sitekey.new_key().startswith("msk2_")
    for changed in ("msk1_" + new[5:], "msk2_" + sitekey.encode(RAW, 1)[5:]):
        try:
            sitekey.parse(changed)
        except sitekey.SiteKeyError as error:
            assert "checksum" in str(error) and changed not in str(error)
        else:
            raise AssertionError(f"{changed[:5]} key accepted with the other format's checksum")


def test_a_password_longer_than_zxcvbn_rates_is_judged_not_crashed_on():
    longest = SEPARATOR.join(sorted(vocabulary(), key=len)[-LENGTH:])
    assert len(longest) > 72 and passwords.weakness(longest, "northwind-logistics", NAMES) is None
    assert passwords.weakness("winter" * 15, "northwind-logistics", NAMES) is not None


def test_site_key_passwords_favour_no_words_end_to_end():
    """Folding 16-bit numbers onto 7,772 words without rejection would make the first 3,360 words 9/8 as likely:
    32,000 derived words would then land there 46.1% of the time instead of 43.2%, ten standard deviations apart."""
    key = sitekey.parse(sitekey.encode(RAW))
    index = {word: i for i, word in enumerate(vocabulary())}
    drawn = [index[w] for n in range(4000) for w in key.password(f"deal:d{n}").split(SEPARATOR)]
    low = sum(i < 65536 % 7772 for i in drawn) / len(drawn)
    assert abs(low - 3360 / 7772) < 5 * math.sqrt(0.4323 * 0.5677 / len(drawn)), low
    assert len(set(drawn)) > 7772 * 0.97, "nearly every word turns up in 32,000 draws"
