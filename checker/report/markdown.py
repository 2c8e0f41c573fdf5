"""The job summary (`--format markdown`): what `$GITHUB_STEP_SUMMARY` shows on the run page.

A reader scans it from the top: a headline with the verdict, a table of every schedule, then
each schedule's findings as a table (waived ones folded away in `<details>`), findings of no
schedule, coverage and unused waivers, and the same tally as the text report. Every API or
spec string passes through `markdown_text`, so none can break a table row, open an HTML tag,
or turn into a link, a heading or a mention.

GitHub refuses a step summary over 1 MiB, and a broken summary hides the verdict, so
`render_limited` keeps the document within a byte budget by dropping whole finding rows from
the end and saying how many it dropped; the document stays well-formed Markdown and HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.model import CoverageSummary, Finding, Report, ScheduleResult, UnusedWaiver
from checker.report.escape import markdown_text
from checker.report.text import group_findings as group_by_schedule
from checker.report.text import summary_lines as text_summary_lines
from checker.timeutil import format_utc

BUDGET_BYTES = 1_000_000
"""UTF-8 size the summary stays within: GitHub's limit is 1 MiB (1,048,576 bytes) per step,
and the margin leaves room for a workflow that appends a line of its own."""

MAX_LISTED_INDEXES = 50
"""Uncovered index names the coverage line lists before it says "and N more"."""

TOOL = "backup-drift"
_NO_VALUE = "—"
_STATUS_CELLS = {"pass": "✅ PASS", "fail": "❌ FAIL", "unknown": "⚠️ UNKNOWN"}
_FINDING_HEADER = ["| Severity | Rule | At | Message |", "| --- | --- | --- | --- |"]
_WAIVED_HEADER = [
    "| Severity | Rule | At | Message | Waiver |",
    "| --- | --- | --- | --- | --- |",
]


@dataclass(frozen=True)
class _Section:
    """The findings of one schedule (or of none), each row already rendered to one line."""

    heading: str
    active: tuple[str, ...]
    waived: tuple[str, ...]


@dataclass(frozen=True)
class _Parts:
    """Everything the document is made of, rendered once; only the finding rows vary."""

    head: tuple[str, ...]
    sections: tuple[_Section, ...]
    tail: tuple[str, ...]

    @property
    def row_count(self) -> int:
        return sum(len(s.active) + len(s.waived) for s in self.sections)


def render(report: Report) -> str:
    """The summary within `BUDGET_BYTES`, as the CLI writes it to `$GITHUB_STEP_SUMMARY`."""
    return render_limited(report, BUDGET_BYTES)


def render_limited(report: Report, budget_bytes: int) -> str:
    """The summary in at most `budget_bytes` of UTF-8, dropping finding rows from the end.

    Each row is rendered once; the search then only re-joins lines, so even 50,000 findings
    cost a handful of joins. If the document is too large with no finding row at all, a
    short fallback keeps the verdict and points to the JSON report.
    """
    parts = _parts(report)
    whole = _assemble(parts, parts.row_count)
    if _fits(whole, budget_bytes):
        return whole
    keep = _most_rows_that_fit(parts, budget_bytes)
    if keep is None:
        return _too_large(report)
    return _assemble(parts, keep)


def _fits(document: str, budget_bytes: int) -> bool:
    return len(document.encode("utf-8")) <= budget_bytes


def _most_rows_that_fit(parts: _Parts, budget_bytes: int) -> int | None:
    """The largest number of leading finding rows whose document fits, by bisection."""
    low, high = 0, parts.row_count - 1  # the full document is known not to fit
    if not _fits(_assemble(parts, low), budget_bytes):
        return None
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(_assemble(parts, middle), budget_bytes):
            low = middle
        else:
            high = middle - 1
    return low


# --------------------------------------------------------------------------- assembly


def _assemble(parts: _Parts, keep: int) -> str:
    """The document with only the first `keep` finding rows, and a note on the rest."""
    lines = list(parts.head)
    if parts.row_count:
        lines += ["### Findings", ""]
    left = keep
    for section in parts.sections:
        shown = _section_lines(section, left)
        left = max(left - len(section.active) - len(section.waived), 0)
        lines += shown
    omitted = parts.row_count - keep
    if omitted:
        lines += [_omitted_line(omitted), ""]
    lines += parts.tail
    return "\n".join(lines) + "\n"


def _section_lines(section: _Section, keep: int) -> list[str]:
    """A section cut to its first `keep` rows (active, then waived); nothing if none is left."""
    active = section.active[:keep]
    waived = section.waived[: max(keep - len(section.active), 0)]
    if not active and not waived:
        return []
    lines = [section.heading, ""]
    if active:
        lines += [*_FINDING_HEADER, *active, ""]
    if waived:
        lines += _details(waived)
    return lines


def _details(rows: Sequence[str]) -> list[str]:
    """Waived findings folded away: they do not fail the build but stay one click away.

    The summary text is fixed wording only, because Markdown escapes do not apply inside raw
    HTML; the blank lines around the table let GitHub render it as Markdown.
    """
    summary = f"{_count(len(rows), 'waived finding')} (they do not fail the build)"
    return [
        f"<details><summary>{summary}</summary>",
        "",
        *_WAIVED_HEADER,
        *rows,
        "",
        "</details>",
        "",
    ]


def _omitted_line(omitted: int) -> str:
    return (
        f"**{_count(omitted, 'more finding')} not shown** to keep this summary under GitHub's "
        "1 MiB limit; the JSON report (`--report json=PATH`) lists every finding."
    )


def _too_large(report: Report) -> str:
    """The fallback when even the schedule table overflows the budget: verdict and tally only."""
    note = (
        "This summary is too large for GitHub's 1 MiB step-summary limit; "
        "the JSON report (`--report json=PATH`) lists every schedule and finding."
    )
    return "\n\n".join([_headline(report), note, *text_summary_lines(report)]) + "\n"


# --------------------------------------------------------------------------- parts


def _parts(report: Report) -> _Parts:
    """Render every piece once: head (verdict, schedules), finding sections, tail."""
    head = [
        _headline(report),
        "",
        f"Spec {markdown_text(report.spec)}, evaluated at {format_utc(report.now)}.",
        "",
        *_schedule_table(report.schedules),
    ]
    tail = [*_coverage_lines(report.coverage), *_unused_waiver_lines(report.unused_waivers)]
    tail += _tally_lines(report)
    return _Parts(tuple(head), tuple(_sections(report)), tuple(tail))


def _tally_lines(report: Report) -> list[str]:
    """The text report's closing lines, each its own paragraph, so both formats agree."""
    lines: list[str] = []
    for line in text_summary_lines(report):
        lines += [line, ""]
    return lines[:-1]


