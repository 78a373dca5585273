"""Where a password's strength is checked (issue 18, item 1): never for a password mapsite generated or derived
from the site key (strong by construction; zxcvbn costs 5-35 ms each, minutes at 10,000 deals); for one a
person supplied, once per distinct password, in worker processes when there are many."""

from __future__ import annotations

import json
import os

import pytest

from mapsite.security import passwords, sitekey
from mapsite.security.passphrase import SEPARATOR, holds_out, known_words, vocabulary
from mapsite.security.realms import deal_realm, team_realm

KEY = sitekey.new_key()
CI = {"CI": "true"}


def _no_zxcvbn(*args, **kwargs):
    raise AssertionError("zxcvbn rated a password mapsite made")


def test_site_key_and_generated_passwords_are_never_rated(monkeypatch, tmp_path):
    monkeypatch.setattr(passwords, "zxcvbn", _no_zxcvbn)
    realms = [deal_realm(f"deal-{n}", f"deal-{n}", (f"Buyer {n} GmbH", "Acme Analytics")) for n in range(200)]
    found = passwords.resolve(realms, tmp_path, {**CI, "MAPSITE_KEY": KEY})
    assert len(set(p.value for p in found.values())) == 200
    assert passwords.generate("acme", ("Acme",))
    local = passwords.resolve([deal_realm("fresh", "fresh"), team_realm("team")], tmp_path, {})
    assert all(p.generated for p in local.values())


def test_a_drawn_password_never_leans_on_known_names():
    words = vocabulary()
    drawn = SEPARATOR.join(words[:8])
    assert holds_out(drawn, frozenset(), 100)
    assert holds_out(drawn, known_words([" ".join(words[:3])]), 60), "five unknown words: 64.6 bits"
    assert not holds_out(drawn, known_words([" ".join(words[:4])]), 60), "four: 51.7 bits"
    assert not holds_out(drawn, known_words([words[0]]), 100), "the team's 2^100 needs all eight"
    assert known_words(["Northwind Logistics", "north-wind"]) == {"northwind", "logistics", "north", "wind"}


def test_names_that_cover_the_whole_list_stop_the_draw_with_a_message_not_a_hang(tmp_path):
    hostile = deal_realm("hostile", "hostile", (" ".join(vocabulary()),))
    with pytest.raises(passwords.PasswordError, match="hostile: the names known for it"):
        passwords.resolve([hostile], tmp_path, {**CI, "MAPSITE_KEY": KEY})
    with pytest.raises(passwords.PasswordError, match="shorten those names"):
        passwords.generate("hostile", (" ".join(vocabulary()),))


def test_each_distinct_supplied_password_is_rated_once(monkeypatch, tmp_path):
    rated = []
    rate = passwords.rate
    monkeypatch.setattr(passwords, "rate", lambda value, known: rated.append(value) or rate(value, known))
    shared = ["tundra-mosaic-plank-ember-quiver", "copper-lantern-velvet-orbit-maple", "acme-acme-acme-acme"]
    table = {f"deal-{n}": shared[n % 3] for n in range(30)}
    realms = [deal_realm(slug, slug, ("Acme Analytics",)) for slug in table]
    with pytest.raises(passwords.PasswordError) as error:
        passwords.resolve(realms, tmp_path, {**CI, "MAPSITE_PASSWORDS": json.dumps(table)})
    assert sorted(rated) == sorted(shared), "one rating per distinct password"
    weak = [line for line in str(error.value).splitlines() if "too weak" in line]
    assert len(weak) == 10 and all("acme-acme" not in line for line in weak), "each realm named, no password quoted"


def rating_with_pid(job):
    return passwords.Rating(os.getpid(), 0.0, ())


def test_many_supplied_passwords_are_rated_in_worker_processes(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    values = {f"{word}-{word}-tundra-mosaic-{n}": ("acme",) for n, word in enumerate(vocabulary()[:64])}
    ratings = passwords.rate_all(values)
    assert ratings == {value: passwords.rate(value, known) for value, known in values.items()}, "same verdicts as here"
    monkeypatch.setattr(passwords, "_rate_job", rating_with_pid)
    workers = {rating.score for rating in passwords.rate_all(values).values()}
    assert os.getpid() not in workers and len(workers) == 2
