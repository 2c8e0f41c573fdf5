"""GitHub Actions annotations (`--format github`): findings pinned to the spec lines in a PR.

Each unwaived finding becomes an `::error`, `::warning` or `::notice` workflow command whose
`file`, `line` and `col` point at the declaration in the spec, so GitHub shows it on the run
page and beside that line of `schedules.yaml`. A schedule that could not be checked is an
`::error` too, listed first: it is what makes the run exit 3. Annotations come highest severity
first (stable in report order within a level), because GitHub keeps only the first
`ANNOTATIONS_PER_LEVEL` of each level per step and silently drops the rest; when that would
happen, one closing `::notice` says how many were dropped. Waived findings are not annotated
(they do not fail the build) but are counted in the plain summary lines that end the log.

Every API or spec string passes through `github_data` or `github_property`, so none can end
its command line early or start a command of its own; the plain lines hold no such strings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from checker.model import (
    SEVERITIES,
    Finding,
    Location,
    Report,
    ScheduleResult,
    Severity,
    severity_rank,
)
from checker.report.escape import github_data, github_property
from checker.report.text import summary_lines as text_summary_lines

ANNOTATIONS_PER_LEVEL = 10
"""GitHub shows at most this many error, this many warning and this many notice annotations
per step (each level counted separately); the runner accepts more but the UI drops them."""

TOOL = "backup-drift"

_Where = tuple[str, str | None]


@dataclass(frozen=True)
class Annotation:
    """One workflow command before escaping: its level, anchor, title and message."""

    level: Severity
    location: Location
    title: str
    message: str


def render(report: Report) -> str:
    """The annotations, a notice for any GitHub would drop, then the plain summary lines."""
    wanted = annotations_for(report)
    shown = within_limits(wanted)
    lines = [command(a) for a in shown]
    if len(shown) < len(wanted):
        lines.append(_dropped_notice(wanted, shown))
    lines += text_summary_lines(report) + _waived_lines(report.summary.waived)
    return "\n".join(lines) + "\n"


def annotations_for(report: Report) -> list[Annotation]:
    """Every annotation the report calls for, in the order GitHub should keep them.

    Unknown schedules lead the errors (they decide exit 3); findings follow in report order,
    re-sorted by `Finding.sort_key` first so the output does not depend on how the report was
    built. The sort by severity is stable, so each level keeps that order.
    """
    anchors = _declaration_lines(report.schedules)
    fallback = Location(report.spec, 1, 1)
    unknown = [_unknown_annotation(r, fallback) for r in report.schedules if r.status == "unknown"]
    findings = sorted((f for f in report.findings if not f.waived), key=lambda f: f.sort_key)
    found = [_finding_annotation(f, anchors, fallback) for f in findings]
    return sorted(unknown + found, key=lambda a: severity_rank(a.level))


def _declaration_lines(schedules: Iterable[ScheduleResult]) -> dict[_Where, Location]:
    """Where each (index, name) is declared, for findings that carry no location of their own."""
    anchors: dict[_Where, Location] = {}
    for result in schedules:
        if result.location is not None:
            anchors.setdefault((result.index, result.name), result.location)
    return anchors


def _unknown_annotation(result: ScheduleResult, fallback: Location) -> Annotation:
    """An error saying that this schedule could not be checked, and why."""
    reason = result.error or "no reason given"
    return Annotation(
        level="error",
        location=result.location or fallback,
        title=f"{TOOL}: could not check ({_where(result.index, result.name)})",
        message=f"could not check this schedule, so its status is UNKNOWN: {reason}",
    )


def _finding_annotation(
    finding: Finding, anchors: Mapping[_Where, Location], fallback: Location
) -> Annotation:
    """A finding at its own location, else its declaration's, else the spec's first line."""
    location = finding.location or anchors.get((finding.index, finding.schedule), fallback)
    return Annotation(
        level=finding.severity,
        location=location,
        title=f"{TOOL}: {finding.rule} ({_where(finding.index, finding.schedule)})",
        message=finding.message,
    )


def _where(index: str, name: str | None) -> str:
    return index if name is None else f"{index} / {name}"


def within_limits(wanted: Sequence[Annotation]) -> list[Annotation]:
    """The first annotations of each level that GitHub will show, in their original order."""
    caps = _caps(Counter(a.level for a in wanted))
    taken: Counter[Severity] = Counter()
    shown: list[Annotation] = []
    for annotation in wanted:
        if taken[annotation.level] < caps[annotation.level]:
            taken[annotation.level] += 1
            shown.append(annotation)
    return shown


def _caps(counts: Mapping[Severity, int]) -> dict[Severity, int]:
    """How many of each level to emit: when any level overflows, the closing notice takes
    one notice slot, so that notice is never itself the one GitHub drops."""
    caps = dict.fromkeys(SEVERITIES, ANNOTATIONS_PER_LEVEL)
    if any(counts.get(level, 0) > ANNOTATIONS_PER_LEVEL for level in SEVERITIES):
        caps["notice"] = ANNOTATIONS_PER_LEVEL - 1
    return caps


def command(annotation: Annotation) -> str:
    """`::level file=F,line=L,col=C,title=T::message`, every value escaped for the runner.

    A property whose value is empty is left out: the runner ignores `file=` anyway.
    """
    where = annotation.location
    pairs = [
        ("file", github_property(where.file)),
        ("line", str(where.line)),
        ("col", str(where.column)),
        ("title", github_property(annotation.title)),
    ]
    properties = ",".join(f"{key}={value}" for key, value in pairs if value)
    return f"::{annotation.level} {properties}::{github_data(annotation.message)}"


def _dropped_notice(wanted: Sequence[Annotation], shown: Sequence[Annotation]) -> str:
    """A notice counting, per level, the annotations GitHub would not have shown."""
    dropped = Counter(a.level for a in wanted) - Counter(a.level for a in shown)
    per_level = ", ".join(_count(dropped[level], level) for level in SEVERITIES if dropped[level])
    message = (
        f"{_count(dropped.total(), 'more annotation')} not shown ({per_level}): GitHub shows "
        f"at most {ANNOTATIONS_PER_LEVEL} of each level per step; the text, JSON and Markdown "
        "reports list every finding"
    )
    return f"::notice title={github_property(TOOL)}::{github_data(message)}"


def _waived_lines(waived: int) -> list[str]:
    """The count of waived findings, which get no annotation because they never fail a build."""
    if not waived:
        return []
    return [
        f"{_count(waived, 'waived finding')} not annotated (waived findings do not fail the "
        "build; the text, JSON and Markdown reports list them with their reasons)"
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
