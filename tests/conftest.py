"""Shared fixtures: a real site in a temp dir, built with the real `mkdocs build`."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests (tests/test_properties.py): `ci` is bounded and reproducible (derandomized, no example
# database), the default; HYPOTHESIS_PROFILE=long searches thousands of examples before a release.
# too_slow: each example writes and parses a whole plan; the deadline still catches a slow one.
settings.register_profile("ci", max_examples=150, deadline=2000, derandomize=True, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parent.parent
CANONICAL = Path(__file__).resolve().parent / "northwind-logistics.md"
TODAY = "2026-11-24"

def edited(*changes: tuple[str, str]) -> str:
    """The canonical plan with each `old` text (which must occur exactly once) replaced by `new`."""
    text = CANONICAL.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, f"test setup: {old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def _shipped_config() -> str:
    """The repo's own mkdocs.yml, pointed at the repo's theme and a fixed build date."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "custom_dir: theme_overrides" in text and "      plans_dir: plans\n" in text
    text = text.replace("custom_dir: theme_overrides", "custom_dir: {theme}")
    return text.replace("      plans_dir: plans\n", '      plans_dir: plans\n      today: "{today}"\n')


MKDOCS_YML = _shipped_config()


@dataclass
class Site:
    """A project folder with mkdocs.yml and plans/, and the result of building it."""

    root: Path
    last: subprocess.CompletedProcess | None = None  # the latest build's result

    @property
    def plans(self) -> Path:
        return self.root / "plans"

    @property
    def out(self) -> Path:
        return self.root / "site"

    def add_plan(self, name: str, text: str) -> Path:
        path = self.plans / name
        path.write_text(text, encoding="utf-8")
        return path

    def build(self, *args: str, env: dict[str, str] | None = None, check: bool = True,
              timeout: float = 600) -> subprocess.CompletedProcess:
        """Run the real `mkdocs build --strict` in this folder."""
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", *args],
            cwd=self.root, capture_output=True, text=True, env=build_env(env), timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
        self.last = result
        return result

    def mapsite(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
                timeout: float = 600) -> subprocess.CompletedProcess:
        """Run the real `mapsite` command in this folder."""
        return subprocess.run([sys.executable, "-m", "mapsite", *args], cwd=self.root, capture_output=True,
                              text=True, env=build_env(env), timeout=timeout, input=input)

    def html(self, relative: str) -> str:
        return (self.out / relative).read_text(encoding="utf-8")


def build_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test process's environment without CI or passwords, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPSITE_") and k != "CI"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.update(extra or {})
    return env


def new_site(parent: Path) -> Site:
    """An empty project in `parent`/project using the repo's theme_overrides; add plans, then `build()`."""
    root = parent / "project"
    (root / "plans").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY), encoding="utf-8")
    return Site(root)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty project using the repo's theme_overrides; add plans, then `build()`."""
    return new_site(tmp_path)


@pytest.fixture
def canonical_site(site: Site) -> Site:
    shutil.copy(CANONICAL, site.plans / CANONICAL.name)
    return site


CANONICAL_PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(scope="session")
def canonical_built(tmp_path_factory) -> Site:
    """The canonical plan built once per session (password `CANONICAL_PASSWORD`), for tests that only read it.

    `.last` is that build's result (its exit code and log).

    A test that changes the project or builds again needs its own `canonical_site`: this one is shared, and
    fails at teardown if any file in it was added, removed or changed.
    """
    site = new_site(tmp_path_factory.mktemp("canonical"))
    shutil.copy(CANONICAL, site.plans / CANONICAL.name)
    site.build(env=passwords_env(northwind_logistics=CANONICAL_PASSWORD))
    before = _snapshot(site.root)
    yield site
    assert _snapshot(site.root) == before, "a test changed the shared canonical build: give it its own canonical_site"


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def payload_of(html: str) -> dict:
    """The encrypted payload a deal page's shell carries."""
    import json
    import re

    match = re.search(r'<script type="application/json" id="mapsite-payload">(.*?)</script>', html, re.S)
    assert match, "no encrypted payload in this page"
    return json.loads(match.group(1))


