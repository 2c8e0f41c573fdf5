"""`backup-drift init`: the generated spec is valid and declares the project exactly as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.evaluate import evaluate
from checker.init import scalar
from checker.source.gather import gather
from checker.source.snapshot import SnapshotReader
from checker.spec import load_spec
from checker.yamlsafe import read_yaml
from tests.emulator import Emulator, EmulatorState, make_index, make_schedule
from tests.example_project import NOW
from tests.test_cli import EXAMPLE, KEY, run

CONFIG_RULES = {
    "index-missing",
    "schedule-missing",
    "schedule-ambiguous",
    "frequency-drift",
    "retention-drift",
    "enabled-drift",
    "schedule-unmanaged",
}


def test_init_then_check_reports_no_configuration_drift(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "schedules.yaml"
    code, stdout, _ = run(capsys, "init", "--snapshot", EXAMPLE, "--out", str(out))
    assert code == 0
    assert "wrote" in stdout
    text = out.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    spec = load_spec(out)
    assert len(spec.schedules) == 5
    report = evaluate(spec, gather(spec, SnapshotReader(Path(EXAMPLE))), NOW)
    assert not [f for f in report.findings if f.rule in CONFIG_RULES]


def test_init_never_overwrites_without_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "schedules.yaml"
    out.write_text("precious\n")
    code, _, err = run(capsys, "init", "--snapshot", EXAMPLE, "--out", str(out))
    assert code == 2
    assert "--force" in err
    assert out.read_text() == "precious\n"
    code, _, _ = run(capsys, "init", "--snapshot", EXAMPLE, "--out", str(out), "--force")
    assert code == 0
    assert "version: 1" in out.read_text()


def test_index_globs_limit_the_spec_and_become_its_coverage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "s.yaml"
    run(
        capsys,
        "init",
        "--snapshot",
        EXAMPLE,
        "--out",
        str(out),
        "--index",
        "orders-*",
        "--index",
        "users-*",
    )
    spec = load_spec(out)
    assert sorted(d.index for d in spec.schedules) == ["orders-prod", "users-prod"]
    assert spec.coverage is not None
    assert spec.coverage.indexes == ("orders-*", "users-*")


def test_hostile_and_duplicate_names_round_trip(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = ["nightly", "nightly", 'we"ird: name\n- index: x', "true", "2026-01-01"]
    schedules = [make_schedule("prod", n, schedule_id=f"id-{i}") for i, n in enumerate(names)]
    state = EmulatorState(
        indexes=[make_index("prod"), make_index("pods", "pod")], schedules={"prod": schedules}
    )
    out = tmp_path / "s.yaml"
    with Emulator(state, api_key=KEY) as emulator:
        monkeypatch.setenv("PINECONE_API_KEY", KEY)
        code, _, _ = run(capsys, "init", "--out", str(out), "--api-url", emulator.url)
        assert code == 0
        spec = load_spec(out)
        assert sorted((d.name, d.id) for d in spec.schedules if d.name) == sorted(
            (n, f"id-{i}") for i, n in enumerate(names) if i != 1
        )
        assert [d.id for d in spec.schedules if d.name is None] == ["id-1"]
        monkeypatch.setenv("PINECONE_API_URL", emulator.url)
        code, stdout, _ = run(
            capsys, "check", str(out), "--now", "2026-04-30T12:00:00Z", "-f", "json"
        )
    assert '"schedule-ambiguous"' not in stdout
    assert '"schedule-unmanaged"' not in stdout
    assert '"schedule-missing"' not in stdout


def test_a_project_without_schedules_gets_a_valid_spec_with_coverage(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    state = EmulatorState(indexes=[make_index("prod")], schedules={"prod": []})
    out = tmp_path / "s.yaml"
    with Emulator(state, api_key=KEY) as emulator:
        monkeypatch.setenv("PINECONE_API_KEY", KEY)
        assert run(capsys, "init", "--out", str(out), "--api-url", emulator.url)[0] == 0
    spec = load_spec(out)
    assert spec.schedules == ()
    assert spec.coverage is not None


@given(st.text(min_size=1, max_size=40))
def test_any_string_survives_as_a_yaml_scalar(value: str) -> None:
    document = read_yaml(f"key: {scalar(value)}\n".encode(), "x.yaml")
    assert document.data == {"key": value}
