"""A synthetic fleet of healthy indexes, for the scale tests and the benchmarks.

`indexes` serverless indexes `idx-000`, `idx-001`, ..., each with one daily schedule `nightly`
at 06:00 that ran (Ready) every day for `runs` days up to NOW, a 7-day retention and the
backups that retention keeps. The spec declares every one of them, so a check reads the index
list, then per index its schedule list, its history (`runs / page_size` pages) and its
backups, and finds nothing wrong: the work is all fetching and judging, no findings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulator import EmulatorState, backups_from_history, make_index, make_run, make_schedule

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
NOW_TEXT = "2026-04-30T12:00:00Z"
RETENTION_DAYS = 7


def index_name(number: int) -> str:
    return f"idx-{number:03d}"


def fleet_runs(index: str, runs: int) -> list[dict[str, Any]]:
    """Daily Ready runs at 06:00 ending on NOW's day, newest first (as the API lists them)."""
    last = NOW.replace(hour=6, minute=0, second=0, microsecond=0)
    days = (last - timedelta(days=n) for n in range(runs))
    return [make_run("nightly", f"{day:%Y-%m-%dT%H:%M:%S}+00:00", index=index) for day in days]


def fleet_state(indexes: int, runs: int) -> EmulatorState:
    """The emulator state of the fleet (see the module docstring)."""
    names = [index_name(n) for n in range(indexes)]
    schedules = {name: [_schedule(name, runs)] for name in names}
    history: dict[str, list[dict[str, Any]]] = {}
    backups: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        rows = fleet_runs(name, runs)
        history[schedules[name][0]["schedule_id"]] = rows
        backups[name] = backups_from_history(rows[:RETENTION_DAYS], index=name)
    return EmulatorState(
        indexes=[make_index(name) for name in names],
        schedules=schedules,
        history=history,
        backups=backups,
    )


def _schedule(index: str, runs: int) -> dict[str, Any]:
    created = NOW - timedelta(days=runs + 1)
    return make_schedule(
        index,
        "nightly",
        retention_expire_after_days=RETENTION_DAYS,
        next_scheduled_run="2026-05-01T06:00:00+00:00",
        created_at=f"{created:%Y-%m-%dT%H:%M:%S}+00:00",
    )


def fleet_spec(indexes: int) -> str:
    """schedules.yaml declaring every index of the fleet."""
    entries = "".join(
        f"  - index: {index_name(n)}\n"
        "    name: nightly\n"
        "    frequency: daily\n"
        f"    retention: {{expire_after_days: {RETENTION_DAYS}}}\n"
        for n in range(indexes)
    )
    return f"version: 1\nschedules:\n{entries}"
