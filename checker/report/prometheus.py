"""The Prometheus report (`--format prometheus`): metrics for node_exporter's textfile collector.

Run the check on a timer with `-f prometheus -o <textfile dir>/backup_drift.prom`; the CLI
writes the file with `write_atomically`, so node_exporter never reads half of one. Metrics
(all gauges, names prefixed `backup_drift_`):

- `last_run_timestamp_seconds`: the report's `now`, the instant the check judged;
- `last_success_timestamp_seconds`: the same instant, present only when the check completed
  (exit code 0 or 1, with or without findings); a run that could not check (exit 3) leaves it
  out, so alert on `backup_drift_exit_code == 3` and on the age of `last_run` as well;
- `exit_code`: the run's exit code;
- `run_duration_seconds`: only when the caller measured it (the report itself holds no
  duration, and inventing one would break reproducible output);
- `findings{rule,severity}`: findings that still count (neither waived nor known from the
  `--baseline` report), one series per combination that occurs;
- `waived_findings{rule}`: waived findings, one series per rule that has some;
- `baseline_findings{rule}`: unwaived findings the `--baseline` report already had;
- `schedule_status{index,schedule,status}`: for every row of the report, one series per status
  (pass, fail, unknown) valued 1 for the current one and 0 for the others, so a status change
  never leaves a stale series behind;
- `last_good_backup_timestamp_seconds{index,schedule}`: only when known.

Series are never duplicated (node_exporter would reject the whole file): rows whose labels
coincide are merged, the worst status and the newest good backup winning. Samples carry no
timestamp, which the textfile collector forbids. Output order is fixed, so the file diffs cleanly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.model import Finding, Report, ScheduleResult
from checker.report.escape import prometheus_label_value

PREFIX = "backup_drift_"
STATUSES = ("pass", "fail", "unknown")  # in rising order of concern

Labels = tuple[tuple[str, str], ...]
"""Label names and already escaped values, in output order."""


@dataclass(frozen=True)
class _Family:
    name: str
    help: str
    samples: tuple[tuple[Labels, float], ...]


def render(report: Report, duration_seconds: float | None = None) -> str:
    """The report as a textfile-collector file; families without samples are left out.

    The run's duration is `duration_seconds` when given, else the report's own.
    """
    duration = duration_seconds if duration_seconds is not None else report.duration_seconds
    families = [f for f in _families(report, duration) if f.samples]
    return "".join(_family_text(family) for family in families)


def _families(report: Report, duration_seconds: float | None) -> list[_Family]:
    return [
        *_run_families(report, duration_seconds),
        *_finding_families(report.findings),
        *_schedule_families(report.schedules),
    ]


def _run_families(report: Report, duration_seconds: float | None) -> list[_Family]:
    """When the run judged, whether it completed, how it ended and how long it took."""
    now: list[tuple[Labels, float]] = [((), report.now.timestamp())]
    completed = report.exit_code in (0, 1)
    duration = [] if duration_seconds is None else [((), duration_seconds)]
    return [
        _gauge("last_run_timestamp_seconds", "Unix time the check judged (its --now).", now),
        _gauge(
            "last_success_timestamp_seconds",
            "Unix time of this run if the check completed (exit code 0 or 1).",
            now if completed else [],
        ),
        _gauge(
            "exit_code",
            "Exit code of the run: 0 pass, 1 findings, 3 could not check.",
            [((), report.exit_code)],
        ),
        _gauge("run_duration_seconds", "Wall-clock seconds the run took.", duration),
    ]


def _finding_families(findings: Sequence[Finding]) -> list[_Family]:
    return [
        _gauge(
            "findings",
            "Findings that count (not waived, not in the baseline) by rule and severity.",
            _findings(findings),
        ),
        _gauge("waived_findings", "Waived findings by rule.", _waived(findings)),
        _gauge(
            "baseline_findings",
            "Unwaived findings already in the --baseline report, by rule.",
            _known(findings),
        ),
    ]


def _schedule_families(schedules: Sequence[ScheduleResult]) -> list[_Family]:
    return [
        _gauge(
            "schedule_status",
            "1 for the schedule's current status (pass, fail, unknown), 0 for the others.",
            _statuses(schedules),
        ),
        _gauge(
            "last_good_backup_timestamp_seconds",
            "Unix time of the schedule's newest good (Ready) backup, when known.",
            _last_good(schedules),
        ),
    ]


def _gauge(name: str, help_text: str, samples: Iterable[tuple[Labels, float]]) -> _Family:
    return _Family(PREFIX + name, help_text, tuple(samples))


# --------------------------------------------------------------------------- samples


def _labels(**values: str) -> Labels:
    return tuple((name, prometheus_label_value(value)) for name, value in values.items())


def _findings(findings: Iterable[Finding]) -> list[tuple[Labels, float]]:
    """Findings that still count: neither waived nor known from the baseline."""
    counts = Counter(
        _labels(rule=f.rule, severity=f.severity)
        for f in findings
        if not f.waived and f.baseline != "known"
    )
    return sorted(counts.items())


def _waived(findings: Iterable[Finding]) -> list[tuple[Labels, float]]:
    counts = Counter(_labels(rule=f.rule) for f in findings if f.waived)
    return sorted(counts.items())


def _known(findings: Iterable[Finding]) -> list[tuple[Labels, float]]:
    counts = Counter(
        _labels(rule=f.rule) for f in findings if not f.waived and f.baseline == "known"
    )
    return sorted(counts.items())


def _schedule_labels(result: ScheduleResult) -> Labels:
    """A row's identity; a row that names no schedule (a coverage index) has schedule=""."""
    return _labels(index=result.index, schedule=result.name or "")


def _statuses(schedules: Sequence[ScheduleResult]) -> list[tuple[Labels, float]]:
    """One series per (row, status); rows with equal labels keep their worst status."""
    worst: dict[Labels, str] = {}
    for result in schedules:
        key = _schedule_labels(result)
        worst[key] = max(worst.get(key, "pass"), result.status, key=STATUSES.index)
    return [
        ((*key, ("status", status)), 1 if status == current else 0)
        for key, current in worst.items()
        for status in STATUSES
    ]


def _last_good(schedules: Sequence[ScheduleResult]) -> list[tuple[Labels, float]]:
    """Newest good backup per row; rows with equal labels keep the newest."""
    newest: dict[Labels, float] = {}
    for result in schedules:
        if result.last_success is not None:
            key = _schedule_labels(result)
            newest[key] = max(newest.get(key, -math.inf), result.last_success.timestamp())
    return list(newest.items())


# --------------------------------------------------------------------------- text


def _family_text(family: _Family) -> str:
    lines = [f"# HELP {family.name} {family.help}", f"# TYPE {family.name} gauge"]
    lines += [f"{family.name}{_label_text(labels)} {_number(v)}" for labels, v in family.samples]
    return "\n".join(lines) + "\n"


def _label_text(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{value}"' for name, value in labels) + "}"


def _number(value: float) -> str:
    """A sample value as the exposition format spells it: `3`, `1777528803.123456`, `+Inf`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


# --------------------------------------------------------------------------- file
