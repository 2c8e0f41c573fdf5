"""The example project behind `examples/snapshot/` and the Quick start.

A small, realistic Pinecone project judged at 2026-04-30T12:00Z against the repository's
`schedules.yaml`, with a few deliberate problems:

- products-prod/nightly: healthy (daily 06:00, 7-day retention, a week of restore points);
  an undeclared, paused `adhoc-test` schedule sits next to it (schedule-unmanaged).
- orders-prod/nightly: daily 02:00; no runs on 20-21 April (an outage, waived), none on
  27 April (missed-run), a failed run on 28 April (failed-run), hence two gaps. Its rows use
  `Z` and nine fractional digits, as parts of the live API do.
- users-prod/weekly: Sundays 03:00, but its retention was cut to 14 days (retention-drift).
- search-staging/nightly: paused, and declared `enabled: false`: configuration only.
- recs-prod: a production index with no schedule (index-uncovered); legacy-prod is a pod
  index and is never flagged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulator import EmulatorState, backups_from_history, make_index, make_run, make_schedule

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)


def _iso(t: datetime, style: str) -> str:
    if style == "z9":
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"
    return t.isoformat()


def _daily(
    schedule: str,
    index: str,
    first: datetime,
    last: datetime,
    *,
    style: str = "offset",
    skip: tuple[str, ...] = (),
    failed: tuple[str, ...] = (),
    records: int = 1_200_000,
) -> list[dict[str, Any]]:
    """Daily runs from `first` to `last`, newest first, as the API lists them."""
    rows, day, n = [], first, 0
    while day <= last:
        key = f"{day:%m-%d}"
        if key not in skip:
            status = "InitializationFailed" if key in failed else "Ready"
            planned = day.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            created = _iso(day + timedelta(seconds=3, microseconds=512_345), style)
            count = records + 1_500 * n if status == "Ready" else None
            size = count * 850 if count else None
            rows.append(
                make_run(
                    schedule,
                    planned,
                    status=status,
                    index=index,
                    created_at=created,
                    record_count=count,
                    size_bytes=size,
                )
            )
        day, n = day + timedelta(days=1), n + 1
    return rows[::-1]


def _recent(rows: list[dict[str, Any]], days: int) -> list[dict[str, Any]]:
    """The rows a `days`-day retention still keeps at NOW."""
    cutoff = NOW - timedelta(days=days)
    return [r for r in rows if _planned(r) > cutoff]


def _planned(row: dict[str, Any]) -> datetime:
    return datetime.strptime(row["name"].rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def build_state() -> EmulatorState:
    products = make_schedule(
        "products-prod",
        "nightly",
        retention_expire_after_days=7,
        next_scheduled_run="2026-05-01T06:00:00+00:00",
        created_at="2026-01-15T10:12:33.512345+00:00",
    )
    adhoc = make_schedule(
        "products-prod",
        "adhoc-test",
        frequency="weekly",
        retention_expire_after_days=1,
        enabled=False,
        created_at="2026-04-02T15:40:00.000000+00:00",
    )
    orders = make_schedule(
        "orders-prod",
        "nightly",
        retention_expire_after_days=14,
        next_scheduled_run="2026-05-01T02:00:00Z",
        created_at="2025-11-03T08:00:00Z",
    )
    users = make_schedule(
        "users-prod",
        "weekly",
        frequency="weekly",
        retention_expire_after_days=14,
        next_scheduled_run="2026-05-03T03:00:00+00:00",
        created_at="2025-12-01T09:30:00+00:00",
    )
    staging = make_schedule(
        "search-staging",
        "nightly",
        retention_expire_after_days=3,
        enabled=False,
        created_at="2026-02-01T00:00:00+00:00",
    )
    start = datetime(2026, 3, 20, tzinfo=UTC)
    products_runs = [
        make_run(
            "nightly",
            "2026-05-01T06:00:00+00:00",
            status="Scheduled",
            index="products-prod",
            created_at="2026-04-30T06:00:04.100000+00:00",
        ),
        *_daily("nightly", "products-prod", start.replace(hour=6), NOW.replace(hour=6)),
    ]
    orders_runs = _daily(
        "nightly",
        "orders-prod",
        start.replace(hour=2),
        NOW.replace(hour=2),
        style="z9",
        skip=("04-20", "04-21", "04-27"),
        failed=("04-28",),
        records=8_400_000,
    )
    users_runs = [
        make_run(
            "weekly",
            f"{d:%Y-%m-%d}T03:00:00+00:00",
            index="users-prod",
            record_count=310_000 + 900 * i,
            size_bytes=(310_000 + 900 * i) * 600,
        )
        for i, d in enumerate(
            datetime(2026, 2, 1, tzinfo=UTC) + timedelta(weeks=w) for w in range(13)
        )
    ][::-1]
    staging_runs = _daily("nightly", "search-staging", start, datetime(2026, 4, 10, tzinfo=UTC))
    return EmulatorState(
        indexes=[
            make_index("products-prod"),
            make_index("orders-prod"),
            make_index("users-prod", "byoc", environment="aws-us-east-1-b921"),
            make_index("search-staging"),
            make_index("recs-prod"),
            make_index("legacy-prod", "pod", environment="us-east1-gcp"),
        ],
        schedules={
            "products-prod": [products, adhoc],
            "orders-prod": [orders],
            "users-prod": [users],
            "search-staging": [staging],
            "recs-prod": [],
        },
        history={
            products["schedule_id"]: products_runs,
            adhoc["schedule_id"]: [],
            orders["schedule_id"]: orders_runs,
            users["schedule_id"]: users_runs,
            staging["schedule_id"]: staging_runs,
        },
        backups={
            "products-prod": backups_from_history(_recent(products_runs, 7), index="products-prod"),
            "orders-prod": backups_from_history(_recent(orders_runs, 14), index="orders-prod"),
            "users-prod": backups_from_history(_recent(users_runs, 14), index="users-prod"),
            "search-staging": backups_from_history(
                _recent(staging_runs, 3), index="search-staging"
            ),
            "recs-prod": [],
        },
    )
