"""Severities, waivers, budgets and --fail-on (RULES.md, "Severity, waivers and budgets")."""

from __future__ import annotations

from datetime import datetime

import pytest

from checker.model import Location, Waiver
from tests.builders import NOW, ats, check, daily_runs, declaration, findings, schedule, t

LOC = Location("schedules.yaml", 30, 9)
# Missed slots on 04-25, 04-27 and 04-28, and a gap from 04-24 and from 04-26.
RUNS = [
    r
    for r in daily_runs("2026-03-20", "2026-04-30")
    if r.created_at.day not in (25, 27, 28) or r.created_at.month != 4
]


def waiver(
    rule: str = "missed-run",
    *,
    start: str | None = None,
    until: str | None = None,
    expires: str = "2026-06-01",
) -> Waiver:
    return Waiver(
        rule, "INC-1", t(expires), t(start) if start else None, t(until) if until else None, LOC
    )


def _when(value: datetime | None) -> str:
    return f"{value:%m-%d}" if value else "-"


def test_severity_override_and_off() -> None:
    report = check(
        declaration(severity={"missed-run": "warning", "gap": "off"}), schedule(), RUNS, NOW
    )
    assert {f.rule: f.severity for f in report.findings} == {"missed-run": "warning"}
    assert report.exit_code == 0


def test_a_waiver_window_is_half_open_and_marks_without_hiding() -> None:
    decl = declaration(waivers=(waiver(start="2026-04-25T06:00", until="2026-04-27T06:00"),))
    report = check(decl, schedule(), RUNS, NOW)
    waived = {_when(f.at): f.waived for f in findings(report, "missed-run")}
    assert waived == {"04-25": True, "04-27": False, "04-28": False}
    assert findings(report, "missed-run")[0].waiver_reason == "INC-1"


def test_waived_findings_do_not_count_towards_the_exit_code() -> None:
    decl = declaration(waivers=(waiver(), waiver("gap")))
    report = check(decl, schedule(), RUNS, NOW)
    assert all(f.waived for f in report.findings)
    assert report.exit_code == 0
    assert report.summary.waived == len(report.findings) == 5


def test_an_expired_waiver_stops_applying_and_is_reported() -> None:
    decl = declaration(waivers=(waiver(expires="2026-04-30T12:00"),))
    report = check(decl, schedule(), RUNS, NOW)
    assert not any(f.waived for f in report.findings)
    assert ats(report, "waiver-expired") == ["2026-04-30T12:00"]
    assert report.unused_waivers == ()  # expired ones are findings, not unused


def test_a_finding_without_time_matches_only_a_waiver_without_window() -> None:
    sched = schedule(retention_expire_after_days=3)
    bounded = check(
        declaration(waivers=(waiver("retention-drift", start="2026-01-01"),)), sched, RUNS, NOW
    )
    assert not findings(bounded, "retention-drift")[0].waived
    open_ended = check(declaration(waivers=(waiver("retention-drift"),)), sched, RUNS, NOW)
    assert findings(open_ended, "retention-drift")[0].waived


def test_a_live_waiver_that_matched_nothing_is_reported_unused() -> None:
    decl = declaration(waivers=(waiver("stuck-run"), waiver()))
    report = check(decl, schedule(), RUNS, NOW)
    assert [(w.rule, w.reason, w.location) for w in report.unused_waivers] == [
        ("stuck-run", "INC-1", LOC)
    ]


def test_budgets_demote_the_earliest_unwaived_findings() -> None:
    decl = declaration(
        tolerate={"missed-run": 2}, waivers=(waiver(start="2026-04-25", until="2026-04-26"),)
    )
    report = check(decl, schedule(), RUNS, NOW)
    got = [(_when(f.at), f.severity, f.waived) for f in findings(report, "missed-run")]
    assert got == [("04-25", "error", True), ("04-27", "notice", False), ("04-28", "notice", False)]


def test_budgets_also_cover_findings_without_time() -> None:
    sched = schedule(next_scheduled_run=None, created_at=t("2026-04-29T00:00"))
    report = check(declaration(tolerate={"scheduler-stalled": 0, "stale": 1}), sched, [], NOW)
    assert [(f.rule, f.severity) for f in report.findings if f.rule == "stale"] == [
        ("stale", "notice")
    ]


@pytest.mark.parametrize(
    ("fail_on", "severity", "code"),
    [
        ("error", "warning", 0),
        ("warning", "warning", 1),
        ("warning", "notice", 0),
        ("notice", "notice", 1),
        ("never", "error", 0),
    ],
)
def test_fail_on_is_the_lowest_severity_that_fails(fail_on: str, severity: str, code: int) -> None:
    decl = declaration(severity={"missed-run": severity, "gap": "off"})
    report = check(decl, schedule(), RUNS, NOW, fail_on=fail_on)  # type: ignore[arg-type]
    assert report.exit_code == code
    assert report.schedules[0].status == ("fail" if code else "pass")
