"""The command line end to end: exit codes, outputs and secrets, against the emulator."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from checker import cli
from checker.schemas_access import load_schema
from checker.source import gather as gather_module
from tests.emulator import Emulator, EmulatorState, Status
from tests.example_project import build_state

ROOT = Path(__file__).resolve().parents[1]
SPEC = str(ROOT / "schedules.yaml")
EXAMPLE = str(ROOT / "examples" / "snapshot")
NOW = "2026-04-30T12:00:00Z"
KEY = "pcsk_CANARY_cli_5c1d9e0f2b"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(build_state(), api_key=KEY) as emu:
        yield emu


@pytest.fixture
def live_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    monkeypatch.setenv("PINECONE_API_KEY", KEY)
    monkeypatch.setenv("PINECONE_API_URL", emulator.url)
    monkeypatch.delenv("PINECONE_API_VERSION", raising=False)
    return emulator


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def report_json(text: str) -> dict[str, object]:
    document = json.loads(text)
    jsonschema.validate(document, load_schema("report.schema.json"))
    return document  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- exit 0 and 1


def test_live_check_reports_the_example_problems_and_exits_1(
    capsys: pytest.CaptureFixture[str], live_env: Emulator
) -> None:
    code, out, err = run(capsys, "check", SPEC, "--now", NOW, "-f", "json")
    report = report_json(out)
    assert code == 1 == report["exit_code"]
    assert err == ""
    rules = sorted({f["rule"] for f in report["findings"]})  # type: ignore[attr-defined, index]
    assert rules == [
        "failed-run",
        "gap",
        "index-uncovered",
        "missed-run",
        "retention-drift",
        "schedule-unmanaged",
    ]


def test_every_request_carries_the_key_header_and_version(
    capsys: pytest.CaptureFixture[str], live_env: Emulator
) -> None:
    run(capsys, "check", SPEC, "--now", NOW, "--api-version", "unstable")
    requests = live_env.requests
    assert requests, "no request reached the emulator"
    assert {r.header("Api-Key") for r in requests} == {KEY}
    assert {r.header("X-Pinecone-Api-Version") for r in requests} == {"unstable"}


def test_live_check_and_snapshot_replay_give_the_same_report(
    capsys: pytest.CaptureFixture[str], live_env: Emulator, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "snapshot", SPEC, "--out", str(tmp_path / "snap"))
    assert code == 0
    assert "wrote" in out
    _, live, _ = run(capsys, "check", SPEC, "--now", NOW, "-f", "json")
    _, replay, _ = run(
        capsys, "check", SPEC, "--now", NOW, "-f", "json", "--snapshot", str(tmp_path / "snap")
    )
    assert live == replay
    assert KEY not in "".join(p.read_text() for p in (tmp_path / "snap").rglob("*.json"))


@pytest.mark.parametrize("command", ["check", "init"])
def test_a_snapshot_is_replayed_without_fetch_threads(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Local files gain nothing from a pool: its threads would only compete with judging."""

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a snapshot replay started a thread pool")

    monkeypatch.setattr(gather_module, "ThreadPoolExecutor", no_pool)
    where = ["--out", str(tmp_path / "init.yaml")] if command == "init" else [SPEC, "--now", NOW]
    code, _, err = run(capsys, command, *where, "--snapshot", EXAMPLE, "--concurrency", "8")
    assert code in (0, 1), err


def test_a_snapshot_body_nested_too_deeply_is_unknown_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`json.loads` gives up on deep nesting with RecursionError: that listing is unreadable
    (exit 3), like any body that is not JSON, never an internal error."""
    snapshot = tmp_path / "snap"
    shutil.copytree(EXAMPLE, snapshot)
    manifest = json.loads((snapshot / "manifest.json").read_text())
    listing = next(e for e in manifest["listings"] if e["path"].endswith("/history"))
    body = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (snapshot / listing["pages"][0]).write_bytes(body)
    manifest["files"][listing["pages"][0]] = hashlib.sha256(body).hexdigest()
    (snapshot / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = run(capsys, "check", SPEC, "--snapshot", str(snapshot), "--now", NOW)
    assert code == 3
    assert f"GET {listing['path']}: unexpected response: body is not JSON" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("change", ["one byte", "truncated"])
def test_a_snapshot_body_that_does_not_match_its_sha256_is_refused(
    change: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The digests detect a damaged snapshot: the replay stops with exit 2 and no report."""
    snapshot = tmp_path / "snap"
    shutil.copytree(EXAMPLE, snapshot)
    manifest = json.loads((snapshot / "manifest.json").read_text())
    name = next(e for e in manifest["listings"] if e["path"].endswith("/history"))["pages"][0]
    body = (snapshot / name).read_bytes()
    damaged = body.replace(b"Ready", b"Reade", 1) if change == "one byte" else body[:-1]
    assert damaged != body
    (snapshot / name).write_bytes(damaged)
    code, out, err = run(capsys, "check", SPEC, "--snapshot", str(snapshot), "--now", NOW)
    assert code == 2
    assert f"{name} does not match its SHA-256 in manifest.json" in err
    assert out == ""


DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("given", ["snapshot manifest", "baseline", "merged report"])
def test_a_json_file_nested_too_deeply_is_a_usage_error_not_a_crash(
    given: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every JSON file the user hands over is decoded by `checker.jsonsafe`: deep nesting,
    which makes `json.loads` raise RecursionError, is refused like any other bad file."""
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP_JSON)
    if given == "snapshot manifest":
        (tmp_path / "snap").mkdir()
        (tmp_path / "snap" / "manifest.json").write_text(DEEP_JSON)
        args = ["check", SPEC, "--snapshot", str(tmp_path / "snap"), "--now", NOW]
    elif given == "baseline":
        args = ["check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "--baseline", str(deep)]
    else:
        args = ["merge", str(deep)]
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert str(tmp_path) in err
    assert "internal error" not in err


def test_fail_on_never_turns_findings_into_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys, "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "--fail-on", "never"
    )
    assert code == 0


def test_a_clean_moment_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "one.yaml"
    spec.write_text(
        "version: 1\nschedules:\n  - index: products-prod\n    name: nightly\n"
        "    frequency: daily\n    retention: {expire_after_days: 7, min_ready: 5}\n"
    )
    code, out, _ = run(capsys, "check", str(spec), "--snapshot", EXAMPLE, "--now", NOW)
    assert code == 0, out
    assert "PASS" in out


def test_report_targets_write_several_formats_from_one_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    json_path, text_path = tmp_path / "r.json", tmp_path / "out" / "r.txt"
    code, out, _ = run(
        capsys,
        "check",
        SPEC,
        "--snapshot",
        EXAMPLE,
        "--now",
        NOW,
        "-o",
        str(text_path),
        "--report",
        f"json={json_path}",
    )
    assert code == 1
    assert out == ""
    assert report_json(json_path.read_text())["exit_code"] == 1
    assert "orders-prod / nightly" in text_path.read_text()


def test_text_output_has_no_colour_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW)
    assert "\x1b" not in out
    assert "FAIL" in out


# ----------------------------------------------------------------------------- exit 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.yaml", "--snapshot", EXAMPLE], "missing.yaml"),
        (["check", SPEC, "--now", "yesterday", "--snapshot", EXAMPLE], "--now"),
        (["check", SPEC, "--report", "xml=out.xml", "--snapshot", EXAMPLE], "unknown format"),
        (["check", SPEC, "--api-url", "http://198.51.100.7"], "https"),
        (["check", SPEC, "--api-version", "2026-7"], "did you mean '2026-07'"),
        (["check", SPEC, "--snapshot", "/nonexistent/snap"], "not a usable snapshot"),
        (["check", SPEC, "--format", "xml"], "xml"),
        (["explain", "missed-rn"], "did you mean 'missed-run'"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("PINECONE_API_KEY", KEY)
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert out == ""


def test_no_api_key_is_a_usage_error_before_any_request(
    capsys: pytest.CaptureFixture[str], live_env: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PINECONE_API_KEY")
    code, _, err = run(capsys, "check", SPEC, "--now", NOW)
    assert code == 2
    assert "PINECONE_API_KEY" in err
    assert live_env.requests == []


def test_an_invalid_spec_exits_2_and_fetches_nothing(
    capsys: pytest.CaptureFixture[str], live_env: Emulator, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nschedules:\n  - index: a\n    name: b\n    frequency: dayly\n")
    code, out, err = run(capsys, "check", str(bad), "--now", NOW)
    assert code == 2
    assert f"{bad}:5:16" in err
    assert "did you mean 'daily'" in err
    assert live_env.requests == []
    assert out == ""


def test_validate_reports_every_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\n")
    code, out, err = run(capsys, "validate", SPEC, str(bad))
    assert code == 2
    assert "valid (4 schedules)" in out
    assert f"{bad}:1:" in err


def test_a_spec_without_schedules_or_coverage_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("version: 1\nschedules: []\n")
    code, _, err = run(capsys, "check", str(empty), "--snapshot", EXAMPLE)
    assert code == 2
    assert "empty.yaml" in err


def test_snapshot_refuses_a_directory_that_holds_other_files(
    capsys: pytest.CaptureFixture[str], live_env: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    code, _, err = run(capsys, "snapshot", SPEC, "--out", str(tmp_path), "--force")
    assert code == 2
    assert "not empty" in err
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    assert live_env.requests == []


# ----------------------------------------------------------------------------- exit 3


def test_a_rejected_key_is_exit_3_naming_the_variable_and_never_the_key(
    capsys: pytest.CaptureFixture[str], live_env: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "pcsk_WRONG_canary_99887766"
    monkeypatch.setenv("PINECONE_API_KEY", wrong)
    code, out, err = run(capsys, "check", SPEC, "--now", NOW, "-f", "json")
    report = report_json(out)
    assert code == 3 == report["exit_code"]
    statuses = {s["status"] for s in report["schedules"]}  # type: ignore[attr-defined, index]
    assert statuses == {"unknown"}
    assert "PINECONE_API_KEY" in out
    assert wrong not in out + err
    assert err.startswith("backup-drift: could not check 5 schedules: GET /indexes: the API key")
    assert len(live_env.requests) == 1  # the run stops at the first 401


def test_an_unreadable_history_makes_that_schedule_unknown_and_the_run_3(
    capsys: pytest.CaptureFixture[str], live_env: Emulator
) -> None:
    live_env.add_fault(r"/backup-schedules/.*/history", Status(404), times=None)
    live_env.add_fault(r"/indexes/users-prod/backup-schedules", Status(400), times=None)
    code, out, _ = run(capsys, "check", SPEC, "--now", NOW, "-f", "json")
    report = report_json(out)
    assert code == 3
    rows = {(s["index"], s["status"]) for s in report["schedules"]}  # type: ignore[attr-defined, index]
    assert rows == {
        ("products-prod", "unknown"),
        ("orders-prod", "unknown"),
        ("users-prod", "unknown"),
        ("search-staging", "pass"),  # declared disabled: its history is not needed
    }
    rules = {f["rule"] for f in report["findings"]}  # type: ignore[attr-defined, index]
    assert rules == {"index-uncovered", "schedule-unmanaged"}  # no history rule was guessed


def test_a_plan_without_scheduled_backups_is_explained(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(
        EmulatorState(**{**build_state().__dict__, "plan_allows_backups": False}), api_key=KEY
    ) as gated:
        monkeypatch.setenv("PINECONE_API_KEY", KEY)
        code, out, _ = run(capsys, "check", SPEC, "--now", NOW, "--api-url", gated.url)
    assert code == 3
    assert "plan" in out
    assert "UNKNOWN" in out


# ----------------------------------------------------------------------------- exit 4


def test_an_internal_error_is_one_line_and_exit_4(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("checker.stream.evaluate_stream", explode)
    code, out, err = run(capsys, "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW)
    assert code == 4
    assert out == ""
    assert err.count("\n") == 1
    assert "internal error" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "-v", "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW)
    assert code == 4
    assert "Traceback" in err


# ----------------------------------------------------------------------------- real processes


def _process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "checker", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_quick_start_command_works_from_the_repository_root() -> None:
    done = _process("check", "--snapshot", "examples/snapshot", "--now", NOW)
    assert done.returncode == 1
    assert "orders-prod / nightly" in done.stdout
    assert done.stderr == ""


def test_version_and_exit_code_of_a_real_process() -> None:
    done = _process("--version")
    assert done.returncode == 0
    assert "1.0.0" in done.stdout
    assert _process("check", "--nope").returncode == 2


# ----------------------------------------------------------------------------- colour


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [(True, None, True), (True, "", True), (True, "1", False), (False, None, False)],
)
def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str | None, expected: bool
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert cli._use_color(_Terminal(tty)) is expected


# ----------------------------------------------------------------------------- baseline


def test_a_baseline_fails_only_on_new_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    args = ("check", SPEC, "--snapshot", EXAMPLE, "-f", "json")
    code, out, _ = run(capsys, *args, "--now", NOW, "-o", str(baseline))
    assert code == 1
    code, out, _ = run(capsys, *args, "--now", NOW, "--baseline", str(baseline))
    report = report_json(out)
    assert code == 0
    assert {f["baseline"] for f in report["findings"]} == {"known"}  # type: ignore[attr-defined, index]
    assert {s["status"] for s in report["schedules"]} == {"pass"}  # type: ignore[attr-defined, index]
    code, out, _ = run(capsys, *args, "--now", "2026-05-02T12:00:00Z", "--baseline", str(baseline))
    later = report_json(out)
    new = [f for f in later["findings"] if f["baseline"] == "new"]  # type: ignore[attr-defined, index]
    assert code == 1
    assert ("missed-run", "2026-05-01T02:00:00Z") in {(f["rule"], f["at"]) for f in new}  # type: ignore[index]
    old = {(f["rule"], f["index"], f["schedule"], f["at"]) for f in report["findings"]}  # type: ignore[attr-defined, index]
    for finding in later["findings"]:  # type: ignore[attr-defined]
        identity = (finding["rule"], finding["index"], finding["schedule"], finding["at"])
        assert finding["baseline"] == ("known" if identity in old else "new")


@pytest.mark.parametrize(
    "content", [b"not json", b'{"format_version": 2}', b'{"format_version": 1, "findings": [1]}']
)
def test_a_bad_baseline_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_bytes(content)
    code, out, err = run(capsys, "check", SPEC, "--snapshot", EXAMPLE, "--baseline", str(baseline))
    assert code == 2
    assert "--baseline" in err
    assert out == ""


@pytest.mark.parametrize(("actions", "marker"), [("true", "::error "), (None, "FAIL ")])
def test_format_auto_picks_github_annotations_inside_github_actions(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    actions: str | None,
    marker: str,
) -> None:
    if actions is None:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    else:
        monkeypatch.setenv("GITHUB_ACTIONS", actions)
    _, out, _ = run(capsys, "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "-f", "auto")
    assert marker in out


def test_prometheus_output_carries_the_run_duration(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "-f", "prometheus")
    assert "backup_drift_run_duration_seconds " in out
    assert "backup_drift_exit_code 1" in out
