"""evaluate(spec, state, now) -> Report: the pure heart of the checker.

No I/O and no clock: `now` is a parameter, so every verdict can be reproduced from a snapshot.
Data that could not be read is never guessed: a rule runs only when everything it needs was
read completely, and the schedule is reported `unknown` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from checker.match import judged_schedule, matching_schedules
from checker.model import (
    CoverageSummary,
    Declaration,
    FailOn,
    Finding,
    FindingIdentity,
    Location,
    Missing,
    ProjectState,
    Report,
    Schedule,
    ScheduleResult,
    Severity,
    SeveritySetting,
    Spec,
    UnusedWaiver,
)
from checker.policy import (
    apply_budgets,
    apply_waivers,
    counts_towards_exit,
    effective_severity,
    mark_baseline,
)
from checker.rules import DECLARATION_RULES, FLEET_RULES
from checker.rules.base import Data, DeclarationContext, FleetContext, FleetHit, FleetRule, Rule
from checker.rules.coverage import covered_indexes
from checker.timeline import build_timeline

ALL_DATA: frozenset[Data] = frozenset({"indexes", "schedules", "history", "backups"})
# What becomes unusable when one kind of data is missing: everything read after it.
_LOST_WITH: Mapping[Data, frozenset[Data]] = {
    "indexes": ALL_DATA,
    "schedules": frozenset({"schedules", "history", "backups"}),
    "history": frozenset({"history", "backups"}),
    "backups": frozenset({"backups"}),
}
_NOT_FETCHED = Missing("not fetched")
T = TypeVar("T")
Baseline = frozenset[FindingIdentity] | None


@dataclass(frozen=True)
class _Reading:
    """One declaration's view of the state: what was read, what is missing and why."""

    context: DeclarationContext
    available: frozenset[Data]
    problems: tuple[str, ...]


class _Gaps:
    """Collects what could not be read, and so which data no rule may rely on."""

    def __init__(self) -> None:
        self.lost: set[Data] = set()
        self.problems: list[str] = []

    def take(self, kind: Data, value: T | Missing | None) -> T | None:
        """`value` itself, or None after recording it as missing."""
        if isinstance(value, Missing) or value is None:
            gap = value or _NOT_FETCHED
            self.lost.update(_LOST_WITH[kind])
            self.problems.append(gap.reason)
            return None
        return value


def _read_declaration(decl: Declaration, state: ProjectState, now: datetime) -> _Reading:
    gaps = _Gaps()
    indexes = gaps.take("indexes", state.indexes)
    index_exists = indexes is not None and decl.index in indexes
    matches: tuple[Schedule, ...] = ()
    runs, backups = None, None
    if index_exists:
        schedules = gaps.take("schedules", state.schedules.get(decl.index))
        matches = matching_schedules(decl, schedules) if schedules is not None else ()
        if decl.enabled and len(matches) == 1:
            runs = gaps.take("history", state.history.get(matches[0].schedule_id))
            backups = gaps.take("backups", state.backups.get(decl.index))
    timeline = build_timeline(decl, matches[0], runs, now) if runs is not None else None
    context = DeclarationContext(decl, now, index_exists, matches, timeline, backups)
    return _Reading(context, ALL_DATA - gaps.lost, tuple(gaps.problems))


def _runnable(rule: Rule, decl: Declaration, available: frozenset[Data]) -> bool:
    return (decl.enabled or rule.for_disabled) and rule.needs <= available


def _schedule_label(context: DeclarationContext) -> str:
    decl, schedule = context.decl, context.schedule
    if decl.name is not None:
        return decl.name
    return schedule.name if schedule is not None else (decl.id or "")


def _raw_findings(reading: _Reading) -> Iterator[Finding]:
    """Every rule the available data allows, at its effective severity (`off` dropped)."""
    ctx = reading.context
    decl, schedule = ctx.decl, ctx.schedule
    for rule in DECLARATION_RULES.values():
        severity = effective_severity(rule.id, rule.default_severity, decl.severity)
        if severity == "off" or not _runnable(rule, decl, reading.available):
            continue
        for hit in rule.check(ctx):
            yield Finding(
                rule=rule.id,
                severity=severity,
                index=decl.index,
                schedule=_schedule_label(ctx),
                schedule_id=schedule.schedule_id if schedule else None,
                at=hit.at,
                message=hit.message,
                location=hit.location or decl.location,
                details=hit.details,
            )