def decrypt_payload(payload: dict, password: str, page_path: str) -> str:
    """Decrypt independently of mapsite's code, straight from the published parameters, as a browser does.

    Payload version 3: each view's content key is wrapped under one or more realm content keys R, and
    each lock carries its R wrapped under P = PBKDF2(password, salt) (the record, bound to its salt).
    Returns the first view the password opens; InvalidTag when it opens none.
    """
    import zlib
    from base64 import b64decode

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    assert payload["v"] == 3 and payload["cipher"] == "AES-256-GCM" and payload["kdf"] == "PBKDF2-HMAC-SHA256"
    assert payload["compression"] == "deflate-raw"
    derived: dict[tuple[str, int], bytes] = {}

    def opened(view: dict) -> str | None:
        """The view's text, when one of its locks opens with the password."""
        for lock in view["locks"]:
            if (lock["salt"], lock["iterations"]) not in derived:
                kdf = PBKDF2HMAC(hashes.SHA256(), 32, b64decode(lock["salt"]), lock["iterations"])
                derived[lock["salt"], lock["iterations"]] = kdf.derive(password.encode())
            record = b64decode(lock["record"])
            try:
                realm_key = AESGCM(derived[lock["salt"], lock["iterations"]]).decrypt(
                    record[:12], record[12:], b"mapsite/v3/realm|" + b64decode(lock["salt"]))
                content_key = AESGCM(realm_key).decrypt(
                    b64decode(lock["nonce"]), b64decode(lock["key"]), ("mapsite/v3/key|" + page_path).encode())
            except InvalidTag:
                continue
            plain = AESGCM(content_key).decrypt(b64decode(view["nonce"]), b64decode(view["ciphertext"]),
                                                ("mapsite/v3|" + page_path).encode())
            return zlib.decompress(plain, -15).decode()
        return None

    for view in payload["views"]:
        text = opened(view)
        if text is None:
            continue
        if "patches" not in view:
            return text
        lines = opened(payload["views"][view["patches"]]).split("\n")  # ops: [start, end, lines] put lines there
        for start, end, new in reversed(json.loads(text)):
            lines[start:end] = new
        return "\n".join(lines)
    raise InvalidTag()


def locks_of(payload: dict) -> list[dict]:
    """Every lock of every view of a payload, in order."""
    return [lock for view in payload["views"] for lock in view["locks"]]


CIPHERTEXT = re.compile(r'"(?:ciphertext|salt|nonce|key|record)":\s*"[A-Za-z0-9+/=]*"')


def assert_no_plaintext(site_dir: Path, texts: list[str]) -> None:
    """No file of the built site names any of `texts`, in its path or its content, outside the encrypted payloads.

    Every file is read (gzip files unpacked: sitemap.xml.gz), and each text is looked for as it is and as
    HTML, JSON and URLs escape it. Only the payloads' base64 values are left out: a word can turn up
    there by chance.
    """
    leaks = []
    for file in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        relative = file.relative_to(site_dir).as_posix()
        raw = file.read_bytes()
        content = CIPHERTEXT.sub("", (gzip.decompress(raw) if file.suffix == ".gz" else raw).decode("utf-8", "replace"))
        for text in texts:
            found = [form for form in _written_forms(text) if form in content or form in relative]
            leaks += [f"{relative}: {text!r} (as {found[0]!r})"] if found else []
    assert not leaks, "plaintext in the built site:\n" + "\n".join(leaks)


def _written_forms(text: str) -> set[str]:
    """`text` as a page, a JSON file or a URL may write it."""
    from urllib.parse import quote

    return {text, html.escape(text), html.escape(text, quote=False), json.dumps(text)[1:-1],
            json.dumps(text, ensure_ascii=False)[1:-1], quote(text)}


def page_file(site: Site, page_path: str) -> Path:
    return site.out / page_path / "index.html" if page_path.endswith("/") else site.out / page_path


def decrypt(site: Site, page_path: str, password: str) -> str:
    """Independent decryption of a built page, the way a browser does it."""
    return decrypt_payload(payload_of(page_file(site, page_path).read_text(encoding="utf-8")), password, page_path)


