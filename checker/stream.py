"""Streaming evaluation: judge each declaration as soon as its data has arrived, then let its
history go, so memory is bounded by the largest schedule rather than by the fleet.

Pure like `evaluate`: it consumes an iterable of `Listing`s in any order (the source yields
them as its concurrent reads complete) and returns the same Report as `evaluate` would for
the same data. A declaration whose data never arrives is judged at the end with that data
missing, which makes it unknown: the stream fails closed.
"""

from __future__ import annotations

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
    """Holds listings until the declarations that need them are judged."""

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
        self.fleet = shard is None or shard.runs_fleet_rules
        self.judgements: list[Judgement] = []

    def add(self, listing: Listing) -> None:
        match listing:
            case ScheduleListing(index, value):
                self.schedules[index] = value
            case BackupListing(index, value):
                self.backups[index] = value
            case HistoryListing(schedule_id, value):
                self.histories[schedule_id] = value
        self.judge_ready()

    def _ready(self, decl: Declaration) -> bool:
        if decl.index not in self.indexes:
            return True  # index-missing needs nothing more
        if decl.index not in self.schedules:
            return False
        schedule = judged_schedule(decl, self.schedules[decl.index])
        if schedule is None:
            return True
        return schedule.schedule_id in self.histories and decl.index in self.backups

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
        decl = self.waiting.pop(position)
        state = self._state_for(decl)
        self.judgements.append(
            judge_declaration(position, decl, state, self.now, self.fail_on, self.baseline)
        )

    def judge_ready(self) -> None:
        for position in [p for p, d in self.waiting.items() if self._ready(d)]:
            self.judge(position)
        self._release()

    def _release(self) -> None:
        """Drop histories no waiting declaration needs: this is what bounds memory."""
        needed = {
            s.schedule_id
            for d in self.waiting.values()
            if (s := judged_schedule(d, self.schedules.get(d.index, Missing(""))))
        }
        for schedule_id in set(self.histories) - needed:
            del self.histories[schedule_id]

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
