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
from typing import TypeVar

from checker.evaluate import Baseline, Judgement, assemble, judge_declaration
from checker.match import judged_schedule
from checker.model import (
    BackupListing,
    Declaration,
    FailOn,
    History,
    HistoryListing,
    Index,
    Listing,
    Missing,
    ProjectState,
    Report,
    Schedule,
    ScheduleListing,
    Spec,
)
from checker.shard import Shard

T = TypeVar("T")


class _Judge:
    """Holds listings until the declarations that need them are judged.

    Work per listing is in proportion to its own index, not to the fleet: waiting declarations
    are kept by index, and a schedule belongs to one index, so only that index's declarations
    can need its history. A history is dropped as soon as none of them does: that is what
    bounds memory.
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
        self.fleet = shard is None or shard.runs_fleet_rules
        self.schedules: dict[str, tuple[Schedule, ...] | Missing] = {}
        self.backups: dict[str, frozenset[str] | Missing] = {}
        self.histories: dict[str, History | Missing] = {}
        self.owner: dict[str, str] = {}  # schedule id -> its index, from the schedule lists
        self.waiting: dict[str, dict[int, Declaration]] = defaultdict(dict)  # by index
        for position, decl in enumerate(spec.schedules):
            if _selected(shard, decl):
                self.waiting[decl.index][position] = decl
        self.judgements: list[Judgement] = []

    def add(self, listing: Listing) -> None:
        match listing:
            case ScheduleListing(index, value):
                self.schedules[index] = value
                self.owner.update((s.schedule_id, index) for s in _rows(value))
                self.settle(index)
            case BackupListing(index, value):
                self.backups[index] = value
                self.settle(index)
            case HistoryListing(schedule_id, value):
                self.histories[schedule_id] = value
                # Before its schedule list (any order is allowed) the history is kept: the
                # list will say whose it is.
                if schedule_id in self.owner:
                    self.settle(self.owner[schedule_id])

    def _judged_id(self, decl: Declaration) -> str | None:
        schedule = judged_schedule(decl, self.schedules.get(decl.index, Missing("")))
        return schedule.schedule_id if schedule else None

    def _ready(self, decl: Declaration) -> bool:
        if decl.index not in self.indexes:
            return True  # index-missing needs nothing more
        if decl.index not in self.schedules:
            return False
        schedule_id = self._judged_id(decl)
        if schedule_id is None:
            return True
        return schedule_id in self.histories and decl.index in self.backups

    def _state_for(self, decl: Declaration) -> ProjectState:
        """Only this declaration's data: its index's listings and the history it judges."""
        history = _only(self.histories, self._judged_id(decl))
        schedules, backups = _only(self.schedules, decl.index), _only(self.backups, decl.index)
        return ProjectState(self.indexes, schedules, history, backups)

    def judge(self, position: int, decl: Declaration) -> None:
        state = self._state_for(decl)
        self.judgements.append(
            judge_declaration(position, decl, state, self.now, self.fail_on, self.baseline)
        )
        del self.waiting[decl.index][position]

    def settle(self, index: str) -> None:
        """Judge every waiting declaration of `index` whose data is complete, then drop the
        histories of that index that no waiting declaration needs any more."""
        waiting = self.waiting.get(index, {})
        for position, decl in [(p, d) for p, d in waiting.items() if self._ready(d)]:
            self.judge(position, decl)
        needed = {self._judged_id(d) for d in waiting.values()}
        for schedule in _rows(self.schedules.get(index, Missing(""))):
            if schedule.schedule_id not in needed:
                self.histories.pop(schedule.schedule_id, None)

    def judge_ready(self) -> None:
        for index in list(self.waiting):
            self.settle(index)

    def finish(self) -> Report:
        for waiting in self.waiting.values():
            for position, decl in list(waiting.items()):
                self.judge(position, decl)  # whatever never arrived is judged as missing
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


def _only(mapping: Mapping[str, T], key: str | None) -> dict[str, T]:
    """The one entry of `mapping` under `key`, as a mapping, or nothing."""
    return {key: mapping[key]} if key is not None and key in mapping else {}


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
            judge_declaration(i, d, state, now, fail_on, baseline)
            for waiting in judge.waiting.values()
            for i, d in waiting.items()
        ]
        return assemble(spec, state, judgements, now, fail_on, baseline, fleet=judge.fleet)
    judge.judge_ready()
    for listing in listings:
        judge.add(listing)
    return judge.finish()
