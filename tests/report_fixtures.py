"""Hand-built `Report` values that every report format is tested against.

Each covers what a renderer must handle: `basic` a realistic mixed run (pass, fail, unknown,
an unreadable index, waived and fleet-level findings, `at` null, sub-second times), `clean`
a passing run, `empty` a run with nothing in it, and `hostile` one whose every API- or
spec-sourced string tries to break out of its format (terminal escapes, forged lines, GitHub
workflow commands, Markdown/HTML/XML metacharacters, NUL, lone surrogates, huge values).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from checker.model import (
    CoverageSummary,
    Finding,
    Location,
    Report,
    ScheduleResult,
    UnusedWaiver,
)

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
SPEC = "schedules.yaml"

PRODUCTS_ID = "c688ed12-5a39-4254-9518-bd394b7f4886"
ORDERS_ID = "5b0f3e2a-1d7c-4e8b-9a61-0c2f7d9e4b13"
USERS_ID = "9d1c4a7e-6b2f-4c3d-8e5a-7f0b1c2d3e4f"
ADHOC_ID = "0f6a2b9c-3d4e-4f5a-8b6c-9d0e1f2a3b4c"


def at(day: int, hour: int = 6, second: int = 0, microsecond: int = 0) -> datetime:
    """An instant in April 2026, UTC: the fixtures' month."""
    return datetime(2026, 4, day, hour, 0, second, microsecond, tzinfo=UTC)


def loc(line: int, column: int = 5) -> Location:
    return Location(SPEC, line, column)


def report(
    schedules: Iterable[ScheduleResult],
    findings: Iterable[Finding],
    *,
    exit_code: int,
    spec: str = SPEC,
    coverage: CoverageSummary | None = None,
    unused_waivers: Iterable[UnusedWaiver] = (),
) -> Report:
    """A Report whose findings are sorted, as `evaluate` promises."""
    ordered = tuple(sorted(findings, key=lambda f: f.sort_key))
    return Report(
        NOW, spec, "error", exit_code, tuple(schedules), ordered, coverage, tuple(unused_waivers)
    )


def basic() -> Report:
    """A typical bad morning: one pass, one fail, one unreadable history, one unreadable index."""
    schedules = [
        ScheduleResult(
            "products-prod", "nightly", PRODUCTS_ID, "pass", at(30, 6, 3, 123456), None, loc(12)
        ),
        ScheduleResult("orders-prod", "nightly", ORDERS_ID, "fail", at(26), None, loc(20)),
        ScheduleResult(
            "users-prod",
            "weekly",
            USERS_ID,
            "unknown",
            None,
            f"history of schedule {USERS_ID} could not be read: HTTP 503 after 4 attempts",
            loc(34),
        ),
        ScheduleResult(
            "search-prod",
            None,
            None,
            "unknown",
            None,
            "schedules of index search-prod could not be listed: 403 PERMISSION_DENIED "
            "(the project's plan may not include scheduled backups)",
        ),
    ]
    coverage = CoverageSummary(
        ("billing-prod", "orders-prod", "products-prod", "search-prod", "users-prod"),
        ("orders-prod", "products-prod", "users-prod"),
    )
    unused = UnusedWaiver(
        "products-prod", "nightly", "stale", "CHG-118 index migration", loc(16, 9)
    )
    return report(
        schedules, _basic_findings(), exit_code=3, coverage=coverage, unused_waivers=[unused]
    )


def _orders(rule: str, severity: str, when: datetime | None, message: str, **kw: object) -> Finding:
    """A finding of the declared orders-prod/nightly schedule."""
    return Finding(rule, severity, "orders-prod", "nightly", ORDERS_ID, when, message, **kw)  # type: ignore[arg-type]