def _headline(report: Report) -> str:
    """`## <icon> backup-drift: <verdict>`, worded from the exit code and the tally."""
    summary = report.summary
    counts = _level_counts(summary.error, summary.warning, summary.notice)
    if report.exit_code == 3:
        what = _count(summary.unknown, "schedule") if summary.unknown else "part of the state"
        return f"## ⚠️ {TOOL}: could not check {what} (exit 3)"
    if report.exit_code == 1:
        return f"## ❌ {TOOL}: {counts or 'failed (exit 1)'}"
    if report.exit_code != 0:
        return f"## ❌ {TOOL}: exit {report.exit_code}"
    if counts:
        return f"## ✅ {TOOL}: pass with {counts} (below --fail-on {report.fail_on})"
    return f"## ✅ {TOOL}: {_all_pass(summary.schedules)}"


def _level_counts(error: int, warning: int, notice: int) -> str:
    """`4 errors, 1 notice`: the levels that occur, highest first; empty when none does."""
    pairs = [(error, "error"), (warning, "warning"), (notice, "notice")]
    return ", ".join(_count(n, noun) for n, noun in pairs if n)


def _all_pass(schedules: int) -> str:
    if schedules == 0:
        return "pass (no schedules to check)"
    return "the schedule passes" if schedules == 1 else f"all {schedules} schedules pass"


def _schedule_table(schedules: Sequence[ScheduleResult]) -> list[str]:
    """One row per schedule: verdict, identity, last good backup, and why it is unknown."""
    if not schedules:
        return []
    header = [
        "### Schedules",
        "",
        "| Status | Index | Name | Last good backup | Error |",
        "| --- | --- | --- | --- | --- |",
    ]
    return [*header, *(_schedule_row(s) for s in schedules), ""]


