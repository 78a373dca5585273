"""`mapsite preview <slug>`: one deal among many, served with live reload, nothing else served."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import CANONICAL, Site, build_env

DEALS = 50
SLUG = "deal-025"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""  # not listening yet


@contextlib.contextmanager
def serving(args: list[str], cwd: Path, url: str):
    """`python -m <args>` running until the test ends; yields the process and `url`'s page once it answers 200."""
    server = subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=build_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while (status := fetch(url))[0] != 200:
            assert server.poll() is None, server.communicate()[0].decode()
            assert time.monotonic() < deadline, "the preview never served the deal"
            time.sleep(0.1)
        yield server, status[1]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def many_deals(site: Site) -> Site:
    """50 copies of the canonical plan, each with its own slug and share_id."""
    text = CANONICAL.read_text(encoding="utf-8")
    for number in range(DEALS):
        site.add_plan(f"deal-{number:03d}.md", text.replace("share_id: k7qm2xtz9p", f"share_id: share{number:03d}x"))
    return site


def test_preview_serves_one_deal_and_shows_an_edit(many_deals: Site):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    deal_url = f"{base}{SLUG}-share025x/"
    with serving(["mapsite", "preview", SLUG, "--dev-addr", f"127.0.0.1:{port}"], many_deals.root, deal_url) as (server, page):
        assert "Northwind Logistics" in page
        assert "ms-preview-banner" in page  # localhost: unencrypted, and says so
        assert "mapsite-payload" not in page
        assert fetch(f"{base}{SLUG}-share025x/milestones/")[0] == 200
        for other in ("deal-024-share024x/", "deal-026-share026x/people/", "deal-000-share000x/"):
            assert fetch(base + other)[0] == 404, other

        plan = many_deals.plans / f"{SLUG}.md"
        plan.write_text(re.sub(r"^title: .*$", "title: Edited Northwind × Acme", plan.read_text(encoding="utf-8"),
                               count=1, flags=re.M), encoding="utf-8")
        deadline = time.monotonic() + 20
        while "Edited Northwind" not in fetch(deal_url)[1]:
            assert server.poll() is None, server.communicate()[0].decode()
            assert time.monotonic() < deadline, "the edit never showed in the preview"
            time.sleep(0.1)
        assert fetch(base + "deal-024-share024x/")[0] == 404


def raw_get(address: str, port: int, path: str, host: str | None) -> tuple[int, str]:
    """One HTTP/1.1 request written by hand, with exactly this Host header (or none): (status, whole response)."""
    header = f"Host: {host}\r\n" if host is not None else ""
    with socket.create_connection((address.strip("[]"), port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode())
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    text = response.decode("utf-8", "replace")
    return int(text.split(" ", 2)[1]), text


@pytest.mark.parametrize("command, address", [
    (["mapsite", "preview", "northwind-logistics"], "127.0.0.1"),
    (["mkdocs", "serve"], "127.0.0.1"),
    (["mkdocs", "serve"], "[::1]"),
], ids=["mapsite preview", "mkdocs serve", "mkdocs serve on IPv6"])
def test_the_plaintext_preview_answers_only_its_own_address(canonical_site: Site, command, address):
    """DNS rebinding: a site that points its name at 127.0.0.1 gets a 403, never the plan."""
    port = free_port()
    deal = "/northwind-logistics-k7qm2xtz9p/"
    with serving([*command, "--dev-addr", f"{address.strip('[]')}:{port}"], canonical_site.root, f"http://{address}:{port}{deal}"):
        for host in (f"{address}:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            status, response = raw_get(address, port, deal, host)
            assert status == 200 and "Northwind Logistics" in response and "ms-preview-banner" in response, host
        other = "[::1]" if address == "127.0.0.1" else "127.0.0.1"  # loopback too, but not the address served
        for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.attacker.example:{port}",
                     f"{address}:{port + 1}", address, f"{other}:{port}", f"localhost:{port}.attacker.example", "", None):
            for path in (deal, deal + "milestones/", "/", "/livereload/0/0"):
                status, response = raw_get(address, port, path, host)
                assert status == 403, (host, path, response)
                assert "Northwind" not in response and "Acme" not in response and "k7qm2xtz9p" not in response
                assert response.rstrip().endswith(f"answers only http://{address}:{port}/ and http://localhost:{port}/")


def test_preview_reports_an_invalid_plan_before_serving(many_deals: Site):
    (many_deals.plans / f"{SLUG}.md").write_text(
        CANONICAL.read_text(encoding="utf-8").replace("go_live: 2027-03-01", "go_live: 2027-02-30"), encoding="utf-8")
    result = many_deals.mapsite("preview", SLUG, "--dev-addr", f"127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert f"plans/{SLUG}.md:" in result.stderr and "go_live" in result.stderr and "not a real date" in result.stderr


def test_preview_of_a_missing_plan_fails(many_deals: Site):
    result = many_deals.mapsite("preview", "no-such-deal")
    assert result.returncode == 1
    assert "no plan plans/no-such-deal.md" in result.stderr


def test_only_a_server_builds_one_deal(many_deals: Site):
    """`preview_only` (what `mapsite preview` sets) left in mkdocs.yml never publishes a site of one deal."""
    for plan in many_deals.plans.glob("*.md"):
        if plan.stem not in ("deal-000", "deal-001", SLUG):
            plan.unlink()
    config = many_deals.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.count("plans_dir: plans") == 1, "test setup"
    config.write_text(text.replace("plans_dir: plans", f"plans_dir: plans\n      preview_only: {SLUG}"), encoding="utf-8")
    env = build_env()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=many_deals.root, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "preview_only" in result.stderr and "ignored" in result.stderr
    assert len([p for p in many_deals.out.iterdir() if p.name.startswith("deal-")]) == 3
    shutil.rmtree(many_deals.out)
    strict = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=many_deals.root, env=env,
                            capture_output=True, text=True, timeout=600)
    assert strict.returncode != 0  # a publishing workflow (--strict) stops instead


@pytest.mark.parametrize("plugins", [
    ["search", {"mapsite": {"plans_dir": "plans"}}],
    {"search": {}, "mapsite": {"plans_dir": "plans"}},
    None,
], ids=["list", "mapping", "none"])
def test_preview_sets_its_deal_through_the_plugin_config(tmp_path: Path, plugins):
    """`mapsite preview` passes the deal to the plugin as `preview_only`, through MkDocs' overrides on every rebuild."""
    from mapsite.mkdocs.settings import SiteSettings

    settings = SiteSettings(tmp_path, tmp_path / "plans", "", plugins=plugins)
    override = settings.plugins_previewing(SLUG)
    assert override["mapsite"]["preview_only"] == SLUG
    assert override.get("search", {}) == {} and (plugins is None or "search" in override)
    assert settings.plugins_previewing(SLUG) == override  # the same on a rebuild
