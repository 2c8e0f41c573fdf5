"""The JSON report (`--format json`), format_version 1, as CONTRACT.md defines it.

This is the machine-readable contract that CI scripts and auditors parse, and the schema in
`schemas/report.schema.json` describes it. Keys come out in the CONTRACT's order and findings
in `Finding.sort_key` order, so that two reports of the same state diff cleanly. Adding a field
is allowed (consumers ignore unknown ones); changing a field's meaning bumps `FORMAT_VERSION`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime

import checker
from checker.model import (
    CoverageSummary,
    Finding,
    Location,
    Report,
    ScheduleResult,
    Summary,
    UnusedWaiver,
)
from checker.report.escape import is_unsafe
from checker.timeutil import format_utc

FORMAT_VERSION = 1
TOOL_NAME = "backup-drift"

_PAST_TILDE = re.compile("[^\x00-\x7e]")


def render(report: Report) -> str:
    """The report as pretty-printed JSON text with a trailing newline."""
    text = json.dumps(report_document(report), indent=2, ensure_ascii=False, allow_nan=False)
    return _PAST_TILDE.sub(_json_char, text) + "\n"


def _json_char(match: re.Match[str]) -> str:
    """A character past `~` as the report file holds it.

    JSON itself escapes only C0 controls, so DEL, C1 controls (0x9b is a terminal CSI), bidi
    overrides and line separators would stay raw and act on whoever `cat`s or diffs the file;
    they become `\\uXXXX` escapes, which parse back to the same string. A lone surrogate (the
    API may send "\\ud800") is no character and would make the text unencodable as UTF-8,
    so it becomes U+FFFD. Everything else stays readable as itself.
    """
    ch = match.group()
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    if not is_unsafe(ch):
        return ch
    return json.dumps(ch, ensure_ascii=True)[1:-1]


def report_document(report: Report) -> dict[str, object]:
    """The report as plain JSON values, keys in the CONTRACT's order."""
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": checker.__version__},
        "now": format_utc(report.now),
        "spec": report.spec,
        "exit_code": report.exit_code,
        "fail_on": report.fail_on,
        "summary": _summary(report.summary),
        "schedules": [_schedule(s) for s in report.schedules],
        "findings": [_finding(f) for f in sorted(report.findings, key=lambda f: f.sort_key)],
        "coverage": _coverage(report.coverage),
        "unused_waivers": [_unused_waiver(w) for w in report.unused_waivers],
    }


def _coverage(coverage: CoverageSummary | None) -> dict[str, object] | None:
    if coverage is None:
        return None
    return {
        "schedulable": len(coverage.schedulable),
        "covered": len(coverage.covered),
        "uncovered": list(coverage.uncovered),
        "covered_indexes": list(coverage.covered),
    }


def _unused_waiver(waiver: UnusedWaiver) -> dict[str, object]:
    return {
        "index": waiver.index,
        "schedule": waiver.schedule,
        "rule": waiver.rule,
        "reason": waiver.reason,
        "location": _location(waiver.location),
    }


def _summary(summary: Summary) -> dict[str, object]:
    return {
        "schedules": summary.schedules,
        "checked": summary.checked,
        "unknown": summary.unknown,
        "error": summary.error,
        "warning": summary.warning,
        "notice": summary.notice,
        "waived": summary.waived,
    }


def _schedule(result: ScheduleResult) -> dict[str, object]:
    return {
        "index": result.index,
        "name": result.name,
        "schedule_id": result.schedule_id,
        "status": result.status,
        "last_success": _optional_time(result.last_success),
        "error": result.error,
        "location": _location(result.location),
        "history_judged": result.history_judged,
    }


def _finding(finding: Finding) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "index": finding.index,
        "schedule": finding.schedule,
        "schedule_id": finding.schedule_id,
        "at": _optional_time(finding.at),
        "message": finding.message,
        "waived": finding.waived,
        "waiver_reason": finding.waiver_reason,
        "location": _location(finding.location),
        "details": _jsonable(finding.details),
        "baseline": finding.baseline,
    }


def _optional_time(value: datetime | None) -> str | None:
    return None if value is None else format_utc(value)


def _location(location: Location | None) -> dict[str, object] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def _jsonable(value: object) -> object:
    """`details` as JSON values: datetimes in report format, at any depth.

    Sets become sorted lists so that the output stays deterministic. A float that JSON cannot
    represent (NaN, infinity) becomes its name rather than invalid JSON. Any other type is a
    bug in the rule that produced it, and fails loudly instead of being guessed at.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, Mapping):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    raise TypeError(f"finding details hold a {type(value).__name__}, which JSON cannot carry")


def _key(key: object) -> str:
    """A details key as JSON needs it: a string (datetimes in report format)."""
    return format_utc(key) if isinstance(key, datetime) else str(key)
