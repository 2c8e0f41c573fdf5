"""Every rule of RULES.md with a passing and a failing case, judged through `evaluate`.

The standard scene: a daily schedule planned at 06:00, created on 1 January, judged at
2026-04-30T12:00Z with the default 30-day lookback (window from 2026-03-31T12:00Z).
"""

from __future__ import annotations

from datetime import timedelta

from checker.evaluate import evaluate
from checker.model import Coverage, Index, Location, Missing, ProjectState, Retention, Waiver
from tests.builders import (
    INDEX,
    NOW,
    ats,
    check,
    daily_runs,
    declaration,
    findings,
    run,
    schedule,
    spec,
    state,
    t,
)

PERFECT = daily_runs("2026-03-20", "2026-04-30")
UPCOMING = run("2026-05-01T06:00", "Scheduled", scheduled_execution_at=t("2026-05-01T06:00"))


def without(runs: list, *days: str) -> list:  # type: ignore[type-arg]
    return [r for r in runs if f"{r.created_at:%Y-%m-%d}" not in days]


def with_status(runs: list, day: str, status: str) -> list:  # type: ignore[type-arg]
    return [run(r.created_at, status) if f"{r.created_at:%Y-%m-%d}" == day else r for r in runs]


# ----------------------------------------------------------------------------- clean history


def test_a_perfect_history_passes_with_no_finding() -> None:
    report = check(declaration(), schedule(), [*PERFECT, UPCOMING], NOW)
    assert report.findings == ()
    assert [s.status for s in report.schedules] == ["pass"]
    assert report.schedules[0].last_success == t("2026-04-30T06:00")
    assert report.exit_code == 0


# ----------------------------------------------------------------------------- missed-run


def test_missed_run_reports_the_slot() -> None:
    report = check(declaration(), schedule(), without(PERFECT, "2026-04-27"), NOW)
    assert ats(report, "missed-run") == ["2026-04-27T06:00"]
    assert report.exit_code == 1
    assert report.schedules[0].status == "fail"


def test_missed_run_ignores_slots_before_the_lookback_window() -> None:
    runs = without(PERFECT, "2026-03-31", "2026-04-01")  # window starts 2026-03-31T12:00
    assert ats(check(declaration(), schedule(), runs, NOW), "missed-run") == ["2026-04-01T06:00"]


def test_a_schedule_reenabled_at_another_time_of_day_is_followed() -> None:
    before = daily_runs("2026-03-25", "2026-04-20")
    after = daily_runs("2026-04-25", "2026-04-29", hour=14)
    sched = schedule(next_scheduled_run=t("2026-04-30T14:00"))
    report = check(declaration(), sched, before + after, NOW)
    assert ats(report, "missed-run") == [f"2026-04-{d}T14:00" for d in (21, 22, 23, 24)]
    assert ats(report, "gap") == ["2026-04-20T06:00"]


def test_a_schedule_paused_while_declared_enabled_misses_its_slots() -> None:
    sched = schedule(enabled=False, next_scheduled_run=None)
    report = check(declaration(), sched, daily_runs("2026-03-20", "2026-04-27"), NOW)
    assert ats(report, "missed-run") == [f"2026-04-{d}T06:00" for d in (28, 29, 30)]
    assert [f.rule for f in findings(report)].count("enabled-drift") == 1
    assert ats(report, "stale") == ["2026-04-27T06:00"]


def test_weekly_schedule_misses_one_week() -> None:
    mondays = [run(f"2026-{md}T06:00") for md in ("03-23", "03-30", "04-06", "04-20", "04-27")]
    sched = schedule(frequency="weekly", next_scheduled_run=t("2026-05-04T06:00"))
    report = check(declaration(frequency="weekly"), sched, mondays, NOW)
    assert ats(report, "missed-run") == ["2026-04-13T06:00"]
    assert ats(report, "gap") == ["2026-04-06T06:00"]


def test_monthly_schedule_on_the_31st_clamps_and_misses_march() -> None:
    runs = [run(f"2026-{md}T06:00") for md in ("01-31", "02-28", "04-30")]
    sched = schedule(frequency="monthly", next_scheduled_run=t("2026-05-31T06:00"))
    decl = declaration(frequency="monthly", lookback=timedelta(days=150))
    report = check(decl, sched, runs, "2026-05-15T00:00")
    assert ats(report, "missed-run") == ["2026-03-31T06:00"]
    assert ats(report, "gap") == ["2026-02-28T06:00"]