def shown_passwords(site: Site, slugs, env: dict[str, str]) -> dict[str, str]:
    """Each deal's password as `mapsite password <slug>` prints it with `env` (a site key's derived ones)."""
    found = {}
    for slug in slugs:
        shown = site.mapsite("password", slug, env=env)
        assert shown.returncode == 0, shown.stderr
        found[slug] = shown.stdout.strip()
    return found


def opened(site: Site, password: str, folder: str = "site") -> dict[str, str]:
    """Every page `password` opens in the built `folder` (by `mapsite decrypt`), by path from that folder: its HTML."""
    result = site.mapsite("decrypt", folder, env={"MAPSITE_DECRYPT_PASSWORD": password})
    pages = re.split(rf"^==> {re.escape(folder)}/(.+) <==$", result.stdout, flags=re.M)[1:]
    return dict(zip(pages[::2], pages[1::2]))


def passwords_env(**by_slug: str) -> dict[str, str]:
    import json

    return {"MAPSITE_PASSWORDS": json.dumps({slug.replace("_", "-"): pw for slug, pw in by_slug.items()})}


# --- Real Chromium -------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Skips on a laptop without it; fails in CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs /usr/bin/chromium for the browser tests (apt-get install chromium)")
        pytest.skip("no /usr/bin/chromium on this machine")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield launched
        launched.close()


class Served:
    """A built site on 127.0.0.1, with every request and console error recorded."""

    def __init__(self, directory: Path):
        import functools
        import http.server
        import threading

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.directory = directory
        handler = functools.partial(Quiet, directory=str(directory))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.requests: list[str] = []
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.base, "data:", "blob:", "about:"))]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def example_password(slug: str) -> str:
    return f"{slug}-kelut-vodaf-ripem-zunog"  # the slug is known to an attacker: the four random words carry it


def serve_examples(root: Path, plans: dict[str, str] | None = None, brand: str | None = None):
    """The examples in plans/ and the canonical plan (and `plans`: file name -> text), built (with `brand` as
    brand_color instead of the shipped one) and served until the generator closes; `.deals` maps each slug to
    its address."""
    shutil.copytree(REPO / "plans", root / "plans", ignore=shutil.ignore_patterns("_*"))
    shutil.copy(CANONICAL, root / "plans")
    for name, text in (plans or {}).items():
        (root / "plans" / name).write_text(text, encoding="utf-8")
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    if brand:
        config = re.sub(r'brand_color: "#[0-9a-f]{6}"', f'brand_color: "{brand}"', config)
    (root / "mkdocs.yml").write_text(config)
    site = Site(root)
    slugs = [p.stem for p in (root / "plans").glob("*.md")]
    site.build(env=passwords_env(**{s.replace("-", "_"): example_password(s) for s in slugs}))
    server = Served(site.out)
    server.deals = {row["slug"]: row["url"] for row in json.loads(site.mapsite("list", "--json").stdout)}
    assert len(server.deals) >= 4, "the examples in plans/ should be part of this check"
    yield server
    server.close()


def unlock(page, password: str, remember: bool = False) -> None:
    page.fill("#mapsite-password", password)
    if remember:
        page.check("#mapsite-remember")
    page.click("#mapsite-submit")
    page.wait_for_selector(".ms-deal", timeout=20_000)
    settled(page)


def settled(page, timeout: float = 20) -> None:
    """Wait until an opened page's stylesheets have loaded: the plan is written into the document before its
    styles arrive, and a layout measured in between is the unstyled one (a header 5 px too wide, once in CI).

    Asked from here, not with `wait_for_function`: Playwright polls that one by `eval` inside the page, which
    a page's policy without 'unsafe-eval' refuses whenever the first look finds the styles still loading
    (tests/test_workflows.py's strict header, once in CI); `evaluate` runs outside the page's policy.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet)"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page's stylesheets did not load within {timeout:g} s")
        page.wait_for_timeout(50)


def screenshot(page, name: str, full_page: bool = False) -> Path:
    """Save a screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
