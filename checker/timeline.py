"""A schedule's history laid out in time: planned times of runs, the judged window, the slot walk.

Pure functions of (declaration, schedule, runs, now); RULES.md "Runs" and "Slots" are the
specification, and the names here follow it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from itertools import compress, islice, pairwise
from operator import attrgetter, eq, gt

from checker.model import (
    PENDING_STATUSES,
    SUCCESS_STATUSES,
    Declaration,
    History,
    Run,
    Schedule,
)
from checker.timeutil import Cadence, is_last_day_of_month


@dataclass(frozen=True)
class Timeline:
    """A schedule's runs in planned-time order, with its window and missed slots.

    The runs stay in their `History` columns: `order` lists their positions in planned-time
    order, and a `Run` is built only for the runs a rule asks for (a year of history is
    mostly outside a 30-day window).
    """

    cadence: Cadence
    now: datetime
    window_start: datetime
    history: History  # the runs as read, in the API's order
    planned_at: Sequence[datetime]  # each run's planned time, by position; next run re-dated
    order: Sequence[int]  # the positions in planned-time order (see `_by_planned_time`)
    planned_times: tuple[datetime, ...]  # `planned_at` in that order, so sorted
    missed: tuple[datetime, ...]  # missed slots, newest first (the walk's order)

    def runs_at(self, positions: Iterable[int]) -> list[Run]:
        """The runs at `positions` of the history, in that order, the next run re-dated."""
        return self.history.runs_at(positions, self.planned_at)

    @property
    def runs(self) -> tuple[Run, ...]:
        """Every run, in planned-time order."""
        return tuple(self.runs_at(self.order))

    def runs_in_window(self) -> Iterator[Run]:
        return iter(self._window_runs)

    @cached_property
    def _window(self) -> range:
        """The ranks (places in planned-time order) of the runs planned inside the window."""
        times = self.planned_times
        return range(bisect_left(times, self.window_start), bisect_right(times, self.now))

    @cached_property
    def _window_runs(self) -> tuple[Run, ...]:
        """Several rules ask; a slice of `order`, since it is sorted by planned time."""
        window = self._window
        return tuple(self.runs_at(self.order[window.start : window.stop]))

    def successive_successes(self) -> Iterator[tuple[Run, Run]]:
        """Each pair of consecutive good runs whose later one is planned in the window: what
        `gap` and `size-drop` compare (earlier pairs are outside the window, not judged)."""
        return iter(self._successive_successes)

    @cached_property
    def _successive_successes(self) -> tuple[tuple[Run, Run], ...]:
        """Only the window and the last good run before it are looked at: a year of history
        costs no more than its window."""
        good = with_status(self._window_runs, SUCCESS_STATUSES)
        earlier = self._newest_success_before(self._window.start) if good else None
        chained = [*self.runs_at([self.order[earlier]]), *good] if earlier is not None else good
        return tuple(pairwise(chained))

    def _newest_success_before(self, end: int) -> int | None:
        """The rank of the newest good run ranked before `end`, looking from `end` backwards."""
        statuses, order = self.history.statuses, self.order
        ranks = range(end - 1, -1, -1)
        return next((r for r in ranks if statuses[order[r]] in SUCCESS_STATUSES), None)

    @cached_property
    def last_success(self) -> datetime | None:
        """The planned time of the newest good run (found from the newest run backwards)."""
        newest = self._newest_success_before(len(self.order))
        return self.planned_times[newest] if newest is not None else None

    def runs_with_backup_in(self, backup_ids: frozenset[str]) -> list[Run]:
        """The runs whose backup is one of `backup_ids`, in planned-time order.

        Found in the API's order, in C-level passes, then sorted by the key of `order`:
        usually few backups still exist, so few runs are sorted and built.
        """
        h, planned = self.history, self.planned_at
        found = list(compress(range(len(h)), map(backup_ids.__contains__, h.backup_ids)))
        found.sort(key=lambda at: (planned[at], h.created[at], h.backup_ids[at]))
        return self.runs_at(found)


def with_status(runs: Sequence[Run], statuses: frozenset[str]) -> list[Run]:
    """The runs whose status is one of `statuses`, in order (one C-level pass)."""
    return list(compress(runs, map(statuses.__contains__, map(_status_of, runs))))


_status_of = attrgetter("status")


def _next_run(history: History, upcoming: datetime) -> int | None:
    """The position of the row that stands for the next planned run, if any (RULES.md,
    "Runs").

    The live API lists the next run as a pending row with no `scheduled_execution_at`, maybe
    no name, and a `created_at` one period early: only `next_scheduled_run` dates it.
    """
    statuses = history.statuses
    if PENDING_STATUSES.isdisjoint(statuses):  # no list for the usual answer
        return None
    pending = compress(range(len(statuses)), map(PENDING_STATUSES.__contains__, statuses))
    # The newest by creation; `max` keeps the first of equals, so reversed: of two rows
    # created at the same instant, the later in the API's order is the newer.
    newest = max(reversed(list(pending)), key=history.created.__getitem__)
    return newest if not history.dated[newest] and upcoming > history.created[newest] else None


def planned_runs(runs: Sequence[Run], schedule: Schedule) -> tuple[Run, ...]:
    """Every run sorted by planned time, the undated next run dated by the schedule."""
    history = History.of(runs)
    planned_at, order, _ = _by_planned_time(history, schedule)
    return tuple(history.runs_at(order, planned_at))


def _by_planned_time(
    history: History, schedule: Schedule
) -> tuple[Sequence[datetime], Sequence[int], tuple[datetime, ...]]:
    """Each run's planned time by position, the undated next run dated by the schedule; the
    positions in planned-time order; and the planned times in that order.

    Ties in planned time are broken by creation and id, never by the API's row order, so rules
    that compare neighbours (size-drop) give the same verdict for any order. The API lists
    runs newest first, which one C-level pass recognises; otherwise the positions are sorted
    by planned time alone (a C-level key), and again by the full key only if two are equal.
    """
    planned: Sequence[datetime] = history.planned
    upcoming = schedule.next_scheduled_run
    next_run = _next_run(history, upcoming) if upcoming is not None else None
    if next_run is not None and upcoming is not None:
        planned = [*planned[:next_run], upcoming, *planned[next_run + 1 :]]
    later = islice(planned, 1, None)
    if all(map(gt, planned, later)):  # strictly newest first, so no two are equal
        return planned, range(len(planned) - 1, -1, -1), tuple(reversed(planned))
    order = sorted(range(len(planned)), key=planned.__getitem__)
    times = tuple(map(planned.__getitem__, order))
    if any(map(eq, times, islice(times, 1, None))):  # neighbours, since they are sorted
        created, ids = history.created, history.backup_ids
        order.sort(key=lambda at: (planned[at], created[at], ids[at]))  # times stay sorted
    return planned, order, times


def judged_window_start(decl: Declaration, schedule: Schedule, now: datetime) -> datetime:
    return max(now - decl.lookback, schedule.created_at)


def _anchor(schedule: Schedule, times: Sequence[datetime]) -> datetime | None:
    if schedule.next_scheduled_run is not None:
        return schedule.next_scheduled_run
    return times[-1] if times else None


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
    # Every candidate lies in the window: a run planned over half a period before it matches none
    reachable = planned_times[bisect_left(planned_times, start - cadence.half_period) :]
    matcher, missed, candidate = _Matcher(reachable, cadence), [], cursor
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


def anchor_day(anchor: datetime, planned_times: Sequence[datetime]) -> int:
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
    recent = [t for t in planned_times if anchor - _RECENT <= t < anchor]
    inside = [t.day for t in recent if not is_last_day_of_month(t)]
    return max(anchor.day, inside[-1]) if inside else LAST_POSSIBLE_DAY


LAST_POSSIBLE_DAY = 31
_RECENT = timedelta(days=100)  # about three monthly runs


def build_timeline(
    decl: Declaration, schedule: Schedule, runs: Sequence[Run], now: datetime
) -> Timeline:
    history = History.of(runs)
    planned_at, order, times = _by_planned_time(history, schedule)
    anchor = _anchor(schedule, times)
    cadence = Cadence(decl.frequency, anchor_day(anchor, times) if anchor else 0)
    start = judged_window_start(decl, schedule, now)
    missed = (
        () if anchor is None else walk_slots(cadence, anchor, times, start, now, now - decl.grace)
    )
    return Timeline(cadence, now, start, history, planned_at, order, times, missed)
