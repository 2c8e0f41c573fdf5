"""The GitHub Action, the workflows and the pre-commit hook keep their safety promises."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.ci_outputs import output_lines

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/workflows/*.yml")])
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _steps(document: Any) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", [ROOT / "action.yml", *WORKFLOWS], ids=lambda p: p.name)
def test_every_action_reference_is_pinned_by_commit_sha(path: Path) -> None:
    for step in _steps(_load(path)):
        uses = step.get("uses")
        if uses and not uses.startswith("./"):
            assert PINNED.fullmatch(uses), f"{path.name}: {uses} is not pinned by SHA"


@pytest.mark.parametrize("path", [ROOT / "action.yml", *WORKFLOWS], ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    for step in _steps(_load(path)):
        assert "${{" not in step.get("run", ""), (
            f"{path.name}: {step.get('name')} expands ${{{{ }}}}"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_are_least_privilege_and_keep_no_credentials(path: Path) -> None:
    document = _load(path)
    assert document.get("permissions") == {"contents": "read"}
    for step in _steps(document):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_the_nightly_example_runs_at_an_odd_minute_and_by_hand() -> None:
    triggers = _load(ROOT / "examples/workflows/backup-drift-nightly.yml")[True]  # YAML 1.1 "on"
    minute = triggers["schedule"][0]["cron"].split()[0]
    assert minute not in ("0", "*", "30")
    assert "workflow_dispatch" in triggers


def test_the_action_passes_the_key_only_through_the_callers_environment() -> None:
    action = _load(ROOT / "action.yml")
    assert not [name for name in action["inputs"] if "key" in name.lower()]
    outputs = set(action["outputs"])
    assert {"exit-code", "errors", "warnings", "json-report", "sarif-report"} <= outputs


def test_the_pre_commit_hook_runs_validate_offline() -> None:
    [hook] = _load(ROOT / ".pre-commit-hooks.yaml")
    assert hook["entry"] == "backup-drift validate"
    assert re.search(hook["files"], "deploy/schedules.yaml")
    assert not re.search(hook["files"], "other.yaml")


def test_ci_outputs_are_the_summary_counts(tmp_path: Path) -> None:
    summary = {"error": 6, "warning": 1, "notice": 0, "unknown": 0, "schedules": 4}
    assert output_lines({"summary": summary}) == [
        "errors=6",
        "warnings=1",
        "notices=0",
        "unknown=0",
    ]
    assert output_lines({"no": "summary"}) == []
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"summary": summary}))
    done = subprocess.run(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", "checker.ci_outputs", str(report)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert done.stdout.splitlines() == ["errors=6", "warnings=1", "notices=0", "unknown=0"]
    missing = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "checker.ci_outputs", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert missing.stdout == ""
