"""The GitHub Actions workflows and the host configs in .github/: valid, least-privilege, and run as written.

The `run:` steps of the workflows are executed here with bash, in a copy of this repository, with
throwaway secrets: what GitHub runs is what these tests run. Steps that `uses:` an action (checkout,
setup-python, upload, deploy, github-script) are GitHub's own; the PR comment script runs in Node
against a fake API instead.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, build_env, decrypt_payload, payload_of, unlock
from mapsite.security import csp
from mapsite.security.passwords import variable_name
from mapsite.security.sitekey import new_key

WORKFLOWS = REPO / ".github" / "workflows"
HOSTING = REPO / ".github" / "hosting"
PUBLISH = WORKFLOWS / "publish.yml"
SHARDED = WORKFLOWS / "publish-sharded.yml"
PLAN_CHECK = WORKFLOWS / "plan-check.yml"
BIN = Path(sys.executable).parent  # mapsite, mkdocs and python of the environment running these tests
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
ALLOWED_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/upload-pages-artifact",
                   "actions/deploy-pages", "actions/github-script", "actions/cache/restore", "actions/cache/save",
                   "actions/upload-artifact", "actions/download-artifact"}
GIT_ID = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
          "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def load(path: Path) -> dict:
    """A workflow as GitHub reads it (PyYAML reads the key `on` as True: YAML 1.1)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def all_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


# --- Valid for GitHub ----------------------------------------------------------------------


def check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_every_workflow_exists():
    assert {PUBLISH, SHARDED, PLAN_CHECK} <= set(workflow_files())


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(path):
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


def test_schema_check_catches_a_broken_workflow(tmp_path):
    """The validator really validates: a job without runs-on and a bad trigger are refused."""
    broken = load(PUBLISH)
    del broken["jobs"]["build"]["runs-on"]
    broken["on"]["push"]["branch"] = ["main"]  # typo for `branches`
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = check_jsonschema(path)
    assert result.returncode != 0
    assert "broken.yml" in result.stdout + result.stderr


# --- Structure ----------------------------------------------------------------------------


