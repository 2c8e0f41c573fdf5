"""The terminal report (`--format text`): what a person reads after `backup-drift check`.

Shaped like `terraform plan` or `ruff check`: a header, one block per schedule with its verdict
first so that a column of PASS/FAIL/UNKNOWN can be scanned, its findings one per line in
aligned columns, findings that belong to no schedule block at the end, then a one-line tally
and the exit code. Every string that came from the API or the spec goes through
`terminal_safe`, so nothing in a report can drive the terminal. Colour is an explicit option
(the CLI decides it from the TTY and `NO_COLOR`), and only marks statuses and severities, so
the colourless text is exactly the coloured one with its escape codes removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from checker.model import (
    CoverageSummary,
    Finding,
    Location,
    Report,
    ScheduleResult,
    UnusedWaiver,
)
from checker.report.escape import terminal_safe
from checker.timeutil import format_utc

_RESET = "\x1b[0m"
_COLOURS = {
    "PASS": "\x1b[32m",
    "FAIL": "\x1b[1;31m",
    "UNKNOWN": "\x1b[1;33m",
    "error": "\x1b[31m",
    "warning": "\x1b[33m",
    "notice": "\x1b[36m",
    "waived": "\x1b[2m",
}

_STATUS_WIDTH = len("UNKNOWN")
_SEVERITY_WIDTH = len("warning")
_INDENT = " " * (_STATUS_WIDTH + 2)
_NO_TIME = "-"
_INCOMPLETE = (
    "Verdict incomplete: part of the state could not be read (see UNKNOWN above), "
    "so findings may be missing; exit 3 is not a pass."
)

_GroupKey = tuple[str, str | None]


@dataclass(frozen=True)
class _Style:
    """How one rendering lays out finding lines, shared by every block of the report."""

    color: bool
    rule_width: int
    at_width: int

    def paint(self, word: str, colour_key: str, width: int = 0) -> str:
        """`word` padded to `width`, coloured when asked; the padding stays uncoloured."""
        padding = " " * max(width - len(word), 0)
        if not self.color:
            return word + padding
        return f"{_COLOURS[colour_key]}{word}{_RESET}{padding}"


def render_text(report: Report, *, color: bool = False) -> str:
    """The whole report as terminal text ending in a newline; ANSI colour only if `color`."""
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    style = _style(findings, color)
    groups, others = group_findings(report.schedules, findings)
    lines = [f"backup-drift: {terminal_safe(report.spec)} at {format_utc(report.now)}", ""]
    for result in report.schedules:
        lines += _schedule_block(result, groups.get((result.index, result.name), []), style)
    if others:
        lines += ["Other findings", *(_other_line(f, style) for f in others), ""]
    lines += _coverage_lines(report.coverage) + _unused_waiver_lines(report.unused_waivers)
    lines += summary_lines(report)
    return "\n".join(lines) + "\n"


def _style(findings: Sequence[Finding], color: bool) -> _Style:
    """Column widths from every finding, so all blocks align with each other."""
    rule_width = max((len(terminal_safe(f.rule)) for f in findings), default=0)
    at_width = max((len(_at_text(f.at)) for f in findings), default=0)
    return _Style(color=color, rule_width=rule_width, at_width=at_width)


def group_findings(
    schedules: Sequence[ScheduleResult], findings: Iterable[Finding]
) -> tuple[dict[_GroupKey, list[Finding]], list[Finding]]:
    """Findings by the (index, name) of the schedule block that shows them, plus the rest.

    Each finding lands in exactly one place: a key shared by two results (which the spec
    forbids) still gets one list, shown under the first of them.
    """
    groups: dict[_GroupKey, list[Finding]] = {}
    for result in schedules:
        groups.setdefault((result.index, result.name), [])
    others: list[Finding] = []
    for finding in findings:
        groups.get((finding.index, finding.schedule), others).append(finding)
    return groups, others


def _schedule_block(result: ScheduleResult, findings: list[Finding], style: _Style) -> list[str]:
    """A schedule's header (verdict, identity, where it is declared), its facts, its findings.

    A finding's own location is shown only when it differs from the declaration's, so the
    common case stays short while a waiver or a retention line still points to its spec line.
    """
    status = result.status.upper()
    header = f"{style.paint(status, status, _STATUS_WIDTH)}  {_schedule_title(result)}"
    if result.location is not None:
        header += f"  {_location_text(result.location)}"
    details = [_last_success_line(result)]
    if result.status == "unknown":
        details.append(f"could not check: {terminal_safe(result.error or 'no reason given')}")
    lines = [header, *(_INDENT + d for d in details)]
    lines += [_finding_line(f, style, result.location) for f in findings]
    return [*lines, ""]


def _schedule_title(result: ScheduleResult) -> str:
    """`index / name (schedule_id)`, leaving out what is not known."""
    title = terminal_safe(result.index)
    if result.name is not None:
        title += f" / {terminal_safe(result.name)}"
    if result.schedule_id is not None:
        title += f" ({terminal_safe(result.schedule_id)})"
    return title


def _last_success_line(result: ScheduleResult) -> str:
    """When the newest Ready backup was planned; 'unknown' if the history could not be read."""
    if result.last_success is not None:
        return f"last good backup: {format_utc(result.last_success)}"
    if result.status == "unknown":
        return "last good backup: unknown"
    return "last good backup: none" if result.history_judged else "history: not judged"


def _finding_line(
    finding: Finding, style: _Style, block_location: Location | None, where: str = ""
) -> str:
    """`severity  rule  at  [where: ]message`, then the waiver and any location the block lacks."""
    colour_key = "waived" if finding.waived else finding.severity
    columns = [
        style.paint(finding.severity, colour_key, _SEVERITY_WIDTH),
        terminal_safe(finding.rule).ljust(style.rule_width),
        _at_text(finding.at).ljust(style.at_width),
        where + terminal_safe(finding.message),
    ]
    line = _INDENT + "  ".join(columns)
    if finding.waived:
        line += f"  [waived: {terminal_safe(finding.waiver_reason or 'no reason given')}]"
    if finding.baseline == "known":
        line += "  [known: in the baseline]"
    if finding.location is not None and finding.location != block_location:
        line += f"  ({_location_text(finding.location)})"
    return line


def _other_line(finding: Finding, style: _Style) -> str:
    """A finding outside every block: its message is prefixed with what it is about."""
    where = terminal_safe(finding.index)
    if finding.schedule is not None:
        where += f" / {terminal_safe(finding.schedule)}"
    return _finding_line(finding, style, None, where=f"{where}: ")


def _at_text(at: datetime | None) -> str:
    return _NO_TIME if at is None else format_utc(at)


def _location_text(location: Location) -> str:
    return f"{terminal_safe(location.file)}:{location.line}:{location.column}"


def _coverage_lines(coverage: CoverageSummary | None) -> list[str]:
    """How many schedulable indexes a declared, enabled schedule protects, and which not."""
    if coverage is None or not coverage.schedulable:
        return []
    total = len(coverage.schedulable)
    noun = "index has" if total == 1 else "indexes have"
    covered = len(coverage.covered)
    line = f"Coverage: {covered} of {total} schedulable {noun} a declared, enabled schedule"
    if coverage.uncovered:
        line += "; not covered: " + ", ".join(terminal_safe(n) for n in coverage.uncovered)
    return [line, ""]


def _unused_waiver_lines(waivers: Sequence[UnusedWaiver]) -> list[str]:
    """Live waivers that matched nothing in this run: candidates for deletion."""
    if not waivers:
        return []
    lines = ["Unused waivers (they matched no finding; delete them when the incident is over)"]
    for w in waivers:
        lines.append(
            f"{_INDENT}{_location_text(w.location)}  {terminal_safe(w.index)} / "
            f"{terminal_safe(w.schedule)}  {terminal_safe(w.rule)}: {terminal_safe(w.reason)}"
        )
    return [*lines, ""]


def summary_lines(report: Report) -> list[str]:
    """The tally of schedules and unwaived findings, and the exit code it led to."""
    summary = report.summary
    statuses = [s.status for s in report.schedules]
    tally = (
        f"{_count(summary.schedules, 'schedule')}: {statuses.count('pass')} pass, "
        f"{statuses.count('fail')} fail, {summary.unknown} unknown · "
        f"{_count(summary.error, 'error')}, {_count(summary.warning, 'warning')}, "
        f"{_count(summary.notice, 'notice')}, {summary.waived} waived · exit {report.exit_code}"
    )
    return [tally, _INCOMPLETE] if report.exit_code == 3 else [tally]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