def _schedule_row(result: ScheduleResult) -> str:
    error = markdown_text(result.error or "no reason given") if result.status == "unknown" else ""
    return _row(
        _STATUS_CELLS[result.status],
        markdown_text(result.index),
        _NO_VALUE if result.name is None else markdown_text(result.name),
        _last_good(result),
        error,
    )


def _last_good(result: ScheduleResult) -> str:
    """When the newest Ready backup was planned, or why there is no such time."""
    if result.last_success is not None:
        return format_utc(result.last_success)
    if result.status == "unknown":
        return "unknown"
    return "none" if result.history_judged else "not judged"


def _sections(report: Report) -> list[_Section]:
    """A section per schedule with findings, in schedule order, then one for the rest."""
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    groups, others = group_by_schedule(report.schedules, findings)
    sections = [
        _section(f"#### {_title(index, name)}", found, with_where=False)
        for (index, name), found in groups.items()
        if found
    ]
    if others:
        sections.append(_section("#### Other findings", others, with_where=True))
    return sections


def _title(index: str, name: str | None) -> str:
    text = markdown_text(index)
    return text if name is None else f"{text} / {markdown_text(name)}"


def _section(heading: str, findings: Sequence[Finding], *, with_where: bool) -> _Section:
    active = tuple(_finding_row(f, with_where) for f in findings if not f.waived)
    waived = tuple(_finding_row(f, with_where) for f in findings if f.waived)
    return _Section(heading, active, waived)


def _finding_row(finding: Finding, with_where: bool) -> str:
    """Severity, rule, time, message (prefixed with its schedule outside a schedule's
    section), and for a waived finding the waiver's reason."""
    message = markdown_text(finding.message)
    if with_where:
        message = f"{_title(finding.index, finding.schedule)}: {message}"
    at = _NO_VALUE if finding.at is None else format_utc(finding.at)
    cells = [finding.severity, markdown_text(finding.rule), at, message]
    if finding.waived:
        cells.append(markdown_text(finding.waiver_reason or "no reason given"))
    return _row(*cells)


def _coverage_lines(coverage: CoverageSummary | None) -> list[str]:
    """How many schedulable indexes are protected, and which are not (at most a few dozen)."""
    if coverage is None or not coverage.schedulable:
        return []
    line = (
        f"**Coverage:** {len(coverage.covered)} of {len(coverage.schedulable)} schedulable "
        f"{'index has' if len(coverage.schedulable) == 1 else 'indexes have'} a declared, "
        "enabled schedule"
    )
    if coverage.uncovered:
        line += f"; not covered: {_name_list(coverage.uncovered)}"
    return [line, ""]


def _name_list(names: Sequence[str]) -> str:
    """Names joined by commas, the list cut at `MAX_LISTED_INDEXES` with a count of the rest."""
    listed = ", ".join(markdown_text(n) for n in names[:MAX_LISTED_INDEXES])
    rest = len(names) - MAX_LISTED_INDEXES
    return f"{listed} and {rest} more" if rest > 0 else listed


def _unused_waiver_lines(waivers: Sequence[UnusedWaiver]) -> list[str]:
    """Live waivers that matched nothing: candidates for deletion."""
    if not waivers:
        return []
    header = [
        "### Unused waivers",
        "",
        "They matched no finding; delete them when the incident is over.",
        "",
        "| Declared at | Schedule | Rule | Reason |",
        "| --- | --- | --- | --- |",
    ]
    return [*header, *(_unused_waiver_row(w) for w in waivers), ""]


def _unused_waiver_row(waiver: UnusedWaiver) -> str:
    where = waiver.location
    return _row(
        f"{markdown_text(where.file)}:{where.line}:{where.column}",
        _title(waiver.index, waiver.schedule),
        markdown_text(waiver.rule),
        markdown_text(waiver.reason),
    )


def _row(*cells: str) -> str:
    """A table row; cells must already be escaped, so none holds a raw `|` or newline."""
    return "| " + " | ".join(cells) + " |"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
