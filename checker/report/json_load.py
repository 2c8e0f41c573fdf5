"""A JSON report (format_version 1) read back into a `Report`, for `backup-drift merge`.

The document is validated against `schemas/report.schema.json` first, so everything below
may rely on its shape; a file that is not such a report is a usage error (exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from checker import jsonsafe
from checker.errors import UsageError
from checker.model import (
    CoverageSummary,
    FailOn,
    Finding,
    Location,
    Report,
    ScheduleResult,
    Severity,
    UnusedWaiver,
)
from checker.timeutil import parse_api_time

Doc = Mapping[str, Any]


def _time(text: str | None) -> datetime | None:
    return parse_api_time(text) if text is not None else None


def _location(doc: Doc | None) -> Location | None:
    return Location(doc["file"], doc["line"], doc["column"]) if doc is not None else None


def _schedule(doc: Doc) -> ScheduleResult:
    return ScheduleResult(
        index=doc["index"],
        name=doc["name"],
        schedule_id=doc["schedule_id"],
        status=doc["status"],
        last_success=_time(doc["last_success"]),
        error=doc["error"],
        location=_location(doc.get("location")),
        history_judged=doc.get("history_judged", True),
    )


def _finding(doc: Doc) -> Finding:
    return Finding(
        rule=doc["rule"],
        severity=cast(Severity, doc["severity"]),
        index=doc["index"],
        schedule=doc["schedule"],
        schedule_id=doc["schedule_id"],
        at=_time(doc["at"]),
        message=doc["message"],
        waived=doc["waived"],
        waiver_reason=doc.get("waiver_reason"),
        location=_location(doc.get("location")),
        details=doc.get("details") or {},
        baseline=doc.get("baseline"),
    )


def _coverage(doc: Doc | None) -> CoverageSummary | None:
    if doc is None:
        return None
    covered = tuple(doc.get("covered_indexes") or ())
    return CoverageSummary(tuple(sorted((*covered, *doc["uncovered"]))), covered)


def _unused(doc: Doc) -> UnusedWaiver:
    where = doc["location"]
    location = Location(where["file"], where["line"], where["column"])
    return UnusedWaiver(doc["index"], doc["schedule"], doc["rule"], doc["reason"], location)


def report_from_document(doc: Doc) -> Report:
    return Report(
        now=parse_api_time(doc["now"]),
        spec=doc["spec"],
        fail_on=cast(FailOn, doc["fail_on"]),
        exit_code=doc["exit_code"],
        schedules=tuple(_schedule(s) for s in doc["schedules"]),
        findings=tuple(_finding(f) for f in doc["findings"]),
        coverage=_coverage(doc.get("coverage")),
        unused_waivers=tuple(_unused(w) for w in doc.get("unused_waivers") or ()),
    )


def load_report(path: Path) -> Report:
    """Read and validate a JSON report; any problem is a UsageError naming the file."""
    import jsonschema

    from checker.schemas_access import load_schema

    try:
        doc = jsonsafe.loads(path.read_bytes())
        jsonschema.validate(doc, load_schema("report.schema.json"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    except (ValueError, jsonschema.ValidationError) as exc:
        reason = exc.message if isinstance(exc, jsonschema.ValidationError) else "not JSON"
        raise UsageError(f"{path}: not a backup-drift JSON report: {reason}") from exc
    return report_from_document(cast(Doc, doc))  # the schema's top level is an object