def test_frequency_is_judged_as_declared_not_as_actual() -> None:
    mondays = [run(f"2026-04-{d:02d}T06:00") for d in (6, 13, 20, 27)]
    sched = schedule(frequency="weekly", next_scheduled_run=t("2026-05-04T06:00"))
    report = check(declaration(lookback=timedelta(days=7)), sched, mondays, NOW)
    assert [f.rule for f in findings(report, "frequency-drift")] == ["frequency-drift"]
    assert len(findings(report, "missed-run")) == 6


# ----------------------------------------------------------------------------- run rules


def test_failed_run_fills_its_slot_and_is_reported_itself() -> None:
    report = check(declaration(), schedule(), with_status(PERFECT, "2026-04-28", "Failed"), NOW)
    assert ats(report, "failed-run") == ["2026-04-28T06:00"]
    assert ats(report, "missed-run") == []
    assert ats(report, "gap") == ["2026-04-27T06:00"]


def test_failed_run_outside_the_window_is_not_judged() -> None:
    runs = with_status(PERFECT, "2026-03-30", "InitializationFailed")
    assert ats(check(declaration(), schedule(), runs, NOW), "failed-run") == []


def test_stuck_run_fires_only_after_max_run_duration() -> None:
    runs = with_status(PERFECT, "2026-04-30", "Initializing")
    assert ats(check(declaration(), schedule(), runs, "2026-04-30T12:00"), "stuck-run") == []
    assert ats(check(declaration(), schedule(), runs, "2026-04-30T12:01"), "stuck-run") == [
        "2026-04-30T06:00"
    ]


def test_the_next_planned_run_shown_ahead_is_not_a_problem() -> None:
    undated = run("2026-04-30T06:00:01", "Initializing", name=None, backup_id="upcoming")
    for upcoming in (UPCOMING, undated):
        report = check(declaration(), schedule(), [*PERFECT, upcoming], "2026-04-30T23:00")
        assert report.findings == (), upcoming


def test_unknown_status_is_a_warning_and_never_a_success() -> None:
    runs = with_status(PERFECT, "2026-04-30", "Quarantined")
    report = check(declaration(), schedule(), runs, NOW)
    assert [(f.rule, f.severity) for f in findings(report)] == [("unknown-status", "warning")]
    assert report.schedules[0].last_success == t("2026-04-29T06:00")
    assert report.exit_code == 0
    assert check(declaration(), schedule(), runs, NOW, fail_on="warning").exit_code == 1


# ----------------------------------------------------------------------------- gap / stale


def test_gap_uses_max_gap_when_declared() -> None:
    runs = [run("2026-04-29T06:00"), run("2026-04-30T07:30")]  # 25h30 apart
    sched = schedule(created_at=t("2026-04-29T00:00"))
    assert ats(check(declaration(), sched, runs, NOW), "gap") == []  # default: a day + 2h grace
    assert ats(check(declaration(max_gap=timedelta(hours=25)), sched, runs, NOW), "gap") == [
        "2026-04-29T06:00"
    ]


def test_gap_may_start_before_the_window_but_must_end_in_it() -> None:
    runs = [run("2026-03-25T06:00"), *daily_runs("2026-04-02", "2026-04-30")]
    report = check(declaration(), schedule(), runs, NOW)
    assert ats(report, "gap") == ["2026-03-25T06:00"]


def test_stale_by_default_allows_one_period_grace_and_run_duration() -> None:
    runs = daily_runs("2026-04-01", "2026-04-29")
    sched = schedule(next_scheduled_run=t("2026-04-30T06:00"))
    assert ats(check(declaration(), sched, runs, "2026-04-30T14:00"), "stale") == []
    assert ats(check(declaration(), sched, runs, "2026-04-30T14:01"), "stale") == [
        "2026-04-29T06:00"
    ]


def test_stale_with_max_age() -> None:
    runs = daily_runs("2026-04-01", "2026-04-29")
    decl = declaration(max_age=timedelta(hours=30))
    assert ats(check(decl, schedule(), runs, "2026-04-30T12:00"), "stale") == []
    assert ats(check(decl, schedule(), runs, "2026-04-30T12:01"), "stale") == ["2026-04-29T06:00"]


