"""Small builders for model values, so rule tests state only what matters to them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from checker.evaluate import evaluate
from checker.model import (
    Declaration,
    FailOn,
    Finding,
    Index,
    Location,
    Missing,
    ProjectState,
    Report,
    Retention,
    Run,
    Schedule,
    Spec,
)
from checker.source.parse import stated_time
from checker.timeutil import parse_api_time

INDEX = "products-prod"
SCHEDULE_ID = "c688ed12-5a39-4254-9518-bd394b7f4886"


def t(text: str) -> datetime:
    """`t("2026-04-30T12:00")` -> an aware UTC datetime (seconds and Z optional)."""
    if len(text) == 10:
        text += "T00:00"
    return parse_api_time(text if text.endswith(("Z", "+00:00")) else text + "Z")


def declaration(**overrides: object) -> Declaration:
    base = Declaration(
        index=INDEX,
        name="nightly",
        id=None,
        frequency="daily",
        enabled=True,
        retention=Retention(expire_after_days=7),
        lookback=timedelta(days=30),
        grace=timedelta(hours=2),
        max_run_duration=timedelta(hours=6),
        max_age=None,
        max_gap=None,
        max_shrink=50,
        tolerate={},
        severity={},
        waivers=(),
        location=Location("schedules.yaml", 10, 5),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def schedule(**overrides: object) -> Schedule:
    base = Schedule(
        schedule_id=SCHEDULE_ID,
        name="nightly",
        index=INDEX,
        frequency="daily",
        retention_expire_after_days=7,
        enabled=True,
        next_scheduled_run=t("2026-05-01T06:00"),
        created_at=t("2026-01-01T00:00"),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def run(
    planned: str | datetime,
    status: str = "Ready",
    *,
    backup_id: str | None = None,
    name: str | None = "",
    created_at: datetime | None = None,
    scheduled_execution_at: datetime | None = None,
    record_count: int | None = None,
    size_bytes: int | None = None,
) -> Run:
    """A history row planned at `planned`, named `nightly-YYYYMMDDTHHMMSSZ` by default."""
    when = planned if isinstance(planned, datetime) else t(planned)
    if name == "":
        name = f"nightly-{when:%Y%m%dT%H%M%SZ}"
    created = created_at or when
    stated = stated_time(scheduled_execution_at, name)
    return Run(
        backup_id=backup_id or f"bkp-{when:%Y%m%d%H%M}",
        name=name,
        status=status,
        created_at=created,
        planned=stated or created,
        dated=stated is not None,
        record_count=record_count,
        size_bytes=size_bytes,
    )


def daily_runs(first: str, last: str, *, status: str = "Ready", hour: int = 6) -> list[Run]:
    """One run a day at `hour`:00 from `first` to `last` (dates, inclusive)."""
    day, end = t(first).replace(hour=hour), t(last).replace(hour=hour)
    runs = []
    while day <= end:
        runs.append(run(day, status))
        day += timedelta(days=1)
    return runs


def spec(*declarations: Declaration, **overrides: object) -> Spec:
    base = Spec(
        path="schedules.yaml",
        api_key_env="PINECONE_API_KEY",
        api_version=None,
        default_severity={},
        coverage=None,
        schedules=declarations,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def state(
    schedules: Iterable[Schedule] = (),
    runs: Iterable[Run] | Missing = (),
    *,
    backups: Iterable[str] | Missing | None = None,
    indexes: Mapping[str, Index] | Missing | None = None,
    schedule_list: Missing | None = None,
) -> ProjectState:
    """A one-index project; every schedule gets the same history unless `runs` is Missing."""
    listed = tuple(schedules)
    runs_value = runs if isinstance(runs, Missing) else tuple(runs)
    if backups is None:
        backups = [] if isinstance(runs_value, Missing) else [r.backup_id for r in runs_value]
    return ProjectState(
        indexes={INDEX: Index(INDEX, True)} if indexes is None else indexes,
        schedules={INDEX: schedule_list or listed},
        history={s.schedule_id: runs_value for s in listed},
        backups={INDEX: backups if isinstance(backups, Missing) else frozenset(backups)},
    )


def check(
    decl: Declaration,
    sched: Schedule | None,
    runs: Iterable[Run] | Missing,
    now: str,
    *,
    fail_on: FailOn = "error",
    **state_args: object,
) -> Report:
    if "backups" not in state_args and not isinstance(runs, Missing):
        state_args["backups"] = _unexpired(runs, t(now))
    project = state([sched] if sched else [], runs, **state_args)  # type: ignore[arg-type]
    return evaluate(spec(decl), project, t(now), fail_on)


def _unexpired(runs: Iterable[Run], now: datetime) -> list[str]:
    """The backups a 7-day retention keeps: what a healthy project's backup list shows."""
    return [r.backup_id for r in runs if r.created_at > now - timedelta(days=7)]


def findings(report: Report, rule: str | None = None) -> list[Finding]:
    return [f for f in report.findings if rule is None or f.rule == rule]


def ats(report: Report, rule: str) -> list[str]:
    return [f"{f.at:%Y-%m-%dT%H:%M}" if f.at else "-" for f in findings(report, rule)]


NOW = "2026-04-30T12:00"
