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
from itertools import compress, islice, pairwise
from operator import attrgetter, eq

from checker.model import PENDING_STATUSES, SUCCESS_STATUSES, Declaration, Run, Schedule
from checker.timeutil import Cadence, is_last_day_of_month


@dataclass(frozen=True)
class Timeline:
    cadence: Cadence
    now: datetime
    window_start: datetime
    runs: tuple[Run, ...]  # by planned time (see `planned_runs`), the next run re-dated
    planned_times: tuple[datetime, ...]  # the planned time of each of `runs`, so sorted too
    missed: tuple[datetime, ...]  # missed slots, newest first (the walk's order)

    def runs_in_window(self) -> Iterator[Run]:
        return iter(self._window_runs)

    @cached_property
    def _window_runs(self) -> tuple[Run, ...]:
        """The runs planned inside the window: a slice, since `runs` are sorted by planned
        time (several rules ask, and a year of history is mostly outside a 30-day window)."""
        times = self.planned_times
        return self.runs[bisect_left(times, self.window_start) : bisect_right(times, self.now)]

    def successive_successes(self) -> Iterator[tuple[Run, Run]]:
        """Each pair of consecutive good runs whose later one is planned in the window: what
        `gap` and `size-drop` compare (earlier pairs are outside the window, not judged).

        Only the window and the last good run before it are looked at: a year of history
        costs no more than its window.
        """
        times = self.planned_times
        first, last = bisect_left(times, self.window_start), bisect_right(times, self.now)
        good = with_status(self.runs[first:last], SUCCESS_STATUSES)
        earlier = _newest_success(self.runs[:first]) if good else None
        chained = [earlier, *good] if earlier is not None else good
        return pairwise(chained)

    @cached_property
    def last_success(self) -> datetime | None:
        """The planned time of the newest good run (found from the newest run backwards)."""
        newest = _newest_success(self.runs)
        return newest.planned if newest is not None else None


def _newest_success(runs: Sequence[Run]) -> Run | None:
    return next((run for run in reversed(runs) if run.status in SUCCESS_STATUSES), None)


_planned_of = attrgetter("planned")


def with_status(runs: Sequence[Run], statuses: frozenset[str]) -> list[Run]:
    """The runs whose status is one of `statuses`, in order.

    In one C-level pass, like `with_backup_in`: these filters run over every row of every
    history (a year of a fleet is ~100k rows), where a Python loop cost more than the rules.
    """
    return list(compress(runs, map(statuses.__contains__, map(_status_of, runs))))


def with_backup_in(runs: Sequence[Run], backup_ids: frozenset[str]) -> list[Run]:
    """The runs whose backup is one of `backup_ids`, in order."""
    return list(compress(runs, map(backup_ids.__contains__, map(_backup_id_of, runs))))


_status_of, _backup_id_of = attrgetter("status"), attrgetter("backup_id")


def _next_run(runs: Sequence[Run], upcoming: datetime) -> Run | None:
    """The row that stands for the next planned run, if any (RULES.md, "Runs").

    The live API lists the next run as a pending row with no `scheduled_execution_at`, maybe
    no name, and a `created_at` one period early: only `next_scheduled_run` dates it.
    """
    if PENDING_STATUSES.isdisjoint(map(_status_of, runs)):  # no list for the usual answer
        return None
    pending = with_status(runs, PENDING_STATUSES)
    # The newest by creation; `max` keeps the first of equals, so reversed: of two rows
    # created at the same instant, the later in the API's order is the newer.
    newest = max(reversed(pending), key=_created_of)
    return newest if not newest.dated and upcoming > newest.created_at else None


_created_of = attrgetter("created_at")


def planned_runs(runs: Sequence[Run], schedule: Schedule) -> tuple[Run, ...]:
    """Every run sorted by planned time, the undated next run dated by the schedule."""
    return _by_planned_time(runs, schedule)[0]


def _by_planned_time(
    runs: Sequence[Run], schedule: Schedule
) -> tuple[tuple[Run, ...], tuple[datetime, ...]]:
    """`planned_runs`, and their planned times.

    Ties in planned time are broken by creation and id, never by the API's row order, so rules
    that compare neighbours (size-drop) give the same verdict for any order. Ties are rare,
    so the runs are sorted by planned time alone (a C-level key) and again only if two are
    equal.
    """
    dated = list(runs)
    upcoming = schedule.next_scheduled_run
    next_run = _next_run(runs, upcoming) if upcoming is not None else None
    if next_run is not None and upcoming is not None:
        dated[dated.index(next_run)] = next_run._replace(planned=upcoming)
    dated.sort(key=_planned_of)
    times = list(map(_planned_of, dated))
    if any(map(eq, times, islice(times, 1, None))):  # neighbours, since they are sorted
        dated.sort(key=lambda r: (r.planned, r.created_at, r.backup_id))  # times stay sorted
    return tuple(dated), tuple(times)


def judged_window_start(decl: Declaration, schedule: Schedule, now: datetime) -> datetime:
    return max(now - decl.lookback, schedule.created_at)


def _anchor(schedule: Schedule, runs: Sequence[Run]) -> datetime | None:
    if schedule.next_scheduled_run is not None:
        return schedule.next_scheduled_run
    return runs[-1].planned if runs else None


class _Matcher:
    """Finds, for a slot, the closest not-yet-matched run within half a period."""

    def __init__(self, times: Sequence[datetime], cadence: Cadence) -> None:
        self._times = times
        self._taken = [False] * len(times)
        self._half = cadence.half_period

    def take(self, slot: datetime) -> datetime | None:
        lo = bisect_left(self._times, slot - self._half)
        hi = bisect_left(self._times, slot + self._half)
        if hi == lo + 1 and not self._taken[lo]:  # the usual slot: one run, its own
            self._taken[lo] = True
            return self._times[lo]
        free = [i for i in range(lo, hi) if not self._taken[i]]
        if not free:
            return None
        best = min(free, key=lambda i: (abs(self._times[i] - slot), self._times[i]))
        self._taken[best] = True
        return self._times[best]


def walk_slots(
    cadence: Cadence,
    anchor: datetime,
    planned_times: Sequence[datetime],
    start: datetime,
    now: datetime,
    grace_end: datetime,
) -> tuple[datetime, ...]:
    """The slot walk of RULES.md; returns the missed slots, newest first.

    `grace_end` is `now - grace`: a slot later than that is not due yet.
    """
    cursor = cadence.latest_step_until(anchor, now)  # the anchor rolled forward (or back) to now
    matcher, missed, candidate = _Matcher(planned_times, cadence), [], cursor
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


def anchor_day(anchor: datetime, runs: Sequence[Run]) -> int:
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
    dated, times = _by_planned_time(runs, schedule)
    anchor = _anchor(schedule, dated)
    cadence = Cadence(decl.frequency, anchor_day(anchor, dated) if anchor else 0)
    start = judged_window_start(decl, schedule, now)
    missed = (
        () if anchor is None else walk_slots(cadence, anchor, times, start, now, now - decl.grace)
    )
    return Timeline(cadence, now, start, dated, times, missed)