def test_publish_triggers():
    on = load(PUBLISH)["on"]
    assert on["push"] == {"branches": ["main"]}
    assert [len(entry["cron"].split()) for entry in on["schedule"]] == [5], "one daily schedule"
    minute, hour, day, month, weekday = on["schedule"][0]["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()
    assert "workflow_dispatch" in on
    assert set(on) == {"push", "schedule", "workflow_dispatch"}


def test_plan_check_triggers_on_pull_requests_only():
    on = load(PLAN_CHECK)["on"]
    assert set(on) == {"pull_request"}, "never pull_request_target: a fork's code must not meet a token that writes"


@pytest.mark.parametrize("path", [PUBLISH, SHARDED, PLAN_CHECK], ids=lambda p: p.name)
def test_least_privilege_permissions(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    allowed = {
        PUBLISH: {"deploy": {"pages": "write", "id-token": "write"}},
        SHARDED: {"deploy": {"pages": "write", "id-token": "write"}},
        PLAN_CHECK: {"comment": {"pull-requests": "write"}},
    }[path]
    for name, job in workflow["jobs"].items():
        if name in allowed:
            assert job["permissions"] == allowed[name], name
        else:
            assert "permissions" not in job, f"{name} inherits read-only contents"


@pytest.mark.parametrize("path", [PUBLISH, SHARDED], ids=lambda p: p.name)
def test_publish_runs_one_at_a_time(path):
    concurrency = load(path)["concurrency"]
    assert concurrency == load(PUBLISH)["concurrency"], "one group for both publish workflows: they never race"
    assert concurrency["group"] and "${{" not in concurrency["group"], "one group for every publish"
    assert concurrency["cancel-in-progress"] is False, "a running deployment is never cut off"


def test_plan_check_replaces_an_older_run_of_the_same_pull_request():
    concurrency = load(PLAN_CHECK)["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_actions_are_pinned_to_commits(path):
    text = path.read_text(encoding="utf-8")
    uses_lines = [line.strip() for line in text.splitlines() if re.match(r"\s*(-\s+)?uses:", line)]
    assert uses_lines
    for line in uses_lines:
        reference = line.split("uses:", 1)[1].split("#", 1)[0].strip()
        assert SHA_PIN.match(reference), f"not pinned to a full commit SHA: {line}"
        assert re.search(r"#\s*v\d+(\.\d+)*\s*$", line), f"say which release the SHA is: {line}"
        assert reference.split("@")[0] in ALLOWED_ACTIONS, f"unexpected action: {line}"
    assert not re.search(r"@(main|master|latest)\b", text)


def test_publish_deploys_an_artifact_never_a_branch():
    workflow = load(PUBLISH)
    text = PUBLISH.read_text(encoding="utf-8")
    assert "gh-pages" not in text and "git push" not in text and "peaceiris" not in text
    build_uses = [s["uses"].split("@")[0] for s in steps(workflow, "build") if "uses" in s]
    assert build_uses[-1] == "actions/upload-pages-artifact"
    upload = [s for s in steps(workflow, "build") if s.get("uses", "").startswith("actions/upload-pages-artifact@")][0]
    assert upload["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"


def test_sharded_publish_builds_a_matrix_merges_and_feeds_publishs_deploy():
    workflow = load(SHARDED)
    assert set(workflow["on"]) == {"workflow_dispatch"}, "off until a repository switches to it (README)"
    build, merge, deploy = (workflow["jobs"][name] for name in ("build", "merge", "deploy"))
    shards = build["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and build["strategy"]["fail-fast"] is True
    assert build["needs"] == "when" and merge["needs"] == "build" and deploy["needs"] == "merge"
    assert "environment" not in merge and "secrets" not in json.dumps(merge), "the merge sees no secret"
    uploads = [s for s in steps(workflow, "build") if "uses" in s]
    assert uploads[-1]["uses"].startswith("actions/upload-artifact@")
    assert uploads[-1]["with"] == {"name": "site-${{ matrix.shard }}", "path": "site", "retention-days": 1,
                                   "if-no-files-found": "error"}
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"] == {"pattern": "site-*", "path": "shards"}
    assert [s["uses"].split("@")[0] for s in merge["steps"] if "uses" in s][-1] == "actions/upload-pages-artifact"
    assert {k: v for k, v in deploy.items() if k != "needs"} == {k: v for k, v in load(PUBLISH)["jobs"]["deploy"].items()
                                                                 if k != "needs"}, "publish.yml's deploy job"
    assert steps(workflow, "build")[:4] == steps(load(PUBLISH), "build")[:4], "publish.yml's filter, checkout, install"


FILTER_STEP = "Keep only the site key, the team password and the deal passwords (stock python3, before anything is installed)"
BUILD_STEP = "Build with one password per deal (its own secret, or derived from the site key)"
RESTORE_STEP = "Restore the key cache (public records and MACs only; the newest main saved)"
SAVE_STEP = "Save the key cache (main only, after a build that succeeded)"
PASSWORDS_FILE = "${{ runner.temp }}/mapsite-passwords.json"
CACHE_DIR = "${{ runner.temp }}/mapsite-cache"


SHARD_BUILD_STEP = "Build this shard's deals (each its own secret, or derived from the site key)"
SHARD_ENV = {"MAPSITE_SHARD": "${{ matrix.shard }}/${{ strategy.job-total }}",
             "SOURCE_DATE_EPOCH": "${{ needs.when.outputs.epoch }}"}


@pytest.mark.parametrize("path", [PUBLISH, SHARDED], ids=lambda p: p.name)
def test_secrets_reach_only_a_first_step_that_runs_no_package(path):
    """toJSON(secrets) holds every secret, deploy tokens too: only stock python3 reads it, before any install."""
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    references = re.findall(r"\$\{\{[^}]*secrets[^}]*\}\}", text)
    assert references == ["${{ toJSON(secrets) }}", *REMIND_SECRETS], "one pass of every secret, and the mail's own"
    build = steps(workflow, "build")
    first = build[0]
    send = steps(workflow, "remind")[-1]
    assert first["name"] == FILTER_STEP and first["env"] == {"SECRETS": "${{ toJSON(secrets) }}"}
    # one command: python3 without site-packages (no .pth file runs) nor the working folder on sys.path
    script = re.fullmatch(r"python3 -I -S -c '([^']*)' \"\$RUNNER_TEMP/[\w.-]+\"\n", first["run"])
    assert script, first["run"]
    assert re.findall(r"^(?:import|from) .*$", script.group(1), re.M) == ["import json, os, sys"], "the standard library only"
    for step in all_steps(workflow):
        for name, value in {**step.get("env", {}), **step.get("with", {})}.items():
            assert not (isinstance(value, str) and "secrets" in value) or step in (first, send), (step, name)
    assert first == steps(load(PUBLISH), "build")[0], "the same filter in both publish workflows"
    build_step = next(s for s in build if s["name"] == (BUILD_STEP if path == PUBLISH else SHARD_BUILD_STEP))
    assert build_step["env"] == {"MAPSITE_PASSWORDS_FILE": PASSWORDS_FILE, "MAPSITE_CACHE_DIR": CACHE_DIR,
                                 **(SHARD_ENV if path == SHARDED else {})}
    assert build_step["run"].strip() == "mkdocs build --strict"
    assert not any(k.startswith("MAPSITE_PASSWORD") for k in workflow.get("env", {}))


REMIND_SECRETS = ["${{ secrets.MAPSITE_SMTP_URL != '' && secrets.MAPSITE_MAIL_FROM != '' }}",
                  "${{ secrets.MAPSITE_SMTP_URL }}", "${{ secrets.MAPSITE_MAIL_FROM }}"]
SEND_STEP = "Send reminders (items overdue or due within 7 days)"


@pytest.mark.parametrize("path", [PUBLISH, SHARDED], ids=lambda p: p.name)
def test_reminders_run_daily_after_the_deploy_only_with_the_smtp_secrets_which_only_their_last_step_sees(path):
    job = load(path)["jobs"]["remind"]
    assert job["needs"] == "deploy" and job["if"] == "github.event_name == 'schedule'", "once a day, after a publish"
    assert job["environment"] == {"name": "github-pages", "deployment": False}
    assert job["env"] == {"SMTP_SET": REMIND_SECRETS[0]}, "a yes or no, never a secret's value, for the whole job"
    assert all(step["if"] == "env.SMTP_SET == 'true'" for step in job["steps"]), "no secrets: every step skipped"
    *before, send = job["steps"]
    assert send["name"] == SEND_STEP and send["run"].strip() == "mapsite remind"
    assert send["env"] == {"MAPSITE_SMTP_URL": REMIND_SECRETS[1], "MAPSITE_MAIL_FROM": REMIND_SECRETS[2]}
    assert any(is_install(step.get("run", "")) for step in before), "installed before the secrets arrive"


@pytest.mark.parametrize("path", [PUBLISH, SHARDED], ids=lambda p: p.name)
def test_the_build_job_takes_its_secrets_from_the_main_only_environment(path):
    """Deal passwords as github-pages environment secrets: only what may deploy (main) gets them."""
    job = load(path)["jobs"]["build"]
    assert job["environment"] == {"name": "github-pages", "deployment": False}, "its secrets, no second deployment"


def test_pull_requests_never_see_secrets_nor_deploy():
    text = PLAN_CHECK.read_text(encoding="utf-8")
    assert not re.search(r"\$\{\{[^}]*secrets", text), "no secret, not even GITHUB_TOKEN by name"
    assert "MAPSITE_PASSWORD_" not in text and "MAPSITE_PASSWORDS_FILE" not in text and "MAPSITE_KEY" not in text
    assert not any("environment" in job for job in load(PLAN_CHECK)["jobs"].values()), "no environment's secrets"
    assert "pages" not in json.dumps(load(PLAN_CHECK)["permissions"]) and "id-token" not in text
    assert "deploy-pages" not in text and "upload-pages-artifact" not in text and "upload-artifact" not in text


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_fails_closed(path):
    workflow = load(path)
    assert workflow["env"]["CI"] == "true", "mapsite's fail-closed mode, set explicitly"
    assert "continue-on-error" not in path.read_text(encoding="utf-8")
    assert workflow["defaults"]["run"]["shell"] == "bash", "bash -eo pipefail: a failing command fails the step"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_pip_and_the_key_cache_are_cached_never_mapsite_secrets(path):
    workflow = load(path)
    for step in all_steps(workflow):
        uses = step.get("uses", "")
        assert not uses.startswith("actions/cache@"), "nothing but pip and the key cache is cached"
        if uses.startswith(("actions/upload-artifact@", "actions/download-artifact@")):  # a shard's site, for the merge
            assert path == SHARDED and step["with"]["path"] in ("site", "shards"), step
        assert ".mapsite" not in json.dumps(step), step
        if uses.startswith("actions/setup-python@"):
            assert step["with"]["cache"] == "pip"
            assert step["with"]["cache-dependency-path"] == "pyproject.toml"
            assert step["with"]["python-version"] == "3.11"
        if uses.startswith("actions/checkout@"):
            assert step["with"]["fetch-depth"] == 0, "full history: last-updated dates and the diff need it"
            assert step["with"]["persist-credentials"] is False
    cached = [s for s in all_steps(workflow) if s.get("uses", "").startswith("actions/cache/")]
    assert not cached or path in (PUBLISH, SHARDED), "only the publish builds keep the key cache"


@pytest.mark.parametrize("path", [PUBLISH, SHARDED], ids=lambda p: p.name)
def test_the_key_cache_is_restored_on_every_run_saved_only_from_main_and_only_the_cache_folder(path):
    """A pull request's workflow can restore the default branch's caches: only MAPSITE_CACHE_DIR goes there, and
    only main's successful builds write it (README, "The key cache"). Each shard keeps its own."""
    build = steps(load(path), "build")
    names = [s.get("name") for s in build]
    build_step = BUILD_STEP if path == PUBLISH else SHARD_BUILD_STEP
    restore, save = (next(s for s in build if s.get("name") == n) for n in (RESTORE_STEP, SAVE_STEP))
    folder = next(s for s in build if s.get("name") == build_step)["env"]["MAPSITE_CACHE_DIR"]
    assert restore["uses"].startswith("actions/cache/restore@") and "if" not in restore
    assert save["uses"].startswith("actions/cache/save@") and save["if"] == "github.ref == 'refs/heads/main'"
    assert restore["with"]["path"] == save["with"]["path"] == folder == CACHE_DIR
    assert names.index(RESTORE_STEP) < names.index(build_step) < names.index(SAVE_STEP), "saved only after the build passed"
    assert ("matrix.shard" in restore["with"]["key"]) == (path == SHARDED), "a shard's cache is its own"
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert restore["uses"].split("@")[1] == save["uses"].split("@")[1]


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_run_steps_take_values_only_through_env(path):
    """No ${{ }} inside a script (no injection from a branch name or plan text), so the tests can run them."""
    for step in all_steps(load(path)):
        if "run" in step:
            assert "${{" not in step["run"], step["name"]


def test_the_pr_comment_goes_only_to_pull_requests_from_this_repository():
    job = load(PLAN_CHECK)["jobs"]["comment"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert job["needs"] == "check"
    step = job["steps"][0]
    assert step["uses"].startswith("actions/github-script@")
    assert step["env"] == {"REPORT": "${{ needs.check.outputs.report }}", "CHANGED": "${{ needs.check.outputs.changed }}"}
    assert "${{" not in step["with"]["script"], "the report reaches the script as data, never as code"


# --- Running the workflows' steps ---------------------------------------------------------


@dataclass
class StepRun:
    name: str
    status: str  # "ok", "failed", "skipped" (a `uses:` action or an install already done) or "not run"
    output: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # what the step's process was given


@dataclass
class JobRun:
    steps: list[StepRun]
    summary: str
    env: dict[str, str]  # what the steps exported through GITHUB_ENV

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)

    @property
    def ok(self) -> bool:
        return all(s.status in ("ok", "skipped") for s in self.steps)

    def statuses(self) -> dict[str, str]:
        return {s.name: s.status for s in self.steps}


def read_command_file(path: Path) -> dict[str, str]:
    """GITHUB_ENV / GITHUB_OUTPUT: `NAME=value` lines and `NAME<<DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        else:
            if line:
                name, value = line.split("=", 1)
                values[name] = value
            i += 1
    return values


def evaluate(value, expressions: dict[str, str]) -> str:
    """Replace each ${{ expr }} by the test's value for it; an expression the test doesn't know fails it."""
    def replace(match: re.Match) -> str:
        expression = match.group(1).strip()
        assert expression in expressions, f"the test has no value for ${{{{ {expression} }}}}"
        return expressions[expression]
    return re.sub(r"\$\{\{(.*?)\}\}", replace, str(value))


def is_install(script: str) -> bool:
    return script.strip() == "python -m pip install -e ."


def run_job(path: Path, job_name: str, workspace: Path, expressions: dict[str, str], extra_env: dict[str, str] | None = None) -> JobRun:
    """Run a job's steps as a GitHub runner would: in order, each `run:` with bash -eo pipefail, stop at the first failure."""
    workflow = load(path)
    job = workflow["jobs"][job_name]
    assert workflow["defaults"]["run"]["shell"] == "bash"
    runner = workspace.parent / f"runner-{path.stem}-{job_name}"
    (runner / "temp").mkdir(parents=True)
    expressions = {"runner.temp": str(runner / "temp"), "github.ref": "refs/heads/main", **expressions}
    summary = runner / "summary.md"
    summary.touch()
    exported: dict[str, str] = {}
    results: list[StepRun] = []
    failed = False
    for index, step in enumerate(job["steps"]):
        name = step.get("name") or step.get("uses") or f"step {index}"
        if failed:
            results.append(StepRun(name, "not run"))
            continue
        if "if" in step and not _condition(step["if"], workflow, job, exported, expressions):
            results.append(StepRun(name, "skipped"))
            continue
        if "uses" in step:
            results.append(StepRun(name, "skipped"))
            continue
        script = step["run"]
        if is_install(script):
            # The package is installed (editable) in the environment running these tests, which is the one
            # the steps below use; installing it again here would re-point that environment at this copy.
            assert importlib.util.find_spec("mapsite") is not None
            results.append(StepRun(name, "skipped"))
            continue
        env = build_env({
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner / "temp"),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(runner / f"env-{index}"),
            "GITHUB_OUTPUT": str(runner / f"output-{index}"),
            **(extra_env or {}),
        })
        for scope in (workflow.get("env", {}), job.get("env", {}), exported, step.get("env", {})):
            env.update({k: evaluate(v, expressions) for k, v in scope.items()})
        script_file = runner / f"step-{index}.sh"
        script_file.write_text(script, encoding="utf-8")
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                                cwd=workspace, env=env, capture_output=True, text=True, timeout=900)
        exported.update(read_command_file(runner / f"env-{index}"))
        status = "ok" if result.returncode == 0 else "failed"
        failed = status == "failed"
        results.append(StepRun(name, status, result.stdout + result.stderr, read_command_file(runner / f"output-{index}"), env))
    return JobRun(results, summary.read_text(encoding="utf-8"), exported)


def _condition(condition: str, workflow: dict, job: dict, exported: dict[str, str], expressions: dict[str, str]) -> bool:
    """A step's `if:`, of the forms the workflows use: `env.NAME == 'value'`, or `github.ref == 'value'` (an expression's)."""
    match = re.fullmatch(r"env\.(\w+) == '([^']*)'", condition.strip())
    context = re.fullmatch(r"(github\.\w+) == '([^']*)'", condition.strip())
    if context:
        assert context.group(1) in expressions, f"the test has no value for {context.group(1)}"
        return expressions[context.group(1)] == context.group(2)
    assert match, f"the test cannot evaluate if: {condition}"
    env = {k: evaluate(v, expressions) for scope in (workflow.get("env", {}), job.get("env", {})) for k, v in scope.items()}
    return {**env, **exported}.get(match.group(1)) == match.group(2)


def git(workspace: Path, *args: str) -> str:
    env = build_env(GIT_ID)
    return subprocess.run(["git", *args], cwd=workspace, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A clone of this repository with its current working tree on top, as a runner's checkout (fetch-depth: 0) has it."""
    target = tmp_path / "workspace"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(target)], check=True,
                   env=build_env(), capture_output=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for relative in filter(None, listed):
        source = REPO / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
        elif not source.exists() and (target / relative).exists():
            (target / relative).unlink()  # deleted in the working tree
    git(target, "add", "--all")
    if git(target, "status", "--porcelain"):
        git(target, "commit", "--quiet", "-m", "working tree")
    git(target, "update-ref", "refs/remotes/origin/main", "HEAD")  # what checkout's full fetch gives the base branch
    assert not (target / "site").exists() and not (target / ".mapsite").exists()
    return target


def deals_of(workspace: Path) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "mapsite", "list", "--json"], cwd=workspace, env=build_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    deals = json.loads(result.stdout)
    assert deals, "the repository has plans to publish"
    return deals


def strong_password(seed: str) -> str:
    import secrets

    return f"{seed}-{secrets.token_urlsafe(18)}"


def assert_every_deal_page_encrypted(site: Path, deals: list[dict], passwords: dict[str, str]) -> None:
    """Every page in every deal's folder is a password shell whose payload opens with that deal's password."""
    for deal in deals:
        folder = deal["url"].split("://")[-1].rstrip("/").rsplit("/", 1)[-1]
        pages = sorted((site / folder).rglob("*.html"))
        assert len(pages) >= 3, f"{folder}: summary, milestones and people at least"
        for page in pages:
            shell = page.read_text(encoding="utf-8")
            assert deal["buyer"] not in shell and deal["buyer"].replace("&", "&amp;") not in shell
            payload = payload_of(shell)
            relative = page.relative_to(site).as_posix()
            page_path = relative[: -len("index.html")] if relative.endswith("index.html") else relative
            assert "ms-deal" in decrypt_payload(payload, passwords[deal["slug"]], page_path)


def test_publish_build_job_runs_as_written(workspace):
    deals = deals_of(workspace)
    passwords = {d["slug"]: strong_password(d["slug"]) for d in deals}
    secrets_json = json.dumps({"GITHUB_TOKEN": "ghs_not_a_password",
                               **{"MAPSITE_PASSWORD_" + slug.upper().replace("-", "_"): pw for slug, pw in passwords.items()}})

    run = run_job(PUBLISH, "build", workspace, {"toJSON(secrets)": secrets_json})

    assert run.statuses() == {
        FILTER_STEP: "ok",
        "Check out, full history (pages show when each plan last changed)": "skipped",
        "Set up Python": "skipped",
        "Install": "skipped",
        RESTORE_STEP: "skipped",
        "Check plans": "ok",
        BUILD_STEP: "ok",
        SAVE_STEP: "skipped",
        "Deal addresses": "ok",
        "Upload the site": "skipped",
    }, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
    assert re.search(rf"\b{len(deals)} plans? OK", run.step("Check plans").output)
    assert_every_deal_page_encrypted(workspace / "site", deals, passwords)
    assert (workspace / "site" / "index.html").is_file() and (workspace / "site" / "404.html").is_file()
    for deal in deals:
        assert deal["url"] in run.summary
    assert not (workspace / ".mapsite").exists(), "in CI no password or key is kept on the runner"
    for password in passwords.values():
        assert password not in "".join(s.output for s in run.steps) + run.summary


def test_the_build_never_sees_a_secret_but_the_deal_passwords(workspace):
    """Deploy tokens are in toJSON(secrets) too: no step after the first, nor any file, ever holds one."""
    deals = deals_of(workspace)
    passwords = {variable_name(d["slug"]): strong_password(d["slug"]) for d in deals}
    others = {name: f"fake-{name.lower()}-{os.urandom(8).hex()}" for name in ("GITHUB_TOKEN", "DEPLOY_TOKEN", "NETLIFY_AUTH_TOKEN")}
    site_key = new_key()  # kept too, and unused: every deal has its own secret, which wins

    team = {"MAPSITE_TEAM_PASSWORD": "tundra-mosaic-plank-ember-quiver-sable-onion-ranch"}  # kept; unused without team: true

    run = run_job(PUBLISH, "build", workspace, {"toJSON(secrets)": json.dumps({**others, **passwords, "MAPSITE_KEY": site_key,
                                                                                 **team})})

    assert run.ok, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
    for step in run.steps:
        if step.name != FILTER_STEP:
            for name, value in step.env.items():
                assert not any(token in value for token in others.values()), (step.name, name)
    build = run.step(BUILD_STEP)
    assert not {"MAPSITE_PASSWORDS", "SECRETS"} & set(build.env)
    kept = Path(build.env["MAPSITE_PASSWORDS_FILE"])
    assert kept.parent == workspace.parent / "runner-publish-build" / "temp"  # $RUNNER_TEMP, outside the checkout
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text(encoding="utf-8")) == {**passwords, "MAPSITE_KEY": site_key, **team}
    assert "MAPSITE_KEY" not in build.env, "the key reaches the build through the private file only"
    assert_every_deal_page_encrypted(workspace / "site", deals, {d["slug"]: passwords[variable_name(d["slug"])] for d in deals})
    for path in workspace.parent.rglob("*"):  # the checkout, the site, the runner's files
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            assert not any(token.encode() in data for token in others.values()), path
    assert not any(token in step.output for step in run.steps for token in others.values())


@pytest.mark.parametrize("problem", ["missing", "weak"])
def test_publish_stops_on_a_deal_without_a_strong_secret(workspace, problem):
    deals = deals_of(workspace)
    victim = deals[-1]["slug"]
    secrets = {"MAPSITE_PASSWORD_" + d["slug"].upper().replace("-", "_"): strong_password(d["slug"]) for d in deals}
    variable = "MAPSITE_PASSWORD_" + victim.upper().replace("-", "_")
    if problem == "missing":
        del secrets[variable]
    else:
        secrets[variable] = "password1234"

    run = run_job(PUBLISH, "build", workspace, {"toJSON(secrets)": json.dumps(secrets)})

    build = run.step(BUILD_STEP)
    assert build.status == "failed"
    assert victim in build.output
    if problem == "missing":
        assert variable in build.output
    else:
        assert "too weak" in build.output
    assert run.step("Deal addresses").status == "not run" and run.step("Upload the site").status == "not run"
    assert not (workspace / "site").exists(), "nothing is written, so nothing can be uploaded"
    assert not (workspace / ".mapsite").exists()


def derived_passwords(workspace: Path, site_key: str, deals: list[dict]) -> dict[str, str]:
    """Each deal's password from the site key, as `mapsite password <slug>` prints it."""
    found = {}
    for deal in deals:
        result = subprocess.run([sys.executable, "-m", "mapsite", "password", deal["slug"]], cwd=workspace,
                                env=build_env({"MAPSITE_KEY": site_key}), capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        found[deal["slug"]] = result.stdout.strip()
    return found


def test_publish_with_only_the_site_key_gives_every_deal_its_derived_password(workspace):
    """One secret for any number of deals: no MAPSITE_PASSWORD_* at all."""
    deals = deals_of(workspace)
    site_key = new_key()
    run = run_job(PUBLISH, "build", workspace, {"toJSON(secrets)": json.dumps({"GITHUB_TOKEN": "ghs_x", "MAPSITE_KEY": site_key})})

    assert run.ok, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
    assert "deal passwords kept: 0 | site key: kept" in run.step(FILTER_STEP).output
    passwords = derived_passwords(workspace, site_key, deals)
    assert len(set(passwords.values())) == len(deals), "a different password for every deal"
    assert_every_deal_page_encrypted(workspace / "site", deals, passwords)
    output = "".join(s.output for s in run.steps) + run.summary
    assert site_key not in output and not any(p in output for p in passwords.values())
    assert not (workspace / ".mapsite").exists()


@pytest.mark.parametrize("key", ["msk1_tooshort", "not-a-site-key-at-all-but-long-enough-0123456789"], ids=["short", "malformed"])
def test_publish_stops_on_a_bad_site_key_naming_it(workspace, key):
    run = run_job(PUBLISH, "build", workspace, {"toJSON(secrets)": json.dumps({"MAPSITE_KEY": key})})

    build = run.step(BUILD_STEP)
    assert build.status == "failed" and "MAPSITE_KEY" in build.output and "Traceback" not in build.output
    assert key not in build.output
    assert not (workspace / "site").exists() and run.step("Upload the site").status == "not run"


def test_sharded_publish_runs_as_written_and_merges_every_deal(workspace):
    """Every job's `run:` steps as written: one epoch, each shard of the matrix on a fresh runner, the merge.

    Uploading and downloading the artifacts is GitHub's: here each shard's site/ is moved to shards/site-<i>.
    """
    deals = deals_of(workspace)
    site_key = new_key()
    workflow = load(SHARDED)
    shards = workflow["jobs"]["build"]["strategy"]["matrix"]["shard"]
    epoch = run_job(SHARDED, "when", workspace, {}).step("Now, in seconds since 1970").outputs["epoch"]
    assert epoch.isdigit()
    for shard in shards:
        expressions = {"toJSON(secrets)": json.dumps({"GITHUB_TOKEN": "ghs_x", "MAPSITE_KEY": site_key}),
                       "matrix.shard": str(shard), "strategy.job-total": str(len(shards)), "needs.when.outputs.epoch": epoch}
        run = run_job(SHARDED, "build", workspace, expressions)
        assert run.ok, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
        assert run.step(SHARD_BUILD_STEP).env["MAPSITE_SHARD"] == f"{shard}/{len(shards)}"
        (workspace / "shards").mkdir(exist_ok=True)
        (workspace / "site").rename(workspace / "shards" / f"site-{shard}")
        shutil.rmtree(workspace.parent / "runner-publish-sharded-build")  # the next shard runs on a fresh runner
    held = [json.loads((workspace / "shards" / f"site-{i}" / "mapsite-shard.json").read_text())["deals"] for i in shards]
    assert sum(map(bool, held)) >= 2, "the repository's deals are spread over more than one shard"

    run = run_job(SHARDED, "merge", workspace, {})

    assert run.ok, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
    assert f"merged {len(shards)} shards into site: {len(deals)} deal folders" in run.step("Merge the shards into one site").output
    assert_every_deal_page_encrypted(workspace / "site", deals, derived_passwords(workspace, site_key, deals))
    assert (workspace / "site" / "index.html").is_file() and not (workspace / "site" / "mapsite-shard.json").exists()
    assert all(deal["url"] in run.summary for deal in deals)
    assert not (workspace / ".mapsite").exists()


def remind_expressions(url: str, sender: str) -> dict[str, str]:
    return {REMIND_SECRETS[0][3:-3].strip(): "true" if url and sender else "false",
            REMIND_SECRETS[1][3:-3].strip(): url, REMIND_SECRETS[2][3:-3].strip(): sender}


def test_the_reminder_job_runs_as_written_against_a_loopback_smtp_server(workspace):
    from smtpserver import Collector, SmtpServer

    (workspace / "mkdocs.yml").write_text((workspace / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "      plans_dir: plans\n", f"      plans_dir: plans\n      today: {TODAY}\n"), encoding="utf-8")
    dry = subprocess.run([sys.executable, "-m", "mapsite", "remind", "--dry-run"], cwd=workspace, env=build_env(),
                         capture_output=True, text=True, timeout=300)
    expected = sorted(line.removeprefix("To: ") for line in dry.stdout.splitlines() if line.startswith("To: "))
    assert expected, "the repository's plans have someone to remind on the test's day"
    collector = Collector()
    with SmtpServer(collector) as server:
        run = run_job(PUBLISH, "remind", workspace, remind_expressions(server.url(), "Deals <deals@acme.example>"))
        shutil.rmtree(workspace.parent / "runner-publish-remind")  # a second run of the same job, on a fresh runner
        unset = run_job(PUBLISH, "remind", workspace, remind_expressions("", ""))
    assert run.statuses() == {"Check out": "skipped", "Set up Python": "skipped", "Install": "skipped", SEND_STEP: "ok"}, \
        run.step(SEND_STEP).output
    assert sorted(r.message["To"] for r in collector.received) == expected
    assert set(unset.statuses().values()) == {"skipped"} and len(collector.received) == len(expected)


def change_a_plan(workspace: Path) -> tuple[str, str]:
    """A pull request's change: one plan's go-live moves a week. Returns (slug, new date)."""
    plan = sorted((workspace / "plans").glob("*.md"))[0]
    text = plan.read_text(encoding="utf-8")
    match = re.search(r"^go_live:\s*(\d{4})-(\d{2})-(\d{2})\s*$", text, re.M)
    assert match, plan
    import datetime as dt

    new = (dt.date(*map(int, match.groups())) + dt.timedelta(days=7)).isoformat()
    plan.write_text(text[: match.start()] + f"go_live: {new}" + text[match.end():], encoding="utf-8")
    git(workspace, "checkout", "--quiet", "-b", "move-go-live")
    git(workspace, "commit", "--quiet", "-am", f"{plan.stem}: go-live a week later")
    return plan.stem, new


def test_plan_check_job_runs_as_written(workspace):
    slug, new_date = change_a_plan(workspace)
    deals = deals_of(workspace)

    run = run_job(PLAN_CHECK, "check", workspace, {"github.base_ref": "main"}, {"GITHUB_BASE_REF": "main"})

    assert run.statuses() == {
        "Check out, full history (the diff needs the base branch)": "skipped",
        "Set up Python": "skipped",
        "Install": "skipped",
        "Check plans": "ok",
        "Plan changes": "ok",
        "Throwaway passwords (a random one per deal, never a real secret)": "ok",
        "Build": "ok",
    }, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
    # the diff: in the run's summary, and as the step output the comment job posts
    report = run.step("Plan changes").outputs["report"]
    assert slug in report and new_date in report
    assert run.step("Plan changes").outputs["changed"] == "true"
    assert report.strip() in run.summary
    # throwaway passwords: one strong random password per deal, and the site built with them
    passwords = json.loads(run.env["MAPSITE_PASSWORDS"])
    assert set(passwords) == {d["slug"] for d in deals}
    assert len(set(passwords.values())) == len(passwords) and all(len(p) >= 24 for p in passwords.values())
    assert_every_deal_page_encrypted(workspace / "site", deals, passwords)
    assert not (workspace / ".mapsite").exists()


def test_plan_check_without_plan_changes_says_so(workspace):
    run = run_job(PLAN_CHECK, "check", workspace, {"github.base_ref": "main"})
    assert run.ok, "\n".join(f"{s.name}: {s.output}" for s in run.steps)
    diff = run.step("Plan changes")
    assert diff.outputs["changed"] == "false"
    assert "No plan changed" in diff.outputs["report"] and "No plan changed" in run.summary


def test_plan_check_annotates_a_broken_plan(workspace):
    plan = sorted((workspace / "plans").glob("*.md"))[0]
    text = plan.read_text(encoding="utf-8")
    plan.write_text(re.sub(r"^go_live:.*$", "go_live: someday", text, count=1, flags=re.M), encoding="utf-8")
    line = next(i for i, l in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1) if l.startswith("go_live:"))

    run = run_job(PLAN_CHECK, "check", workspace, {"github.base_ref": "main"})

    check = run.step("Check plans")
    assert check.status == "failed"
    assert re.search(rf"^::error file=plans/{plan.name},line={line},", check.output, re.M), check.output
    assert run.step("Build").status == "not run"


# --- The PR comment script, in Node against a fake GitHub API -------------------------------


def node() -> str:
    path = shutil.which("node")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI needs Node.js (the machine image has /usr/bin/node)")
        pytest.skip("no node on this machine")
    return path


COMMENT_HARNESS = r"""
const fs = require("fs");
const script = fs.readFileSync(process.argv[2], "utf8");
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const comments = [
  {id: 1, user: {login: "marco"}, body: "<!-- mapsite-plan-diff -->\nquoted by a person"},
  {id: 2, user: {login: "github-actions[bot]"}, body: "another bot comment"},
];
const calls = [];
let nextId = 100;
const github = {
  paginate: async (method, args) => (await method(args)).data,
  rest: {issues: {
    listComments: async (args) => { calls.push(["list", args.issue_number]); return {data: comments.map(c => ({...c}))}; },
    createComment: async (args) => { calls.push(["create", args.issue_number]);
      comments.push({id: nextId++, user: {login: "github-actions[bot]"}, body: args.body}); },
    updateComment: async (args) => { calls.push(["update", args.comment_id]);
      comments.find(c => c.id === args.comment_id).body = args.body; },
  }},
};
const context = {repo: {owner: "acme", repo: "deal-rooms"}, issue: {number: 7}};
(async () => {
  const runs = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  const log = [];
  for (const [report, changed] of runs) {
    process.env.REPORT = report;
    process.env.CHANGED = changed;
    calls.length = 0;
    await new AsyncFunction("github", "context", "process", script)(github, context, process);
    log.push(calls.filter(c => c[0] !== "list"));
  }
  console.log(JSON.stringify({log, comments}));
})().catch(e => { console.error(e); process.exit(1); });
"""


def run_comment_script(tmp_path: Path, reports: list[tuple[str, str]]) -> dict:
    script = load(PLAN_CHECK)["jobs"]["comment"]["steps"][0]["with"]["script"]
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "harness.js").write_text(COMMENT_HARNESS, encoding="utf-8")
    (tmp_path / "reports.json").write_text(json.dumps(reports), encoding="utf-8")
    result = subprocess.run([node(), str(tmp_path / "harness.js"), str(tmp_path / "script.js"), str(tmp_path / "reports.json")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_pr_comment_is_updated_not_duplicated(tmp_path):
    result = run_comment_script(tmp_path, [
        ("No plan changed", "false"),   # a code-only push: no comment
        ("first report", "true"),       # a plan changed: one comment
        ("second report", "true"),      # another push: the same comment, updated
        ("second report", "true"),      # nothing new: left alone
        ("No plan changed", "false"),   # the change reverted: the comment says so
    ])
    assert result["log"] == [[], [["create", 7]], [["update", 100]], [], [["update", 100]]]
    ours = [c for c in result["comments"] if c["user"]["login"] == "github-actions[bot]" and "mapsite-plan-diff" in c["body"]]
    assert len(ours) == 1 and "No plan changed" in ours[0]["body"] and "report" not in ours[0]["body"]
    assert result["comments"][0]["body"] == "<!-- mapsite-plan-diff -->\nquoted by a person"
    assert result["comments"][1]["body"] == "another bot comment"


def test_pr_comment_stays_under_githubs_limit(tmp_path):
    result = run_comment_script(tmp_path, [("x" * 200_000, "true")])
    body = result["comments"][-1]["body"]
    assert len(body) < 65_536 and "cut here" in body


# --- Host configs --------------------------------------------------------------------------


def headers_file() -> dict[str, dict[str, str]]:
    """.github/hosting/_headers as {path pattern: {header: value}}."""
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in (HOSTING / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
        else:
            name, value = line.strip().split(":", 1)
            assert current is not None
            current[name.strip()] = value.strip()
    return rules


def netlify_headers() -> dict[str, str]:
    config = tomllib.loads((HOSTING / "netlify.toml").read_text(encoding="utf-8"))
    (rule,) = config["headers"]
    assert rule["for"] == "/*"
    return rule["values"]


def nginx_headers() -> dict[str, str]:
    text = (HOSTING / "nginx.conf").read_text(encoding="utf-8")
    found = re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;', text, re.M)
    assert len(found) == len(re.findall(r"^\s*add_header", text, re.M)), "every add_header has `always`"
    return dict(found)


def cloudfront_headers() -> dict[str, str]:
    config = json.loads((HOSTING / "cloudfront-response-headers.json").read_text(encoding="utf-8"))
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    found = {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}" + ("; includeSubDomains" if hsts["IncludeSubdomains"] else ""),
    }
    items = config["CustomHeadersConfig"]["Items"]
    assert config["CustomHeadersConfig"]["Quantity"] == len(items)
    assert all(item["Override"] for item in items) and all(v["Override"] for v in security.values())
    found.update({item["Header"]: item["Value"] for item in items})
    return found


def test_every_host_sends_the_same_headers():
    rules = headers_file()
    assert list(rules) == ["/*"]
    reference = rules["/*"]
    assert netlify_headers() == reference
    assert nginx_headers() == reference
    assert cloudfront_headers() == reference


def test_headers_keep_deals_private_and_same_origin():
    headers = headers_file()["/*"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'none'"
    assert policy["script-src"] == "'self' 'unsafe-inline'"
    for directive, sources in policy.items():
        assert set(sources.split()) <= {"'self'", "'none'", "'unsafe-inline'", "data:"}, f"{directive}: another host"
    assert "data:" not in policy["script-src"] and "data:" not in policy["connect-src"]


def test_header_policy_and_page_policy_agree():
    """Browsers enforce both: the header adds what a <meta> cannot send (frame-ancestors); for inline
    scripts it defers to each page's own policy, the only one that can list that page's hashes."""
    header = dict(part.strip().split(" ", 1) for part in headers_file()["/*"]["Content-Security-Policy"].split(";"))
    page = dict(d.split(" ", 1) for d in csp.DIRECTIVES)
    assert header.pop("frame-ancestors") == "'none'"
    assert header.pop("script-src") == page.pop("script-src") + " 'unsafe-inline'"
    assert header == page


def test_netlify_build_fails_closed():
    config = tomllib.loads((HOSTING / "netlify.toml").read_text(encoding="utf-8"))
    assert config["build"]["publish"] == "site"
    assert config["build"]["command"] == "pip install -e . && mapsite check && mkdocs build --strict"
    assert config["build"]["environment"]["CI"] == "true"


def test_cloudfront_function_serves_folders_like_the_other_hosts(tmp_path):
    harness = tmp_path / "run.js"
    harness.write_text(
        (HOSTING / "cloudfront-index.js").read_text(encoding="utf-8")
        + "\nconst uris = JSON.parse(process.argv[2]);\n"
        + "console.log(JSON.stringify(uris.map(uri => handler({request: {uri, headers: {}}}))));\n",
        encoding="utf-8")
    uris = ["/", "/northwind-logistics-k7qm2xtz9p/", "/northwind-logistics-k7qm2xtz9p",
            "/northwind-logistics-k7qm2xtz9p/milestones/", "/assets/mapsite/unlock.js", "/404.html"]
    result = subprocess.run([node(), str(harness), json.dumps(uris)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out[0]["uri"] == "/index.html"
    assert out[1]["uri"] == "/northwind-logistics-k7qm2xtz9p/index.html"
    assert out[2]["statusCode"] == 301 and out[2]["headers"]["location"]["value"] == "/northwind-logistics-k7qm2xtz9p/"
    assert out[3]["uri"] == "/northwind-logistics-k7qm2xtz9p/milestones/index.html"
    assert out[4]["uri"] == "/assets/mapsite/unlock.js" and out[5]["uri"] == "/404.html"


def fake_aws(tmp_path: Path) -> tuple[Path, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "aws.log"
    aws = bin_dir / "aws"
    aws.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$*" >> "{log}"\n', encoding="utf-8")
    aws.chmod(0o755)
    return bin_dir, log


def test_s3_upload_sets_cache_headers_and_uploads_assets_first(tmp_path):
    bin_dir, log = fake_aws(tmp_path)
    project = tmp_path / "project"
    (project / "site" / "assets").mkdir(parents=True)
    (project / "site" / "index.html").write_text("<!doctype html>", encoding="utf-8")
    env = build_env({"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    result = subprocess.run(["bash", str(HOSTING / "s3-publish.sh"), "acme-deal-rooms", "E2EXAMPLE"], cwd=project,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls == [
        "s3 sync site/ s3://acme-deal-rooms/ --exclude * --include assets/* --cache-control public, max-age=3600",
        "s3 sync site/ s3://acme-deal-rooms/ --delete --exclude assets/* --cache-control no-cache",
        "s3 sync site/ s3://acme-deal-rooms/ --delete --exclude * --include assets/* --cache-control public, max-age=3600",
        "cloudfront create-invalidation --distribution-id E2EXAMPLE --paths /*",
    ]


def test_s3_upload_refuses_without_a_built_site(tmp_path):
    bin_dir, log = fake_aws(tmp_path)
    env = build_env({"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    result = subprocess.run(["bash", str(HOSTING / "s3-publish.sh"), "acme-deal-rooms"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "mkdocs build" in result.stderr
    assert not log.exists()


# --- Custom domain and sub-path ------------------------------------------------------------

SITE_URL = "https://example.github.io/deals/"
PASSWORD = "correct-horse-battery-staple-42"
DEAL = "northwind-logistics-k7qm2xtz9p/"


class Links(html.parser.HTMLParser):
    """Every URL a page loads or links to: (tag, attribute, value, rel)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action", "data-mapsite-root"):
            if attrs.get(name) is not None:
                self.found.append((tag, name, attrs[name], attrs.get("rel") or ""))


def links(text: str) -> list[tuple[str, str, str, str]]:
    parser = Links()
    parser.feed(text)
    return parser.found


def build_under_subpath(root: Path, site_url: str | None) -> Path:
    """The canonical plan built with `site_url` (or none) into root/site; returns the project folder."""
    project = root / "project"
    (project / "plans").mkdir(parents=True)
    shutil.copy(CANONICAL, project / "plans")
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    if site_url:
        config = f"site_url: {site_url}\n" + config
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, capture_output=True,
                            text=True, timeout=600,
                            env=build_env({"CI": "true", "MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": PASSWORD}))
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="module")
def subpath_project(tmp_path_factory) -> Path:
    return build_under_subpath(tmp_path_factory.mktemp("subpath"), SITE_URL)


def mapsite_list(project: Path) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "mapsite", "list", "--json"], cwd=project, env=build_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_list_gives_full_urls_with_site_url(subpath_project):
    (deal,) = mapsite_list(subpath_project)
    assert deal["url"] == SITE_URL + DEAL


def test_list_gives_relative_addresses_without_site_url(tmp_path):
    project = tmp_path / "project"
    (project / "plans").mkdir(parents=True)
    shutil.copy(CANONICAL, project / "plans")
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY), encoding="utf-8")
    (deal,) = mapsite_list(project)
    assert deal["url"] == DEAL


def test_built_pages_link_assets_relatively(subpath_project):
    """Nothing starts at the host's root: the site works at https://org.github.io/repo/ as at a domain's root."""
    site = subpath_project / "site"

    pages: dict[str, str] = {}
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        text = page.read_text(encoding="utf-8")
        pages[relative] = text
        if relative.startswith(DEAL):
            page_path = relative[: -len("index.html")] if relative.endswith("index.html") else relative
            pages[relative + " (unlocked)"] = decrypt_payload(payload_of(text), PASSWORD, page_path)
    assert any(name.endswith("(unlocked)") for name in pages) and "index.html" in pages
    checked = 0
    for name, text in pages.items():
        for tag, attribute, value, rel in links(text):
            if tag == "a" and re.match(r"^(https?:|mailto:|tel:)", value):
                continue  # a link out of the site, e.g. a plan's resources
            if tag == "link" and rel == "canonical":
                assert value.startswith(SITE_URL)
                continue
            checked += 1
            if name == "404.html":
                # MkDocs writes the 404 page with root-relative links from site_url's path, since it is
                # served at any depth: with site_url set, they include the sub-path.
                assert value.startswith(("/deals/", "#")), (name, tag, attribute, value)
            else:
                assert not value.startswith("/"), (name, tag, attribute, value)
                assert not re.match(r"^[a-z]+:", value) or value.startswith("data:"), (name, tag, attribute, value)
    assert checked > 50
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert SITE_URL in sitemap and "northwind" not in sitemap


class HeaderServer:
    """Serves `root` on 127.0.0.1 with the response headers of a `_headers` rule set, as Cloudflare Pages does."""

    def __init__(self, root: Path, mount: str, headers: dict[str, str]):
        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def end_headers(self):
                if self.path.startswith(mount):
                    for name, value in headers.items():
                        self.send_header(name, value)
                super().end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}{mount}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def open_deal_under_subpath(browser, project: Path, headers: dict[str, str]) -> dict:
    """Open the deal at /deals/ with these headers in Chromium; report what broke."""
    www = project.parent / "www"
    www.mkdir(exist_ok=True)
    if not (www / "deals").exists():
        (www / "deals").symlink_to(project / "site", target_is_directory=True)
    server = HeaderServer(www, "/deals/", headers)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    outside: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: r.url.startswith(server.base) or r.url.startswith(("data:", "about:"))
                or outside.append(r.url))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
        page.goto(server.base + DEAL)
        unlock(page, PASSWORD)
        injected = page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                                 " document.body.appendChild(s); return window.injected === 1; }")  # refused by each page policy
        material = page.evaluate("typeof __md_get")
        bar = page.evaluate("(() => { const b = document.querySelector('.ms-bar'); "
                            "return b.firstElementChild.getBoundingClientRect().width / b.getBoundingClientRect().width; })()")
        page.click(".ms-tab >> text=Milestones")
        page.wait_for_selector(".ms-milestones", timeout=20_000)
        page.goto(server.base + "404.html")
        page.wait_for_selector(".md-content", timeout=20_000)
        styled = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
        return {"problems": problems, "outside": outside, "material": material, "bar": bar, "styled_404": styled,
                "injected": injected}
    finally:
        context.close()
        server.close()


def test_deal_opens_under_a_subpath_with_the_published_headers(browser, subpath_project):
    """The real CSP of .github/hosting/_headers with each page's own, on a site served at /deals/: unlocks,
    Material runs, nothing else is blocked, and a script injected without a hash does not run."""
    result = open_deal_under_subpath(browser, subpath_project, headers_file()["/*"])
    assert result["injected"] is False
    injected = csp.script_hashes("<script>window.injected = 1</script>")[0].strip("'")
    assert result["problems"] and all(injected in p for p in result["problems"]), "only the injected script was refused"
    assert result["outside"] == []
    assert result["material"] == "function", "Material's inline start-up script ran"
    assert 0.05 < result["bar"] < 0.95, "the progress bar's style=\"width: …%\" applied"
    assert result["styled_404"] in ("sticky", "fixed"), "the 404 page found its stylesheet under /deals/"


def test_a_stricter_policy_would_break_the_pages(browser, subpath_project):
    """Why the header allows inline scripts and styles: it cannot list each page's script hashes (the page's
    own policy does), and style="" attributes take no hash. Without them Material and the deal pages break."""
    strict = {**headers_file()["/*"], "Content-Security-Policy": "default-src 'self'"}
    result = open_deal_under_subpath(browser, subpath_project, strict)
    assert any("Content Security Policy" in p and "inline script" in p for p in result["problems"])
    assert any("Content Security Policy" in p and "inline style" in p for p in result["problems"])
    assert result["material"] == "undefined"
