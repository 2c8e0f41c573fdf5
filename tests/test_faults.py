"""The fault matrix (issue 6): every kind of API trouble, through the real command line.

Each case runs `backup-drift check schedules.yaml -f json --now ...` in-process against the
emulator serving the example project in pages of `PAGE` rows (so every listing spans several
pages), with one kind of fault injected on one kind of request:

- transient trouble (the fault stops before the client's attempts run out) must give exactly
  the JSON report and exit code of the clean run, with nothing on stderr;
- unrecoverable trouble must exit 3: the schedules that depend on the broken listing are
  `unknown` with a one-line reason, no rule that needs the missing data is guessed for them,
  every other schedule is judged exactly as in the clean run, and stderr holds one line and no
  traceback.

Backoff waits run in virtual time (`tests.hardening.fast_retries`): the retry policy is the
real one, only the sleeping is skipped; the waits the client asked for are recorded, so a
test can see that `Retry-After` was honoured.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.emulator import (
    BadShape,
    Emulator,
    EmulatorState,
    Fault,
    Malformed,
    Overlap,
    Reset,
    Slow,
    Status,
    TokenLoop,
    make_schedule,
)
from tests.emulator.api import PLAN_MESSAGE
from tests.example_project import build_state
from tests.hardening import NOW, SPEC, Outcome, WarpedTime, api_env, fast_retries, invoke

KEY = "pcsk_CANARY_faults_0d9c8b7a6f5e"
PAGE = 10  # rows per page: every history of the example spans several pages
READ_TIMEOUT = 0.25  # seconds; `Slow` faults sleep longer than this
ATTEMPTS = 5  # the client's default attempts per request

_STATE = build_state()
ID = {
    (index, s["name"]): s["schedule_id"] for index, rows in _STATE.schedules.items() for s in rows
}

INDEXES = "/indexes"


def schedules_of(index: str) -> str:
    return f"/indexes/{index}/backup-schedules"


def backups_of(index: str) -> str:
    return f"/indexes/{index}/backups"


def history_of(index: str, name: str) -> str:
    return f"/backup-schedules/{ID[(index, name)]}/history"


ORDERS, PRODUCTS, USERS = (
    ("orders-prod", "nightly"),
    ("products-prod", "nightly"),
    ("users-prod", "weekly"),
)

# What each broken listing still lets run (RULES.md, "Unknown state").
CONFIGURATION = {"frequency-drift", "retention-drift", "enabled-drift", "scheduler-stalled"}
WITHOUT_SCHEDULES = {"waiver-expired"}
WITHOUT_HISTORY = CONFIGURATION | {"waiver-expired"}
HISTORY_RULES = {"missed-run", "failed-run", "stuck-run", "unknown-status", "gap", "stale"}
WITHOUT_BACKUPS = WITHOUT_HISTORY | HISTORY_RULES | {"size-drop"}  # all but retention rules
STILL_RUN = {
    "schedules": WITHOUT_SCHEDULES,
    "history": WITHOUT_HISTORY,
    "backups": WITHOUT_BACKUPS,
}


def _plan_denied() -> Status:
    body = {"error": {"code": "PERMISSION_DENIED", "message": PLAN_MESSAGE}, "status": 403}
    return Status(403, body=body)


def _http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


def _mistyped_row() -> dict[str, Any]:
    return {"backup_id": "b-1", "status": 7, "created_at": "2026-04-01T00:00:00Z"}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def clean() -> Outcome:
    """The clean run's JSON report: what every transient case must reproduce byte for byte."""
    with (
        Emulator(build_state(), api_key=KEY, page_size_cap=PAGE) as emu,
        pytest.MonkeyPatch.context() as patch,
    ):
        fast_retries(patch)
        api_env(patch, emu.url, KEY)
        first = invoke("check", SPEC, "--now", NOW, "-f", "json")
        second = invoke("check", SPEC, "--now", NOW, "-f", "json")
    assert first == second, "the clean run itself is not reproducible"
    assert first.code == 1, first.err
    assert first.err == ""
    return first


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(build_state(), api_key=KEY, page_size_cap=PAGE) as emu:
        yield emu


