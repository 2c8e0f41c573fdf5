"""From the wire to a verdict: pagination quirks and broken answers, through the real client.

Transient trouble (overlapping pages, rows repeated, a retried error) must give exactly the
verdict of a clean run; unrecoverable trouble must make the affected schedules unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from checker.evaluate import evaluate
from checker.model import Missing, ProjectState, Report
from checker.source.gather import gather
from checker.source.http import PineconeHttp
from checker.source.parse import parse_history, parse_schedules
from checker.spec import load_spec
from tests.emulator import BadShape, Emulator, Fault, Malformed, Overlap, Status, TokenLoop
from tests.example_project import NOW, build_state
from tests.test_example_snapshot import SPEC

KEY = "pcsk_gather_canary_4242"
HISTORY = r"/backup-schedules/[^/]+/history"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(build_state(), api_key=KEY) as emu:
        yield emu


Reader = Callable[..., ProjectState]


@pytest.fixture
def read(emulator: Emulator) -> Reader:
    spec = load_spec(SPEC, display="schedules.yaml")

    def read(page_size: int = 7, version: str = "2026-07") -> ProjectState:
        client = PineconeHttp(
            api_url=emulator.url,
            api_key=KEY,
            api_key_env="PINECONE_API_KEY",
            api_version=version,
            page_size=page_size,
            max_attempts=3,
            sleep=lambda _: None,
        )
        with client:
            return gather(spec, client)

    return read


def verdict(state: ProjectState) -> Report:
    return evaluate(load_spec(SPEC, display="schedules.yaml"), state, NOW)


def test_small_pages_give_the_same_state_as_one_page(read: Reader) -> None:
    assert read(page_size=3) == read(page_size=100)


def test_both_api_versions_give_the_same_state(read: Reader) -> None:
    assert read(version="unstable") == read(version="2026-07")


@pytest.mark.parametrize(
    "fault",
    [Overlap(3), Status(503), Status(429, retry_after="0"), Malformed(), BadShape()],
    ids=["overlap", "503", "429", "malformed", "bad-shape"],
)
def test_transient_trouble_gives_the_clean_verdict(
    read: Reader, emulator: Emulator, fault: Fault
) -> None:
    clean = verdict(read())
    emulator.add_fault(HISTORY, fault, times=2)
    assert verdict(read()) == clean


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (TokenLoop(), "pagination token repeated"),
        (Status(500), "HTTP 500"),
        (BadShape(missing="created_at"), "created_at"),
        (Malformed(), "JSON"),
    ],
)
def test_persistent_trouble_makes_histories_unknown(
    read: Reader, emulator: Emulator, fault: Fault, reason: str
) -> None:
    emulator.add_fault(HISTORY, fault, times=None)
    state = read()
    assert all(isinstance(h, Missing) and reason in h.reason for h in state.history.values())
    report = verdict(state)
    assert report.exit_code == 3
    history_rules = {"missed-run", "failed-run", "gap", "stale", "retention-drift"} - {
        "retention-drift"
    }
    assert not [f for f in report.findings if f.rule in history_rules]


def test_a_broken_index_list_leaves_nothing_to_judge(read: Reader, emulator: Emulator) -> None:
    emulator.add_fault("/indexes", BadShape(body={"indexes": [{"nom": "x"}]}), times=None)
    state = read()
    assert isinstance(state.indexes, Missing)
    assert "name" in state.indexes.reason
    assert verdict(state).exit_code == 3


# ----------------------------------------------------------------------------- parsing


def _row(backup_id: str, status: str, created: str) -> dict[str, object]:
    return {
        "backup_id": backup_id,
        "name": f"n-{backup_id}",
        "status": status,
        "created_at": created,
    }


def test_a_row_on_two_pages_keeps_the_later_copy() -> None:
    first = {
        "data": [_row("a", "Initializing", "2026-04-01T06:00:00Z")],
        "pagination": {"next": "t"},
    }
    second = {
        "data": [
            _row("a", "Ready", "2026-04-01T06:00:00Z"),
            _row("b", "Ready", "2026-04-02T06:00:00Z"),
        ]
    }
    runs = parse_history([first, second])
    assert [(r.backup_id, r.status) for r in runs] == [("a", "Ready"), ("b", "Ready")]


def test_mixed_timestamp_spellings_parse_to_the_same_instants() -> None:
    rows = [
        _row("z", "Ready", "2026-04-01T06:00:00Z"),
        _row("o", "Ready", "2026-04-01T06:00:00+00:00"),
        _row("n", "Ready", "2026-04-01T06:00:00.000000000Z"),
        _row("m", "Ready", "2026-04-01T06:00:00.000000+00:00"),
    ]
    assert len({r.created_at for r in parse_history([{"data": rows}])}) == 1


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"schedule_id": "s", "name": "n"}, "frequency"),
        ({"enabled": "yes"}, "enabled"),
        ({"retention_expire_after_days": True}, "retention_expire_after_days"),
        ({"created_at": "2026-04-01"}, "created_at"),
        ({"next_scheduled_run": 7}, "next_scheduled_run"),
    ],
)
def test_a_schedule_row_of_the_wrong_shape_is_refused(row: dict[str, object], problem: str) -> None:
    good = {
        "schedule_id": "s",
        "name": "n",
        "frequency": "daily",
        "retention_expire_after_days": 7,
        "enabled": True,
        "next_scheduled_run": None,
        "created_at": "2026-01-01T00:00:00Z",
    }
    bad = {**good, **row}
    if problem == "frequency":
        del bad["frequency"]
    with pytest.raises(ValueError, match=problem):
        parse_schedules([{"data": [bad]}], "idx")


def test_extra_fields_are_ignored() -> None:
    row = {**_row("a", "Ready", "2026-04-01T06:00:00Z"), "brand_new_field": {"x": 1}}
    assert parse_history([{"data": [row], "pagination": None}])[0].backup_id == "a"
