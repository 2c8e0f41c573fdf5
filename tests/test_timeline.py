"""The slot walk and planned times of RULES.md, case by case."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

import pytest

from checker.timeline import build_timeline, planned_runs
from checker.timeutil import Cadence, is_last_day_of_month, parse_api_time, time_from_run_name
from tests.builders import NOW, declaration, run, schedule, t

# ----------------------------------------------------------------------------- time parsing


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-03T06:00:00Z",
        "2026-04-03T06:00:00+00:00",
        "2026-04-03T06:00:00.000000+00:00",
        "2026-04-03T06:00:00.000000999Z",
        "2026-04-03T08:00:00+02:00",
    ],
)
def test_api_times_in_every_spelling_mean_the_same_instant(text: str) -> None:
    assert parse_api_time(text) == t("2026-04-03T06:00")


def test_digits_beyond_microseconds_are_dropped_not_rounded() -> None:
    assert parse_api_time("2026-04-03T06:00:00.999999999Z").microsecond == 999999


@pytest.mark.parametrize("text", ["2026-04-03", "2026-04-03T06:00:00", "yesterday"])
def test_api_times_without_offset_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_api_time(text)


def test_run_name_suffix_gives_the_planned_time() -> None:
    assert time_from_run_name("nightly-20260403T060000Z") == t("2026-04-03T06:00")
    assert time_from_run_name("nightly-20260231T060000Z") is None  # no such day
    assert time_from_run_name("nightly") is None


# ----------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("start", "anchor_day", "forward", "back"),
    [
        ("2026-01-31T06:00", 31, "2026-02-28T06:00", "2025-12-31T06:00"),
        ("2026-04-30T06:00", 31, "2026-05-31T06:00", "2026-03-31T06:00"),
        ("2026-02-28T06:00", 31, "2026-03-31T06:00", "2026-01-31T06:00"),
        ("2026-04-25T06:00", 31, "2026-05-25T06:00", "2026-03-25T06:00"),
        ("2026-02-28T06:00", 0, "2026-03-28T06:00", "2026-01-28T06:00"),
    ],
)
def test_monthly_steps_clamp_and_return_to_the_anchor_day(
    start: str, anchor_day: int, forward: str, back: str
) -> None:
    cadence = Cadence("monthly", anchor_day)
    assert cadence.step_forward(t(start)) == t(forward)
    assert cadence.step_back(t(start)) == t(back)


def test_daily_and_weekly_steps_keep_the_time_of_day() -> None:
    assert Cadence("daily").step_back(t("2026-03-01T06:00")) == t("2026-02-28T06:00")
    assert Cadence("weekly").step_forward(t("2026-04-27T06:00")) == t("2026-05-04T06:00")


# ----------------------------------------------------------------------------- planned time


def test_planned_time_prefers_scheduled_execution_at_then_name_then_created_at() -> None:
    rows = [
        run("2026-04-28T06:00", scheduled_execution_at=t("2026-04-28T07:00")),
        run("2026-04-29T06:00", created_at=t("2026-04-29T06:03")),
        run("2026-04-27T06:05", name=None),
    ]
    got = [p.planned for p in planned_runs(rows, schedule(next_scheduled_run=None))]
    assert got == [t("2026-04-27T06:05"), t("2026-04-28T07:00"), t("2026-04-29T06:00")]


def test_the_undated_next_run_takes_next_scheduled_run() -> None:
    upcoming = run("2026-04-30T06:00:01", "Initializing", name=None, backup_id="next")
    sched = schedule(next_scheduled_run=t("2026-05-01T06:00"))
    dated = planned_runs([run("2026-04-30T06:00"), upcoming], sched)
    assert {p.backup_id: p.planned for p in dated}["next"] == t("2026-05-01T06:00")


def test_only_the_newest_pending_row_is_the_next_run() -> None:
    old = run("2026-04-20T06:00", "Initializing", name=None, backup_id="old")
    new = run("2026-04-30T06:00", "Initializing", name=None, backup_id="new")
    dated = {p.backup_id: p.planned for p in planned_runs([old, new], schedule())}
    assert dated == {"old": t("2026-04-20T06:00"), "new": t("2026-05-01T06:00")}


def test_of_two_pending_rows_created_together_the_later_in_api_order_is_newer() -> None:
    first = run("2026-04-30T06:00", "Scheduled", name=None, backup_id="first")
    second = run("2026-04-30T06:00", "Scheduled", name=None, backup_id="second")
    dated = {p.backup_id: p.planned for p in planned_runs([first, second], schedule())}
    assert dated == {"first": t("2026-04-30T06:00"), "second": t("2026-05-01T06:00")}


# ----------------------------------------------------------------------------- slot walk


def _missed(
    decl_args: dict[str, object], sched_args: dict[str, object], runs: list, now: str
) -> list[str]:  # type: ignore[type-arg]
    timeline = build_timeline(declaration(**decl_args), schedule(**sched_args), runs, t(now))
    return [f"{slot:%Y-%m-%dT%H:%M}" for slot in sorted(timeline.missed)]


def test_a_stalled_scheduler_still_yields_every_slot_up_to_now() -> None:
    sched = {"next_scheduled_run": t("2026-04-26T06:00")}
    runs = [run(f"2026-04-{d:02d}T06:00") for d in range(1, 26)]
    missed = _missed({}, sched, runs, NOW)
    assert missed == [f"2026-04-{d}T06:00" for d in (26, 27, 28, 29, 30)]


def test_a_slot_inside_its_grace_is_not_due() -> None:
    runs = [run(f"2026-04-{d:02d}T06:00") for d in range(1, 30)]
    assert _missed({}, {}, runs, "2026-04-30T07:59") == []
    assert _missed({}, {}, runs, "2026-04-30T08:00") == ["2026-04-30T06:00"]


def test_the_walk_stops_at_the_schedule_creation() -> None:
    sched = {"created_at": t("2026-04-28T00:00")}
    assert _missed({}, sched, [], NOW) == [
        "2026-04-28T06:00",
        "2026-04-29T06:00",
        "2026-04-30T06:00",
    ]


def test_a_run_within_half_a_period_fills_the_slot_and_reanchors_the_walk() -> None:
    runs = [run(f"2026-04-{d:02d}T17:59") for d in range(1, 30)]  # 11h59 late, every day
    sched = {"next_scheduled_run": t("2026-04-30T17:59")}
    assert _missed({"lookback": timedelta(days=20)}, sched, runs, NOW) == []


def test_a_run_half_a_period_away_is_too_far_to_match() -> None:
    runs = [run("2026-04-30T06:00"), run("2026-04-29T18:00")]  # 12h after the 04-29 slot
    sched = {"created_at": t("2026-04-29T00:00"), "next_scheduled_run": t("2026-05-01T06:00")}
    assert _missed({}, sched, runs, NOW) == ["2026-04-29T06:00"]


def test_a_monthly_schedule_on_the_31st_is_judged_on_the_31st_after_a_short_month() -> None:
    runs = [run(f"{d}T06:00") for d in ("2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31")]
    sched = {"frequency": "monthly", "next_scheduled_run": t("2026-04-30T06:00")}
    decl = {"frequency": "monthly", "lookback": timedelta(days=120)}
    timeline = build_timeline(declaration(**decl), schedule(**sched), runs, t("2026-04-15T00:00"))
    assert timeline.cadence.anchor_day == 31
    assert timeline.missed == ()
    assert timeline.cadence.step_forward(t("2026-02-28T06:00")) == t("2026-03-31T06:00")


def test_a_monthly_schedule_on_the_30th_keeps_the_30th() -> None:
    runs = [run(f"{d}T06:00") for d in ("2026-01-30", "2026-02-28", "2026-03-30")]
    sched = schedule(frequency="monthly", next_scheduled_run=t("2026-04-30T06:00"))
    timeline = build_timeline(declaration(frequency="monthly"), sched, runs, t("2026-04-15T00:00"))
    assert timeline.cadence.anchor_day == 30


def test_runs_planned_at_the_same_instant_are_ordered_by_creation_then_id() -> None:
    same = t("2026-04-29T06:00")
    rows = [
        run(same, backup_id="b", created_at=t("2026-04-29T06:00:02")),
        run(same, backup_id="a", created_at=t("2026-04-29T06:00:02")),
        run(same, backup_id="c", created_at=t("2026-04-29T06:00:01")),
    ]
    for order in (rows, rows[::-1]):
        assert [p.backup_id for p in planned_runs(order, schedule())] == ["c", "a", "b"]


@pytest.mark.timeout(5)
def test_a_far_away_anchor_costs_no_walk_through_the_years() -> None:
    sched = schedule(next_scheduled_run=t("8999-01-01T06:00"), created_at=t("2026-01-01T00:00"))
    timeline = build_timeline(declaration(), sched, [], t(NOW))
    assert len(timeline.missed) == 30  # every due day of the 30-day window


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:30:00-01:00"]
)
def test_instants_outside_1970_to_9000_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_api_time(text)


@pytest.mark.parametrize("frequency", ["daily", "weekly", "monthly"])
@pytest.mark.parametrize("limit", ["2026-04-30T12:00", "2030-01-01T00:00", "2001-02-03T04:05"])
def test_latest_step_until_equals_stepping_one_period_at_a_time(frequency: str, limit: str) -> None:
    cadence = Cadence(frequency, 31)  # type: ignore[arg-type]
    start, end = t("2026-01-31T06:00"), t(limit)
    slow = start
    while cadence.step_forward(slow) <= end:
        slow = cadence.step_forward(slow)
    while slow > end:
        slow = cadence.step_back(slow)
    assert cadence.latest_step_until(start, end) == slow


@pytest.mark.parametrize("year", [1, 1900, 2000, 2023, 2024, 2100, 9000, 9999])
def test_the_last_day_of_every_month_is_the_calendars(year: int) -> None:
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        assert is_last_day_of_month(datetime(year, month, last))
        assert not is_last_day_of_month(datetime(year, month, last - 1))
