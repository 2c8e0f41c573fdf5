"""A schedule's history laid out in time: planned times of runs, the judged window, the slot walk.

Pure functions of (declaration, schedule, runs, now); RULES.md "Runs" and "Slots" are the
specification, and the names here follow it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from checker.model import Declaration, Run, Schedule, StatusClass
from checker.timeutil import Cadence, is_last_day_of_month


@dataclass(frozen=True)
class PlannedRun:
    run: Run
    planned: datetime

    @property
    def status_class(self) -> StatusClass:
        return self.run.status_class


@dataclass(frozen=True)
class Timeline:
    cadence: Cadence
    now: datetime
    window_start: datetime
    runs: tuple[PlannedRun, ...]  # by planned time; equal times keep the API's order
    missed: tuple[datetime, ...]  # missed slots, newest first (the walk's order)

    def in_window(self, t: datetime) -> bool:
        return self.window_start <= t <= self.now

    def runs_in_window(self) -> Iterator[PlannedRun]:
        return iter(self._window_runs)

    @cached_property
    def _window_runs(self) -> tuple[PlannedRun, ...]:
        """The runs planned inside the window: a slice, since `runs` are sorted by planned
        time (several rules ask, and a year of history is mostly outside a 30-day window)."""
        times = [r.planned for r in self.runs]
        return self.runs[bisect_left(times, self.window_start) : bisect_right(times, self.now)]

    @cached_property
    def successes(self) -> tuple[PlannedRun, ...]:
        """The good runs, in planned order; computed once (several rules walk them, and a
        year of daily history makes that the evaluation's largest loop)."""
        return tuple(r for r in self.runs if r.status_class is StatusClass.SUCCESS)

    @property
    def last_success(self) -> datetime | None:
        good = self.successes
        return good[-1].planned if good else None


def _next_run_row(runs: Sequence[Run], schedule: Schedule) -> int | None:
    """Index of the row that stands for the next planned run, if any (RULES.md, "Runs").

    The live API lists the next run as a pending row with no `scheduled_execution_at`, maybe
    no name, and a `created_at` one period early: only `next_scheduled_run` dates it.
    """
    upcoming = schedule.next_scheduled_run
    pending = [i for i, r in enumerate(runs) if r.status_class is StatusClass.PENDING]
    if upcoming is None or not pending:
        return None
    newest = max(pending, key=lambda i: (runs[i].created_at, i))  # later in API order wins ties
    row = runs[newest]
    undated = row.scheduled_execution_at is None and row.name_time is None
    return newest if undated and upcoming > row.created_at else None


def planned_time(run: Run) -> datetime:
    """A run's planned time when it is not the undated next run."""
    return run.scheduled_execution_at or run.name_time or run.created_at


def planned_runs(runs: Sequence[Run], schedule: Schedule) -> tuple[PlannedRun, ...]:
    """Every run with its planned time, sorted by it (stable, so API order breaks ties)."""
    next_row = _next_run_row(runs, schedule)
    dated = [
        PlannedRun(run, schedule.next_scheduled_run or run.created_at)
        if i == next_row
        else PlannedRun(run, planned_time(run))
        for i, run in enumerate(runs)
    ]
    # Ties in planned time are broken by creation and id, never by the API's row order, so
    # rules that compare neighbours (size-drop) give the same verdict for any order.
    return tuple(sorted(dated, key=lambda p: (p.planned, p.run.created_at, p.run.backup_id)))


def judged_window_start(decl: Declaration, schedule: Schedule, now: datetime) -> datetime:
    return max(now - decl.lookback, schedule.created_at)


def _anchor(schedule: Schedule, runs: Sequence[PlannedRun]) -> datetime | None:
    if schedule.next_scheduled_run is not None:
        return schedule.next_scheduled_run
    return runs[-1].planned if runs else None


class _Matcher:
    """Finds, for a slot, the closest not-yet-matched run within half a period."""

    def __init__(self, runs: Sequence[PlannedRun], cadence: Cadence) -> None:
        self._times = [r.planned for r in runs]
        self._taken = [False] * len(runs)
        self._half = cadence.half_period

    def take(self, slot: datetime) -> datetime | None:
        lo = bisect_left(self._times, slot - self._half)
        hi = bisect_left(self._times, slot + self._half)
        free = [i for i in range(lo, hi) if not self._taken[i]]
        if not free:
            return None
        best = min(free, key=lambda i: (abs(self._times[i] - slot), self._times[i]))
        self._taken[best] = True
        return self._times[best]


def walk_slots(
    cadence: Cadence,
    anchor: datetime,
    runs: Sequence[PlannedRun],
    start: datetime,
    now: datetime,
    grace_end: datetime,
) -> tuple[datetime, ...]:
    """The slot walk of RULES.md; returns the missed slots, newest first.

    `grace_end` is `now - grace`: a slot later than that is not due yet.
    """
    cursor = cadence.latest_step_until(anchor, now)  # the anchor rolled forward (or back) to now
    matcher, missed, candidate = _Matcher(runs, cadence), [], cursor
    while candidate >= start:
        if candidate <= grace_end:
            matched = matcher.take(candidate)
            if matched is None:
                missed.append(candidate)
            cursor = matched or candidate
        else:
            cursor = candidate
        previous, candidate = candidate, cadence.step_back(cursor)
        if candidate >= previous:  # cannot happen with matches inside half a period; stay finite
            break
    return tuple(missed)


def anchor_day(anchor: datetime, runs: Sequence[PlannedRun]) -> int:
    """The day of month a monthly schedule aims for.

    It is the anchor's day, except when the anchor falls on the last day of its month, where
    the day may have been clamped: a schedule on the 31st shows its April run as the 30th.
    Then a recent run not on a month end tells the day (a schedule on the 30th ran on 30
    March); when none does, the latest day it could be (31) is assumed, so that not knowing
    never yields a false missed run (a real miss is then reported at most three days late).
    RULES.md takes the anchor's own day; that judged a schedule on the 31st on the 30th after
    every short month (false gaps and missed runs).
    """
    if not is_last_day_of_month(anchor):
        return anchor.day
    recent = [r.planned for r in runs if anchor - _RECENT <= r.planned < anchor]
    inside = [t.day for t in recent if not is_last_day_of_month(t)]
    return max(anchor.day, inside[-1]) if inside else LAST_POSSIBLE_DAY


LAST_POSSIBLE_DAY = 31
_RECENT = timedelta(days=100)  # about three monthly runs


def build_timeline(
    decl: Declaration, schedule: Schedule, runs: Sequence[Run], now: datetime
) -> Timeline:
    dated = planned_runs(runs, schedule)
    anchor = _anchor(schedule, dated)
    cadence = Cadence(decl.frequency, anchor_day(anchor, dated) if anchor else 0)
    start = judged_window_start(decl, schedule, now)
    missed = (
        () if anchor is None else walk_slots(cadence, anchor, dated, start, now, now - decl.grace)
    )
    return Timeline(cadence, now, start, dated, missed)
