"""`mapsite decrypt` (issue 14, item 5): what a password opens in a published site, and junk never a traceback."""

from __future__ import annotations

import base64
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time

import pytest

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, Site, build_env, decrypt, passwords_env, payload_of

PASSWORD = "correct-horse-battery-staple-42"
DEAL = "northwind-logistics-k7qm2xtz9p"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("decrypt") / "project"
    (root / "plans").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY), encoding="utf-8")
    shutil.copy(CANONICAL, root / "plans" / CANONICAL.name)
    site = Site(root)
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    return site


def run(site: Site, *args: str, password: str | None = PASSWORD, cwd=None) -> subprocess.CompletedProcess:
    env = build_env({"MAPSITE_DECRYPT_PASSWORD": password} if password is not None else {})
    result = subprocess.run([sys.executable, "-m", "mapsite", "decrypt", *args], cwd=cwd or site.root, env=env,
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_a_folder_prints_every_page_the_password_opens(built):
    result = run(built, "site")
    assert result.returncode == 0, result.stderr
    printed = re.findall(r"^==> (.+) <==$", result.stdout, re.M)
    assert printed == [f"site/{DEAL}/index.html", f"site/{DEAL}/milestones/index.html", f"site/{DEAL}/people/index.html"]
    assert result.stdout.count("<html") == 3 and "Pilot on the Midwest region" in result.stdout
    assert result.stdout.split("\n", 1)[1].startswith(decrypt(built, f"{DEAL}/", PASSWORD)[:200]), "the page as the browser gets it"
    assert "opened 3 of 3 encrypted pages (2 other files)" in result.stderr  # index.html and 404.html are public


def test_text_prints_the_words_only(built):
    result = run(built, "--text", f"site/{DEAL}/milestones/index.html")
    assert result.returncode == 0 and "Pilot on the Midwest region" in result.stdout
    assert "<div" not in result.stdout and "function(" not in result.stdout


def test_a_single_file_opens_from_any_folder(built):
    """The payload is bound to the page's path from the site root, which the command finds itself."""
    result = run(built, f"{DEAL}/people/index.html", cwd=built.out)
    assert result.returncode == 0 and re.findall(r"^==> (.+) <==$", result.stdout, re.M) == [f"{DEAL}/people/index.html"]
    assert result.stdout.count("<html") == 1


def test_a_wrong_password_opens_nothing_and_exits_1(built):
    result = run(built, "site", password=PASSWORD + "x")
    assert result.returncode == 1 and result.stdout == ""
    assert "opened 0 of 3 encrypted pages" in result.stderr


def test_a_page_moved_or_changed_does_not_open(built, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built.out, copy)
    shutil.copy(copy / DEAL / "people" / "index.html", copy / DEAL / "milestones" / "index.html")
    page = copy / DEAL / "index.html"
    payload = payload_of(page.read_text())
    view = payload["views"][0]
    raw = bytearray(base64.b64decode(view["ciphertext"]))
    raw[len(raw) // 2] ^= 1
    tampered = dict(payload, views=[dict(view, ciphertext=base64.b64encode(bytes(raw)).decode())])
    page.write_text(page.read_text().replace(json.dumps(payload, separators=(",", ":")), json.dumps(tampered)), encoding="utf-8")
    assert payload_of(page.read_text()) == tampered
    result = run(built, str(copy))
    assert result.returncode == 0
    assert re.findall(r"^==> (.+) <==$", result.stdout, re.M) == [str(copy / DEAL / "people" / "index.html")]
    assert "opened 1 of 3 encrypted pages" in result.stderr


def _with_lock(payload: dict, **changes) -> dict:
    """The payload with its first view's first lock changed."""
    view = payload["views"][0]
    return dict(payload, views=[dict(view, locks=[dict(view["locks"][0], **changes)])])


def _shell(payload: str) -> str:
    return f'<html><script type="application/json" id="mapsite-payload">{payload}</script></html>'


def test_junk_is_reported_never_a_traceback(built, tmp_path):
    real = payload_of((built.out / DEAL / "index.html").read_text())
    junk = {
        "plain.html": "<html><body>nothing locked here</body></html>",
        "not-json.html": _shell("{not json"),
        "other-version.html": _shell(json.dumps(dict(real, v=1))),
        "endless.html": _shell(json.dumps(_with_lock(real, iterations=10**12))),
        "no-base64.html": _shell(json.dumps(dict(real, views=[dict(real["views"][0], nonce="***")]))),
        "a-list.html": _shell("[1, 2]"),
        "empty.html": "",
    }
    for name, text in junk.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "binary.html").write_bytes(os.urandom(4096) + _shell("{").encode() + b"\xff\xfe")
    result = run(built, str(tmp_path))
    assert result.returncode == 1 and result.stdout == ""
    for name in ("not-json.html", "other-version.html", "endless.html", "no-base64.html", "a-list.html", "binary.html"):
        assert re.search(rf"^mapsite: .*{re.escape(name)}: not opened: ", result.stderr, re.M), (name, result.stderr)
    assert "opened 0 of 6 encrypted pages (2 other files)" in result.stderr


def test_a_missing_path_or_password_is_a_clear_error(built):
    missing = run(built, "nowhere")
    assert missing.returncode == 1 and missing.stderr.strip() == "mapsite: nowhere: no such file or folder"
    unasked = run(built, "site", password=None)
    assert unasked.returncode == 1
    assert unasked.stderr.strip() == "mapsite: no password: set MAPSITE_DECRYPT_PASSWORD, or run on a terminal to be asked for it"


def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(built):
    main, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "mapsite", "decrypt", "--text", f"site/{DEAL}/index.html"],
                               cwd=built.root, env=build_env(), stdin=terminal, stdout=subprocess.PIPE,
                               stderr=terminal, start_new_session=True)
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 60
    while b"Password" not in seen and time.monotonic() < deadline:
        if select.select([main], [], [], 1)[0]:
            seen += os.read(main, 1024)
    assert b"Password" in seen, seen
    os.write(main, PASSWORD.encode() + b"\n")
    out, _ = process.communicate(timeout=120)
    while select.select([main], [], [], 0.2)[0]:
        try:
            seen += os.read(main, 1024)
        except OSError:
            break
    os.close(main)
    assert process.returncode == 0 and b"Pilot on the Midwest region" in out
    assert PASSWORD.encode() not in seen, "typed without echo"