def test_stale_without_any_good_backup() -> None:
    sched = schedule(created_at=t("2026-04-29T00:00"))
    assert ats(check(declaration(), sched, [], "2026-04-30T08:00"), "stale") == []
    assert ats(check(declaration(), sched, [], "2026-04-30T08:01"), "stale") == ["-"]


def test_scheduler_stalled() -> None:
    past = schedule(next_scheduled_run=t("2026-04-27T06:00"))
    assert ats(check(declaration(), past, PERFECT, NOW), "scheduler-stalled") == [
        "2026-04-27T06:00"
    ]
    none = schedule(next_scheduled_run=None)
    assert ats(check(declaration(), none, PERFECT, NOW), "scheduler-stalled") == ["-"]
    paused = schedule(next_scheduled_run=None, enabled=False)
    assert ats(check(declaration(), paused, PERFECT, NOW), "scheduler-stalled") == []
    assert ats(check(declaration(), schedule(), PERFECT, NOW), "scheduler-stalled") == []


def test_size_drop_compares_records_then_bytes() -> None:
    base = [run("2026-04-28T06:00", record_count=1000, size_bytes=10)]
    ok = [*base, run("2026-04-29T06:00", record_count=500, size_bytes=1)]
    bad = [*base, run("2026-04-29T06:00", record_count=499)]
    by_bytes = [*base, run("2026-04-29T06:00", size_bytes=4)]
    sched = schedule(created_at=t("2026-04-28T00:00"))
    for runs, expected in ((ok, []), (bad, ["2026-04-29T06:00"]), (by_bytes, ["2026-04-29T06:00"])):
        assert ats(check(declaration(), sched, runs, NOW), "size-drop") == expected


# ----------------------------------------------------------------------------- retention


def test_retention_short_counts_existing_ready_backups() -> None:
    decl = declaration(retention=Retention(7, min_ready=5, restore_window=timedelta(days=6)))
    runs = daily_runs("2026-04-23", "2026-04-30")
    assert findings(check(decl, schedule(), runs, NOW), "retention-short") == []
    few = check(decl, schedule(), runs, NOW, backups=[r.backup_id for r in runs[-2:]])
    [finding] = findings(few, "retention-short")
    assert len(finding.details["failed"]) == 2  # type: ignore[arg-type]


def test_retention_overdue_flags_backups_kept_too_long() -> None:
    runs = daily_runs("2026-04-20", "2026-04-30")
    everything = [r.backup_id for r in runs]
    report = check(
        declaration(lookback=timedelta(days=5)), schedule(), runs, NOW, backups=everything
    )
    # limit: now - 7 days - 2h grace = 2026-04-23T10:00
    assert ats(report, "retention-overdue") == [f"2026-04-{d}T06:00" for d in (20, 21, 22, 23)]


# ----------------------------------------------------------------------------- configuration


def test_index_missing() -> None:
    report = check(declaration(index="other"), None, [], NOW)
    assert [(f.rule, f.index, f.at) for f in findings(report)] == [("index-missing", "other", None)]
    assert report.schedules[0].status == "fail"


def test_schedule_missing_and_no_history_rule_runs() -> None:
    report = check(declaration(name="weekly"), schedule(), [], NOW)
    assert sorted(f.rule for f in findings(report)) == ["schedule-missing", "schedule-unmanaged"]


def test_schedule_ambiguous_and_its_schedules_are_not_unmanaged() -> None:
    twins = [schedule(), schedule(schedule_id="second")]
    report = evaluate(spec(declaration()), state(twins, PERFECT), t(NOW))
    assert [f.rule for f in report.findings] == ["schedule-ambiguous"]


def test_a_declaration_pinned_by_id_matches_by_id_alone() -> None:
    decl = declaration(name="old-name", id=schedule().schedule_id)
    report = check(decl, schedule(name="renamed"), [*PERFECT, UPCOMING], NOW)
    assert report.findings == ()
    only_id = check(declaration(name=None, id=schedule().schedule_id), schedule(), PERFECT, NOW)
    assert only_id.schedules[0].name == "nightly"