@pytest.fixture
def warped(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> WarpedTime:
    api_env(monkeypatch, emulator.url, KEY)
    return fast_retries(monkeypatch, read_timeout=READ_TIMEOUT)


def check(*extra: str) -> Outcome:
    return invoke("check", SPEC, "--now", NOW, "-f", "json", *extra)


def count(emulator: Emulator, path: str) -> int:
    return sum(1 for r in emulator.requests if r.path == path)


# --------------------------------------------------------------------------- transient


@dataclass(frozen=True)
class Transient:
    path: str
    fault: Fault | tuple[Fault, ...]
    times: int | None = 2  # None: on every request (for faults a client must absorb)


TRANSIENT = {
    "500-then-ok-history": Transient(history_of(*ORDERS), Status(500)),
    "502-then-ok-schedules": Transient(schedules_of("orders-prod"), Status(502)),
    "503-then-ok-index-list": Transient(INDEXES, Status(503)),
    "503-then-ok-backups": Transient(backups_of("users-prod"), Status(503), times=4),
    "429-no-retry-after": Transient(history_of(*PRODUCTS), Status(429)),
    "429-retry-after-seconds": Transient(schedules_of("users-prod"), Status(429, retry_after="2")),
    "503-retry-after-seconds": Transient(backups_of("orders-prod"), Status(503, retry_after="1")),
    "connection-reset": Transient(history_of(*USERS), Reset()),
    "reset-on-index-list": Transient(INDEXES, Reset(), times=1),
    "slow-beyond-read-timeout": Transient(history_of(*ORDERS), Slow(1.0), times=1),
    "slow-then-503": Transient(backups_of("products-prod"), (Slow(0.05), Status(503))),
    "malformed-json": Transient(history_of(*PRODUCTS), Malformed()),
    "malformed-index-list": Transient(INDEXES, Malformed(), times=1),
    "bad-shape-data-not-a-list": Transient(schedules_of("products-prod"), BadShape()),
    "bad-shape-missing-created-at": Transient(
        history_of(*ORDERS), BadShape(missing="created_at"), times=1
    ),
    "bad-shape-missing-schedule-id": Transient(
        schedules_of("orders-prod"), BadShape(missing="schedule_id"), times=1
    ),
    "bad-shape-mistyped-status": Transient(
        history_of(*USERS), BadShape(body={"data": [_mistyped_row()], "pagination": None})
    ),
    "bad-shape-mistyped-token": Transient(
        backups_of("users-prod"), BadShape(body={"data": [], "pagination": {"next": 5}})
    ),
    "bad-shape-index-without-name": Transient(
        INDEXES, BadShape(body={"indexes": [{"nom": "x", "deployment": {}}]}), times=1
    ),
    "overlapping-pages-history": Transient(history_of(*ORDERS), Overlap(3), times=None),
    "overlapping-pages-schedules": Transient(schedules_of("products-prod"), Overlap(1), times=None),
    "token-points-back-once": Transient(history_of(*PRODUCTS), TokenLoop(), times=1),
}


@pytest.mark.parametrize("case", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_transient_trouble_gives_exactly_the_clean_report(
    clean: Outcome, emulator: Emulator, warped: WarpedTime, case: Transient
) -> None:
    emulator.add_fault(re.escape(case.path), case.fault, times=case.times)
    outcome = check()
    served = [path for path, _ in emulator.served_faults]
    assert served, f"the fault on {case.path} was never served: the case tests nothing"
    if case.times is not None:
        assert len(served) == case.times
    assert outcome.err == ""
    assert outcome.code == clean.code
    assert outcome.out == clean.out


def test_retry_after_in_seconds_is_honoured(
    clean: Outcome, emulator: Emulator, warped: WarpedTime
) -> None:
    emulator.add_fault(INDEXES, Status(429, retry_after="7"), times=2)
    assert check() == clean
    assert warped.sleeps[:2] == [7.0, 7.0]


def test_retry_after_as_an_http_date_is_honoured(
    clean: Outcome, emulator: Emulator, warped: WarpedTime
) -> None:
    emulator.add_fault(INDEXES, Status(429, retry_after=_http_date(60)), times=1)
    assert check() == clean
    # Relative to the answer's own Date header (one-second resolution, and some real time
    # passes before the answer); the wait itself is virtual.
    assert 50.0 <= warped.sleeps[0] <= 60.0, warped.sleeps


def test_without_retry_after_the_backoff_is_jittered_and_grows(
    clean: Outcome, emulator: Emulator, warped: WarpedTime
) -> None:
    emulator.add_fault(INDEXES, Status(503), times=ATTEMPTS - 1)
    assert check() == clean
    assert len(warped.sleeps) == ATTEMPTS - 1
    ceilings = [0.5 * 2**n for n in range(ATTEMPTS - 1)]  # base 0.5 s, doubling
    assert all(0 <= s <= c for s, c in zip(warped.sleeps, ceilings, strict=True))


def test_unexpected_extra_fields_are_ignored(
    clean: Outcome, emulator: Emulator, warped: WarpedTime
) -> None:
    extra = {"x_future_field": {"nested": [1, None, "two"]}, "labels": None}
    state = emulator.state
    for row in state.indexes:
        row.update(extra)
    for rows in (*state.schedules.values(), *state.history.values(), *state.backups.values()):
        for row in rows:
            row.update(extra)
    assert check() == clean


# --------------------------------------------------------------------------- unrecoverable


@dataclass(frozen=True)
class Broken:
    listing: str  # which listing of the affected schedule breaks: schedules, history, backups
    fault: Fault
    affected: tuple[str, str]  # (index, declared name) of the schedule that becomes unknown
    reason: str  # in its error

    @property
    def path(self) -> str:
        index, _ = self.affected
        if self.listing == "history":
            return history_of(*self.affected)
        return schedules_of(index) if self.listing == "schedules" else backups_of(index)


BROKEN = {
    "500-forever-history": Broken(
        "history", Status(500), ORDERS, f"HTTP 500, gave up after {ATTEMPTS} attempts"
    ),
    "503-forever-backups": Broken("backups", Status(503), USERS, "HTTP 503"),
    "502-forever-schedules": Broken("schedules", Status(502), ORDERS, "HTTP 502"),
    "429-forever-history": Broken("history", Status(429, retry_after="1"), PRODUCTS, "HTTP 429"),
    "reset-forever-history": Broken("history", Reset(), PRODUCTS, "connection reset"),
    "slow-forever-history": Broken(
        "history", Slow(1.0), ORDERS, f"read timeout after {READ_TIMEOUT}s"
    ),
    "malformed-forever-history": Broken("history", Malformed(), USERS, "body is not JSON"),
    "bad-shape-forever-schedules": Broken(
        "schedules", BadShape(missing="schedule_id"), ORDERS, "'schedule_id' is missing"
    ),
    "bad-shape-forever-backups": Broken(
        "backups", BadShape(), PRODUCTS, "data` is missing or not a list"
    ),
    "mistyped-forever-history": Broken(
        "history",
        BadShape(body={"data": [_mistyped_row()], "pagination": None}),
        PRODUCTS,
        "'status' is not of type str",
    ),
    "repeating-token-history": Broken("history", TokenLoop(), ORDERS, "pagination token repeated"),
    "403-plan-gated-schedules": Broken(
        "schedules", _plan_denied(), USERS, "plan does not include scheduled backups"
    ),
    "403-plan-gated-history": Broken(
        "history", _plan_denied(), ORDERS, "permission denied (HTTP 403)"
    ),
    "403-other-code": Broken(
        "backups",
        Status(403, body={"error": {"code": "FORBIDDEN", "message": "no"}, "status": 403}),
        ORDERS,
        'HTTP 403; the API says: "no"',
    ),
    "404-index-deleted-schedules": Broken(
        "schedules",
        Status(
            404, body={"error": {"code": "NOT_FOUND", "message": "Index users-prod not found."}}
        ),
        USERS,
        "not found (HTTP 404)",
    ),
    "404-index-deleted-backups": Broken("backups", Status(404), ORDERS, "not found (HTTP 404)"),
    "404-schedule-deleted-history": Broken(
        "history", Status(404), PRODUCTS, "not found (HTTP 404)"
    ),
    "400-history": Broken("history", Status(400), USERS, "HTTP 400"),
}


def _rows(report: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(s["index"], s["name"]): s for s in report["schedules"]}


def _findings_of(report: dict[str, Any], index: str, name: str | None = None) -> list[Any]:
    return [
        f
        for f in report["findings"]
        if f["index"] == index and (name is None or f["schedule"] == name)
    ]


def _assert_one_stderr_line(outcome: Outcome, unknown: int) -> None:
    lines = outcome.err.splitlines()
    assert len(lines) == 1, outcome.err
    noun = "schedule" if unknown == 1 else "schedules"
    assert lines[0].startswith(f"backup-drift: could not check {unknown} {noun}: ")
    assert "Traceback" not in outcome.err


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_unrecoverable_trouble_makes_only_the_affected_schedule_unknown(
    clean: Outcome, emulator: Emulator, warped: WarpedTime, case: Broken
) -> None:
    emulator.add_fault(re.escape(case.path), case.fault, times=None)
    outcome = check()
    report, before = outcome.report(), clean.report()
    assert emulator.served_faults, f"the fault on {case.path} was never served"
    assert outcome.code == 3 == report["exit_code"]
    _assert_one_stderr_line(outcome, 1)
    rows, clean_rows = _rows(report), _rows(before)
    assert rows.keys() == clean_rows.keys()
    for key, row in rows.items():
        if key != case.affected:
            assert row == clean_rows[key], f"{key} was judged differently"
            continue
        assert row["status"] == "unknown"
        assert case.reason in row["error"]
        assert "\n" not in row["error"]
        history_read = case.listing == "backups"
        assert row["last_success"] == (clean_rows[key]["last_success"] if history_read else None)
    index, name = case.affected
    still_run = STILL_RUN[case.listing]
    mine = _findings_of(report, index, name)
    assert mine == [f for f in _findings_of(before, index, name) if f["rule"] in still_run], (
        "a rule guessed at missing data, or one that needs none did not run"
    )
    others = [f for f in report["findings"] if f["index"] != index]
    assert others == [f for f in before["findings"] if f["index"] != index]


def test_a_broken_index_list_makes_everything_unknown(
    clean: Outcome, emulator: Emulator, warped: WarpedTime
) -> None:
    emulator.add_fault(INDEXES, Status(500), times=None)
    outcome = check()
    report = outcome.report()
    assert outcome.code == 3
    assert count(emulator, INDEXES) == ATTEMPTS
    assert len(emulator.requests) == ATTEMPTS  # nothing else can be read without it
    assert {s["status"] for s in report["schedules"]} == {"unknown"}
    assert {f["rule"] for f in report["findings"]} <= WITHOUT_SCHEDULES
    assert all("GET /indexes: HTTP 500" in s["error"] for s in report["schedules"])
    _assert_one_stderr_line(outcome, len(report["schedules"]))


@pytest.mark.parametrize("path", [INDEXES, history_of(*ORDERS)], ids=["index-list", "history"])
def test_a_rejected_key_stops_the_run_and_every_schedule_is_unknown(
    clean: Outcome, emulator: Emulator, warped: WarpedTime, path: str
) -> None:
    emulator.add_fault(re.escape(path), Status(401), times=None)
    outcome = check()
    report = outcome.report()
    assert outcome.code == 3
    assert count(emulator, path) == 1  # a 401 is never retried
    assert {s["status"] for s in report["schedules"]} == {"unknown"}
    assert all(
        "the API key in $PINECONE_API_KEY was rejected (HTTP 401)" in s["error"]
        for s in report["schedules"]
    )
    assert {f["rule"] for f in report["findings"]} <= WITHOUT_SCHEDULES
    assert KEY not in outcome.out + outcome.err
    _assert_one_stderr_line(outcome, len(report["schedules"]))


def test_a_plan_without_scheduled_backups_makes_every_declared_schedule_unknown(
    clean: Outcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = EmulatorState(**{**build_state().__dict__, "plan_allows_backups": False})
    with Emulator(gated, api_key=KEY, page_size_cap=PAGE) as emu:
        api_env(monkeypatch, emu.url, KEY)
        fast_retries(monkeypatch)
        outcome = check()
    report = outcome.report()
    assert outcome.code == 3
    errors = [s["error"] for s in report["schedules"]]
    assert all("plan does not include scheduled backups" in e for e in errors), errors
    assert "Traceback" not in outcome.err


def test_the_deadline_ends_a_hung_read_as_unknown(
    clean: Outcome, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_env(monkeypatch, emulator.url, KEY)
    fast_retries(monkeypatch)  # the default 30 s read timeout: only --timeout can end this
    emulator.add_fault(re.escape(history_of(*USERS)), Slow(30), times=None)
    started = time.monotonic()
    outcome = check("--timeout", "1")
    assert time.monotonic() - started < 10
    report = outcome.report()
    assert outcome.code == 3
    row = _rows(report)[USERS]
    assert row["status"] == "unknown"
    assert "1s deadline" in row["error"], row["error"]
    assert {f["rule"] for f in _findings_of(report, *USERS)} <= WITHOUT_HISTORY


# --------------------------------------------------------------------------- scale


def test_thousands_of_schedules_are_paged_and_only_declared_histories_are_read(
    clean: Outcome, emulator: Emulator, warped: WarpedTime
) -> None:
    extra = [make_schedule("products-prod", f"team-{n:04d}") for n in range(3000)]
    emulator.state.schedules["products-prod"].extend(extra)
    emulator.page_size_cap = 100
    outcome = check()
    report, before = outcome.report(), clean.report()
    pages = count(emulator, schedules_of("products-prod"))
    assert pages == 31  # 3002 rows in pages of 100: 31 pages, the last one short
    histories = {r.path for r in emulator.requests if r.path.endswith("/history")}
    assert histories == {history_of(*ORDERS), history_of(*PRODUCTS), history_of(*USERS)}
    assert outcome.code == clean.code
    assert report["schedules"] == before["schedules"]
    new = [f for f in report["findings"] if f not in before["findings"]]
    assert len(new) == 3000
    assert {(f["rule"], f["index"]) for f in new} == {("schedule-unmanaged", "products-prod")}
    assert {f["schedule"] for f in new} == {s["name"] for s in extra}