@dataclass(frozen=True)
class Judgement:
    """Everything the report needs from one declaration, and nothing more: no history is
    kept, so a streaming check can release each schedule's runs once it is judged."""

    position: int  # the declaration's place in the spec, for a deterministic report
    result: ScheduleResult
    findings: tuple[Finding, ...]
    unused_waivers: tuple[UnusedWaiver, ...]


def judge_declaration(
    position: int,
    decl: Declaration,
    state: ProjectState,
    now: datetime,
    fail_on: FailOn = "error",
    baseline: Baseline = None,
) -> Judgement:
    """Findings after waivers, budgets and baseline, the schedule's row, unused waivers.

    `state` needs to hold only this declaration's data (its index's listings and history).
    """
    reading = _read_declaration(decl, state, now)
    ctx = reading.context
    waived, used = apply_waivers(_raw_findings(reading), decl.waivers, now)
    findings = mark_baseline(apply_budgets(waived, decl.tolerate), baseline)
    unused = tuple(
        UnusedWaiver(decl.index, _schedule_label(ctx), w.rule, w.reason, w.location)
        for i, w in enumerate(decl.waivers)
        if i not in used and now < w.expires and not reading.problems
    )
    result = _declaration_result(reading, findings, fail_on)
    return Judgement(position, result, tuple(findings), unused)


def _status(findings: Iterable[Finding], unknown: bool, fail_on: FailOn) -> str:
    if unknown:
        return "unknown"
    return "fail" if any(counts_towards_exit(f, fail_on) for f in findings) else "pass"


def _declaration_result(
    reading: _Reading, findings: Iterable[Finding], fail_on: FailOn
) -> ScheduleResult:
    ctx = reading.context
    schedule = ctx.schedule
    return ScheduleResult(
        index=ctx.decl.index,
        name=_schedule_label(ctx),
        schedule_id=schedule.schedule_id if schedule else None,
        status=_status(findings, bool(reading.problems), fail_on),  # type: ignore[arg-type]
        last_success=ctx.timeline.last_success if ctx.timeline else None,
        error="; ".join(reading.problems) or None,
        location=ctx.decl.location,
        history_judged=ctx.timeline is not None,
    )


# --------------------------------------------------------------------------- fleet


def _fleet_location(spec: Spec, index: str) -> Location | None:
    """Anchor a fleet finding at the index's first declaration, else at `coverage`."""
    declared = next((d.location for d in spec.schedules if d.index == index), None)
    return declared or (spec.coverage.location if spec.coverage else None)


def _fleet_severity(rule: FleetRule, spec: Spec) -> SeveritySetting:
    start: Severity = rule.default_severity
    if rule.id == "schedule-unmanaged" and spec.coverage is not None:
        return effective_severity(
            rule.id, start, {rule.id: spec.coverage.unmanaged}, spec.default_severity
        )
    return effective_severity(rule.id, start, spec.default_severity)


def _fleet_finding(rule: FleetRule, severity: Severity, hit: FleetHit, spec: Spec) -> Finding:
    schedule = hit.schedule
    return Finding(
        rule=rule.id,
        severity=severity,
        index=hit.index,
        schedule=schedule.name if schedule else None,
        schedule_id=schedule.schedule_id if schedule else None,
        at=None,
        message=hit.message,
        location=_fleet_location(spec, hit.index),
    )


def _readable_schedules(state: ProjectState) -> dict[str, tuple[Schedule, ...]]:
    return {k: v for k, v in state.schedules.items() if not isinstance(v, Missing)}


def _claimed(spec: Spec, schedules: Mapping[str, tuple[Schedule, ...]]) -> frozenset[str]:
    """Ids of the live schedules some declaration matches (even ambiguously)."""
    return frozenset(
        s.schedule_id
        for decl in spec.schedules
        for s in matching_schedules(decl, schedules.get(decl.index, ()))
    )


