"""`backup-drift merge`: the JSON reports of `check --shard K/N` joined into one report.

Pure: reports in, report out. The shards must describe the same run (spec, `now`,
`--fail-on`) and must not overlap; the exit code is decided again from the merged content,
so a merged report says exactly what the unsharded run would have said.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.errors import UsageError
from checker.evaluate import exit_code_for
from checker.model import Location, Report, ScheduleResult


def _row_order(row: ScheduleResult) -> tuple[bool, str, int, int]:
    """Declarations in spec order, then the rows coverage added (as the unsharded report)."""
    where = row.location or Location("", 0, 0)
    return (row.location is None, where.file, where.line, where.column)


def _same_run(reports: Sequence[Report]) -> None:
    first = reports[0]
    for other in reports[1:]:
        if (other.spec, other.now, other.fail_on) != (first.spec, first.now, first.fail_on):
            raise UsageError(
                "merge: the reports come from different runs (their spec, now or fail_on differ)"
            )


def _no_overlap(rows: Sequence[ScheduleResult]) -> None:
    seen = set()
    for row in rows:
        key = (row.index, row.name, row.location)
        if key in seen:
            raise UsageError(f"merge: schedule {row.index} / {row.name} is in two reports")
        seen.add(key)


def merge_reports(reports: Sequence[Report]) -> Report:
    if not reports:
        raise UsageError("merge: give at least one JSON report")
    _same_run(reports)
    rows = sorted((r for report in reports for r in report.schedules), key=_row_order)
    _no_overlap(rows)
    findings = sorted((f for report in reports for f in report.findings), key=lambda f: f.sort_key)
    unused = sorted(
        (w for report in reports for w in report.unused_waivers),
        key=lambda w: (w.location.file, w.location.line, w.location.column),
    )
    first = reports[0]
    return Report(
        now=first.now,
        spec=first.spec,
        fail_on=first.fail_on,
        exit_code=exit_code_for(rows, findings, first.fail_on),
        schedules=tuple(rows),
        findings=tuple(findings),
        coverage=next((r.coverage for r in reports if r.coverage is not None), None),
        unused_waivers=tuple(unused),
    )