def _basic_findings() -> list[Finding]:
    return [
        _orders(
            "missed-run",
            "error",
            at(27),
            "no backup ran for the slot planned at 2026-04-27T06:00:00Z",
            details={"slot": at(27)},
        ),
        _orders(
            "failed-run",
            "error",
            at(28),
            "run orders-prod-nightly-20260428T060000Z ended InitializationFailed",
            details={"backup_id": "bk-7731", "status": "InitializationFailed"},
        ),
        _orders(
            "gap",
            "warning",
            at(22),
            "2d between Ready backups 2026-04-22T06:00:00Z and 2026-04-24T06:00:00Z (limit 26h)",
            details={"from": at(22), "to": at(24), "limit_seconds": 93600},
        ),
        _orders(
            "missed-run",
            "error",
            at(21),
            "no backup ran for the slot planned at 2026-04-21T06:00:00Z",
            waived=True,
            waiver_reason="INC-4521 us-east-1 outage",
            location=loc(27, 9),
        ),
        _orders(
            "size-drop",
            "notice",
            at(26),
            "record_count 1200 is 60% below the previous Ready backup's 3000 (limit 50%)",
            details={"record_count": 1200, "previous": 3000, "ratio": 0.4},
        ),
        _orders(
            "retention-drift",
            "error",
            None,
            "retention_expire_after_days is 3, declared 7",
            location=loc(24, 26),
            details={"actual": 3, "declared": 7},
        ),
        Finding(
            "waiver-expired",
            "warning",
            "users-prod",
            "weekly",
            USERS_ID,
            at(15, 0),
            "waiver for missed-run expired on 2026-04-15T00:00:00Z (INC-4100)",
            location=loc(41, 11),
            details={"waived_rule": "missed-run", "reason": "INC-4100"},
        ),
        Finding(
            "schedule-unmanaged",
            "warning",
            "products-prod",
            "adhoc-weekly",
            ADHOC_ID,
            None,
            "schedule adhoc-weekly on products-prod matches no declaration",
        ),
        Finding(
            "index-uncovered",
            "error",
            "billing-prod",
            None,
            None,
            None,
            "index billing-prod matches coverage glob '*-prod' but no schedule is declared for it",
            location=loc(6, 14),
            details={"glob": "*-prod"},
        ),
    ]


def clean() -> Report:
    """All schedules pass; the clock in `now` has an offset that must print as UTC."""
    schedules = [
        ScheduleResult("products-prod", "nightly", PRODUCTS_ID, "pass", at(30), None, loc(12)),
        ScheduleResult(
            "orders-prod",
            "weekly",
            ORDERS_ID,
            "pass",
            datetime(2026, 4, 26, 8, 0, tzinfo=timezone(timedelta(hours=2))),
            None,
            loc(20),
        ),
    ]
    return report(schedules, [], exit_code=0)


def empty() -> Report:
    """Coverage matched no index: nothing to report, and that must still read clearly."""
    return report([], [], exit_code=0)


HOSTILE_ESC = "\x1b[31mFAKE PASS\x1b[0m"
HOSTILE_LONG = "A" * 4990 + "TAIL-MARK"
HOSTILE_NAME = "nightly\n::set-output name=x::y\r\nPASS"
HOSTILE_MESSAGE = (
    "line1\nline2 %0A::error::pwned | a | b | <script>alert(1)</script> ]]> "
    "nul\x00 del\x7f c1\x9b bell\x07 tab\t bidi\u202eevil\u202c ls\u2028ps\u2029 "
    "zw\u200bsp lone\ud800 ok-é-日本"
)
HOSTILE_INDEX = HOSTILE_ESC + "../../etc/passwd"


def hostile() -> Report:
    """Every string the API or spec controls, set to something that attacks some format."""
    schedules = [
        ScheduleResult(HOSTILE_INDEX, HOSTILE_NAME, "../../etc/passwd", "fail", at(1), None),
        ScheduleResult("x\x1b]0;pwned\x07", "<b>|", "]]>", "unknown", None, HOSTILE_LONG),
    ]
    findings = [
        Finding(
            "failed-run",
            "error",
            HOSTILE_INDEX,
            HOSTILE_NAME,
            "../../etc/passwd",
            at(2),
            HOSTILE_MESSAGE,
            details=_hostile_details(),
        ),
        Finding(
            "missed-run",
            "error",
            HOSTILE_INDEX,
            HOSTILE_NAME,
            "../../etc/passwd",
            at(3),
            "waived\r\x1b[2K",
            waived=True,
            waiver_reason="reason\n::warning::x\x1b[8m%0D%0A",
            location=Location("../../etc/passwd\n\x1b[1m", 1, 1),
        ),
        Finding("index-uncovered", "error", "idx\x1b[2J", None, None, None, HOSTILE_LONG),
    ]
    coverage = CoverageSummary((HOSTILE_ESC, "ok"), ("ok",))
    unused = UnusedWaiver(HOSTILE_ESC, "::warning::x", "gap", "a\nb|<b>", loc(3))
    return report(
        schedules,
        findings,
        exit_code=3,
        spec="spec\x1b]0;title\x07\n.yaml",
        coverage=coverage,
        unused_waivers=[unused],
    )


def _hostile_details() -> Mapping[str, object]:
    return {
        "key\n\x1b[31m": "value\x1b[0m\r",
        "when": at(2, 6, 0, 999999),
        "nested": {"list": [at(1), 1, None, True, 2.5], "set": frozenset({"b", "a"})},
        "inf": float("inf"),
        "long": HOSTILE_LONG,
    }


FIXTURES: Mapping[str, Callable[[], Report]] = {
    "basic": basic,
    "clean": clean,
    "empty": empty,
    "hostile": hostile,
}


GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/<name>, or rewrite it when UPDATE_GOLDEN=1 (then review it)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest and review it"
    assert actual == path.read_bytes().decode("utf-8")
