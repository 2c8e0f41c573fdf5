"""Streaming evaluation: judge each declaration as soon as its data has arrived, then let its
history go, so memory is bounded by the largest schedule rather than by the fleet.

Pure like `evaluate`: it consumes an iterable of `Listing`s in any order (the source yields
them as its concurrent reads complete) and returns the same Report as `evaluate` would for
the same data. A declaration whose data never arrives is judged at the end with that data
missing, which makes it unknown: the stream fails closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from checker.evaluate import Baseline, Judgement, assemble, judge_declaration
from checker.match import judged_schedule
from checker.model import (
    BackupListing,
    Declaration,
    FailOn,
    HistoryListing,
    Index,
    Listing,
    Missing,
    ProjectState,
    Report,
    Run,
    Schedule,
    ScheduleListing,
    Spec,
)
from checker.shard import Shard


class _Judge:
    """Holds listings until the declarations that need them are judged.

    Each listing costs work in proportion to its own index, not to the fleet: the waiting
    declarations are kept by index, and each history with the waiting declarations that judge
    it (its claimants), so that it is dropped the moment the last of them is judged.
    """

    def __init__(
        self,
        spec: Spec,
        indexes: Mapping[str, Index],
        now: datetime,
        fail_on: FailOn,
        baseline: Baseline,
        shard: Shard | None,
    ) -> None:
        self.spec, self.indexes, self.now = spec, indexes, now
        self.fail_on, self.baseline = fail_on, baseline
        self.schedules: dict[str, tuple[Schedule, ...] | Missing] = {}
        self.backups: dict[str, frozenset[str] | Missing] = {}
        self.histories: dict[str, tuple[Run, ...] | Missing] = {}
        self.waiting = {i: d for i, d in enumerate(spec.schedules) if _selected(shard, d)}
        self.by_index: dict[str, set[int]] = defaultdict(set)  # waiting positions
        for position, decl in self.waiting.items():
            self.by_index[decl.index].add(position)
        self.claim_of: dict[int, str] = {}  # waiting position -> schedule id it judges
        self.claimants: dict[str, set[int]] = defaultdict(set)  # the reverse of claim_of
        self.listed: set[str] = set()  # schedule ids named by the schedule lists so far
        self.lists_due = {d.index for d in self.waiting.values() if d.index in indexes}
        self.fleet = shard is None or shard.runs_fleet_rules
        self.judgements: list[Judgement] = []

    def add(self, listing: Listing) -> None:
        match listing:
            case ScheduleListing(index, value):
                self.schedules[index] = value
                self._schedules_arrived(index, value)
            case BackupListing(index, value):
                self.backups[index] = value
                self.settle(index)
            case HistoryListing(schedule_id, value):
                self.histories[schedule_id] = value
                self._history_arrived(schedule_id)

    def _schedules_arrived(self, index: str, value: tuple[Schedule, ...] | Missing) -> None:
        self.listed.update(s.schedule_id for s in _rows(value))
        for position in self.by_index.get(index, ()):
            schedule = judged_schedule(self.waiting[position], value)
            self._claim(position, schedule.schedule_id if schedule else None)
        self.lists_due.discard(index)
        self.settle(index)
        came_early = (s.schedule_id for s in _rows(value))
        unclaimed = self.histories if not self.lists_due else came_early
        for schedule_id in [i for i in unclaimed if i not in self.claimants]:
            self.histories.pop(schedule_id, None)  # every list is in: nobody will claim these

    def _history_arrived(self, schedule_id: str) -> None:
        """Judge what it completes; drop it at once if no waiting declaration can need it.

        A history that came before its schedule list (the stream may come in any order) is
        kept while a waiting declaration's schedule list is still to come: it may be the one.
        """
        if schedule_id in self.claimants:
            for index in {self.waiting[p].index for p in self.claimants[schedule_id]}:
                self.settle(index)
        elif schedule_id in self.listed or not self.lists_due:
            del self.histories[schedule_id]

    def _ready(self, position: int) -> bool:
        decl = self.waiting[position]
        if decl.index not in self.indexes:
            return True  # index-missing needs nothing more
        if decl.index not in self.schedules:
            return False
        schedule_id = self.claim_of.get(position)
        if schedule_id is None:
            return True
        return schedule_id in self.histories and decl.index in self.backups

    def _state_for(self, decl: Declaration) -> ProjectState:
        listing = self.schedules.get(decl.index, Missing("not fetched"))
        schedule = judged_schedule(decl, listing)
        history = (
            {schedule.schedule_id: self.histories[schedule.schedule_id]}
            if (schedule and schedule.schedule_id in self.histories)
            else {}
        )
        backups = {decl.index: self.backups[decl.index]} if decl.index in self.backups else {}
        schedules = {decl.index: listing} if decl.index in self.schedules else {}
        return ProjectState(self.indexes, schedules, history, backups)

    def judge(self, position: int) -> None:
        decl = self.waiting[position]
        state = self._state_for(decl)
        self.judgements.append(
            judge_declaration(position, decl, state, self.now, self.fail_on, self.baseline)
        )
        del self.waiting[position]
        self.by_index[decl.index].discard(position)
        self._unclaim(position)

    def _claim(self, position: int, schedule_id: str | None) -> None:
        """Record which history a declaration judges (a listing sent again may change it)."""
        if self.claim_of.get(position) == schedule_id:
            return
        self._unclaim(position)
        if schedule_id is not None:
            self.claim_of[position] = schedule_id
            self.claimants[schedule_id].add(position)

    def _unclaim(self, position: int) -> None:
        """Withdraw a declaration's claim; a history with no claim left is dropped: this is
        what bounds memory."""
        schedule_id = self.claim_of.pop(position, None)
        if schedule_id is None:
            return
        self.claimants[schedule_id].discard(position)
        if not self.claimants[schedule_id]:
            del self.claimants[schedule_id]
            self.histories.pop(schedule_id, None)

    def settle(self, index: str) -> None:
        """Judge every waiting declaration of `index` whose data is complete."""
        for position in [p for p in self.by_index.get(index, ()) if self._ready(p)]:
            self.judge(position)

    def judge_ready(self) -> None:
        for index in list(self.by_index):
            self.settle(index)

    def finish(self) -> Report:
        for position in list(self.waiting):
            self.judge(position)  # whatever never arrived is judged as missing
        state = ProjectState(self.indexes, self.schedules, {}, {})
        return assemble(
            self.spec,
            state,
            self.judgements,
            self.now,
            self.fail_on,
            self.baseline,
            fleet=self.fleet,
        )


def _rows(value: tuple[Schedule, ...] | Missing) -> tuple[Schedule, ...]:
    return () if isinstance(value, Missing) else value


def _selected(shard: Shard | None, decl: Declaration) -> bool:
    return shard is None or shard.selects(decl)


def evaluate_stream(
    spec: Spec,
    indexes: Mapping[str, Index] | Missing,
    listings: Iterable[Listing],
    now: datetime,
    fail_on: FailOn = "error",
    baseline: Baseline = None,
    shard: Shard | None = None,
) -> Report:
    """The Report of `evaluate`, judging each declaration as soon as its listings arrived.

    With a `shard`, only its declarations are judged (and fleet rules only in shard 1).
    """
    judge = _Judge(
        spec, indexes if not isinstance(indexes, Missing) else {}, now, fail_on, baseline, shard
    )
    if isinstance(indexes, Missing):
        state = ProjectState(indexes, {}, {}, {})
        judgements = [
            judge_declaration(i, d, state, now, fail_on, baseline) for i, d in judge.waiting.items()
        ]
        return assemble(spec, state, judgements, now, fail_on, baseline, fleet=judge.fleet)
    judge.judge_ready()
    for listing in listings:
        judge.add(listing)
    return judge.finish()
