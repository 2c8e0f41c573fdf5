"""`examples/snapshot/` is what `backup-drift snapshot` records from the example project.

The snapshot is regenerated here through the real path (emulator over loopback, the HTTP
client, the recorder) and compared byte for byte, so the committed example can never drift
from the code that reads it. `UPDATE_GOLDEN=1 pytest tests/test_example_snapshot.py`
rewrites it; review the diff before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from checker.evaluate import evaluate
from checker.source.gather import gather
from checker.source.http import PineconeHttp
from checker.source.snapshot import CaptureInfo, RecordingReader, SnapshotReader, write_snapshot
from checker.spec import load_spec
from tests.emulator import Emulator
from tests.example_project import NOW, build_state

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "snapshot"
SPEC = ROOT / "schedules.yaml"
KEY = "pcsk_example_canary_0123456789"


def _record(out: Path) -> None:
    spec = load_spec(SPEC, display="schedules.yaml")
    with Emulator(build_state(), api_key=KEY) as emulator:
        http = PineconeHttp(
            api_url=emulator.url,
            api_key=KEY,
            api_key_env="PINECONE_API_KEY",
            api_version="2026-07",
        )
        with http:
            recorder = RecordingReader(http)
            gather(spec, recorder)
    info = CaptureInfo(
        NOW,
        "http://127.0.0.1 (tests/emulator: tests/example_project.py)",
        "2026-07",
        "schedules.yaml",
    )
    write_snapshot(out, recorder.recording, info, secrets=(KEY,))


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_the_committed_example_snapshot_is_what_the_recorder_writes(tmp_path: Path) -> None:
    _record(tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(EXAMPLE, ignore_errors=True)
        shutil.copytree(tmp_path, EXAMPLE)
    assert _files(tmp_path) == _files(EXAMPLE)


def test_the_example_has_exactly_its_deliberate_problems() -> None:
    spec = load_spec(SPEC, display="schedules.yaml")
    report = evaluate(spec, gather(spec, SnapshotReader(EXAMPLE)), NOW)
    found = sorted(
        (f.index, f.rule, f"{f.at:%m-%dT%H}" if f.at else "-", f.waived) for f in report.findings
    )
    assert found == [
        ("orders-prod", "failed-run", "04-28T02", False),
        ("orders-prod", "gap", "04-19T02", False),
        ("orders-prod", "gap", "04-26T02", False),
        ("orders-prod", "missed-run", "04-20T02", True),
        ("orders-prod", "missed-run", "04-21T02", True),
        ("orders-prod", "missed-run", "04-27T02", False),
        ("products-prod", "schedule-unmanaged", "-", False),
        ("recs-prod", "index-uncovered", "-", False),
        ("users-prod", "retention-drift", "-", False),
    ]
    assert {(s.index, s.name): s.status for s in report.schedules} == {
        ("products-prod", "nightly"): "pass",
        ("orders-prod", "nightly"): "fail",
        ("users-prod", "weekly"): "fail",
        ("search-staging", "nightly"): "pass",
    }
    assert report.exit_code == 1
    assert report.coverage is not None
    assert report.coverage.uncovered == ("recs-prod", "search-staging")  # not legacy-prod: a pod
    assert len(report.coverage.schedulable) == 5
    assert report.unused_waivers == ()


def test_the_example_snapshot_holds_no_key() -> None:
    files = _files(EXAMPLE)
    assert len(files) > 5
    assert not [name for name, body in files.items() if KEY.encode() in body]