def test_configuration_drift_rules() -> None:
    sched = schedule(frequency="weekly", retention_expire_after_days=3, enabled=False)
    report = check(declaration(), sched, PERFECT, NOW)
    drift = {f.rule: f.details for f in findings(report) if f.rule.endswith("-drift")}
    assert drift == {
        "frequency-drift": {"actual": "weekly", "declared": "daily"},
        "retention-drift": {"actual": 3, "declared": 7},
        "enabled-drift": {"actual": False, "declared": True},
    }


def test_a_declared_disabled_schedule_is_checked_for_configuration_only() -> None:
    sched = schedule(enabled=False, next_scheduled_run=None)
    report = check(declaration(enabled=False), sched, Missing("history exploded"), NOW)
    assert report.findings == ()
    assert report.schedules[0].status == "pass"


def test_unmanaged_schedules_on_declared_and_covered_indexes() -> None:
    extra = schedule(schedule_id="x1", name="adhoc")
    project = state([schedule(), extra], [*PERFECT, UPCOMING], backups=[])
    report = evaluate(spec(declaration()), project, t(NOW))
    assert [(f.rule, f.schedule, f.severity) for f in report.findings] == [
        ("schedule-unmanaged", "adhoc", "warning")
    ]


def test_index_uncovered_ignores_pod_indexes() -> None:
    coverage = Coverage(("prod-*", INDEX), "error", Location("schedules.yaml", 3, 1))
    indexes = {
        INDEX: Index(INDEX, True),
        "prod-a": Index("prod-a", True),
        "prod-pod": Index("prod-pod", False),
    }
    project = ProjectState(
        indexes,
        {INDEX: (schedule(),), "prod-a": ()},
        {schedule().schedule_id: tuple(PERFECT)},
        {INDEX: frozenset()},
    )
    report = evaluate(spec(declaration(), coverage=coverage), project, t(NOW))
    assert [
        (f.rule, f.index, f.schedule) for f in report.findings if f.rule == "index-uncovered"
    ] == [("index-uncovered", "prod-a", None)]


# ----------------------------------------------------------------------------- unknown data


def test_unreadable_history_is_unknown_but_configuration_is_still_judged() -> None:
    sched = schedule(frequency="weekly", next_scheduled_run=t("2026-04-01T06:00"))
    report = check(declaration(), sched, Missing("GET /x: HTTP 503 after 5 attempts"), NOW)
    assert sorted(f.rule for f in report.findings) == ["frequency-drift", "scheduler-stalled"]
    assert report.schedules[0].status == "unknown"
    assert report.schedules[0].error == "GET /x: HTTP 503 after 5 attempts"
    assert report.exit_code == 3


def test_unreadable_backup_list_skips_only_retention_rules() -> None:
    decl = declaration(retention=Retention(7, min_ready=50))
    report = check(decl, schedule(), without(PERFECT, "2026-04-27"), NOW, backups=Missing("nope"))
    assert [f.rule for f in report.findings] == ["gap", "missed-run"]
    assert report.schedules[0].status == "unknown"
    assert report.exit_code == 3


def test_unreadable_schedule_list_leaves_only_waiver_expired() -> None:
    waiver = Waiver("gap", "old", t("2026-01-01"), None, None, Location("schedules.yaml", 20, 9))
    decl = declaration(waivers=(waiver,))
    report = check(decl, schedule(), PERFECT, NOW, schedule_list=Missing("listing failed"))
    assert [f.rule for f in report.findings] == ["waiver-expired"]
    assert report.findings[0].location == waiver.location
    assert report.exit_code == 3


def test_unreadable_index_list_makes_every_declaration_unknown() -> None:
    report = check(declaration(), schedule(), PERFECT, NOW, indexes=Missing("key rejected"))
    assert report.findings == ()
    assert [(s.status, s.error) for s in report.schedules] == [("unknown", "key rejected")]
    assert report.exit_code == 3


def test_unknown_beats_findings_in_the_exit_code() -> None:
    broken = declaration(name="broken")
    project = state(
        [schedule(), schedule(schedule_id="b", name="broken")], without(PERFECT, "2026-04-27")
    )
    project.history["b"] = Missing("boom")  # type: ignore[index]
    report = evaluate(spec(declaration(), broken), project, t(NOW))
    assert {s.name: s.status for s in report.schedules} == {"nightly": "fail", "broken": "unknown"}
    assert report.exit_code == 3