def _fleet_findings(spec: Spec, state: ProjectState) -> list[Finding]:
    if isinstance(state.indexes, Missing):
        return []
    readable = _readable_schedules(state)
    ctx = FleetContext(spec, state.indexes, readable, _claimed(spec, readable))
    findings = []
    for rule in FLEET_RULES.values():
        severity = _fleet_severity(rule, spec)
        if severity != "off":
            findings += [_fleet_finding(rule, severity, hit, spec) for hit in rule.check(ctx)]
    return findings


def _coverage_unknowns(spec: Spec, state: ProjectState) -> list[ScheduleResult]:
    """Rows for what only coverage makes relevant and could not be read (RULES.md)."""
    if spec.coverage is None:
        return []
    if isinstance(state.indexes, Missing):
        return [_unknown_row(glob, state.indexes.reason) for glob in spec.coverage.indexes]
    declared = {d.index for d in spec.schedules}
    rows = []
    for index in sorted(covered_indexes(spec, state.indexes) - declared):
        listing = state.schedules.get(index, _NOT_FETCHED)
        if isinstance(listing, Missing):
            rows.append(_unknown_row(index, listing.reason))
    return rows


def _unknown_row(index: str, reason: str) -> ScheduleResult:
    return ScheduleResult(index, None, None, "unknown", None, reason)


# --------------------------------------------------------------------------- report


def exit_code_for(
    schedules: Iterable[ScheduleResult], findings: Iterable[Finding], fail_on: FailOn
) -> int:
    """3 when anything is unknown, else 1 when a finding counts, else 0 (CONTRACT.md)."""
    if any(s.status == "unknown" for s in schedules):
        return 3
    return 1 if any(counts_towards_exit(f, fail_on) for f in findings) else 0


def _coverage(spec: Spec, state: ProjectState) -> CoverageSummary | None:
    """Schedulable indexes, and which of them a declared, enabled, existing schedule protects."""
    if isinstance(state.indexes, Missing):
        return None
    schedulable = tuple(sorted(n for n, i in state.indexes.items() if i.schedulable))
    readable = _readable_schedules(state)
    protected = {d.index for d in spec.schedules if judged_schedule(d, readable.get(d.index, ()))}
    return CoverageSummary(schedulable, tuple(n for n in schedulable if n in protected))


def assemble(
    spec: Spec,
    state: ProjectState,
    judgements: Iterable[Judgement],
    now: datetime,
    fail_on: FailOn = "error",
    baseline: Baseline = None,
    *,
    fleet: bool = True,
) -> Report:
    """The report from the declarations' judgements plus, with `fleet`, the fleet rules and
    the coverage summary (a shard other than the first leaves those to shard 1).

    `state` needs the index list and schedule listings; histories are not read here.
    """
    ordered_judgements = sorted(judgements, key=lambda j: j.position)
    findings = [f for j in ordered_judgements for f in j.findings]
    rows = tuple(j.result for j in ordered_judgements)
    if fleet:
        findings += mark_baseline(_fleet_findings(spec, state), baseline)
        rows += tuple(_coverage_unknowns(spec, state))
    ordered = tuple(sorted(findings, key=lambda f: f.sort_key))
    return Report(
        now=now,
        spec=spec.path,
        fail_on=fail_on,
        exit_code=exit_code_for(rows, ordered, fail_on),
        schedules=rows,
        findings=ordered,
        coverage=_coverage(spec, state) if fleet else None,
        unused_waivers=tuple(w for j in ordered_judgements for w in j.unused_waivers),
    )


def evaluate(
    spec: Spec,
    state: ProjectState,
    now: datetime,
    fail_on: FailOn = "error",
    baseline: Baseline = None,
) -> Report:
    """Judge the state against the spec at `now`. With a `baseline` (the identities of an
    earlier run's findings), only findings not in it count towards the exit code."""
    judgements = [
        judge_declaration(i, decl, state, now, fail_on, baseline)
        for i, decl in enumerate(spec.schedules)
    ]
    return assemble(spec, state, judgements, now, fail_on, baseline)
