"""Raw API page bodies -> model values, validating exactly the fields the rules use.

Shared by the live client and the snapshot reader, so a replay goes through the same code as
the check that recorded it. Extra fields are ignored; a missing or mistyped field we use
raises ValueError (the caller turns it into an unreadable listing). Rows that appear on
several pages (the token encodes an offset) are deduplicated by id, the later page winning.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from checker.model import Index, Run, Schedule
from checker.timeutil import parse_api_time, time_from_run_name

T = TypeVar("T")
Row = Mapping[str, object]
_ABSENT = object()  # a key not in the row (None is a value the API sends)


def decode(body: bytes) -> object:
    """JSON-decode a page; ValueError when it is not JSON."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("body is not JSON") from exc


def _field(row: Row, key: str, kind: type[T], *, nullable: bool = False) -> T | None:
    """`row[key]` if it is a `kind` (a bool is no int), None if nullable and null or absent.

    Called for every field of every row (a year of history is ~600k calls), hence one lookup
    and an exact-type test first; the general test only runs for subclasses and errors.
    """
    value = row.get(key, _ABSENT)
    if type(value) is kind:
        return value
    if value is _ABSENT or value is None:
        if nullable:
            return None
        if value is _ABSENT:
            raise ValueError(f"field {key!r} is missing")
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {key!r} is not of type {kind.__name__}")
    return value


def _required(row: Row, key: str, kind: type[T]) -> T:
    found = row.get(key, _ABSENT)
    if type(found) is kind:  # the usual case, without a second call
        return found
    value = _field(row, key, kind)
    if value is None:  # unreachable for non-nullable fields; keeps the type checker honest
        raise ValueError(f"field {key!r} is missing")
    return value


def _time(row: Row, key: str, *, nullable: bool = False) -> datetime | None:
    text = _field(row, key, str, nullable=nullable)
    if text is None:
        return None
    try:
        return parse_api_time(text)
    except ValueError as exc:
        raise ValueError(f"field {key!r} is not a timestamp: {text[:40]!r}") from exc


def _required_time(row: Row, key: str) -> datetime:
    value = _time(row, key)
    if value is None:
        raise ValueError(f"field {key!r} is missing")
    return value


def _as_object(body: object) -> Mapping[str, object]:
    if not isinstance(body, dict):
        raise ValueError("the body is not a JSON object")
    return body


def _rows(body: object, key: str) -> list[Row]:
    rows = _as_object(body).get(key)
    if not isinstance(rows, list):
        raise ValueError(f"the body has no {key!r} list")
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"row {position} is not an object")
    return rows


def check_page(body: object) -> None:
    """The envelope of a paginated page: `data` list, `pagination` null or {next: str}."""
    _rows(body, "data")
    pagination = _as_object(body).get("pagination")
    if pagination is not None and not (
        isinstance(pagination, dict) and isinstance(pagination.get("next", ""), str)
    ):
        raise ValueError("field 'pagination' is malformed")


def _parse_rows(
    pages: Iterable[object], parse: Callable[[Row], T], key: Callable[[T], str]
) -> tuple[T, ...]:
    """Parse every row of every page; a row seen again replaces the earlier copy."""
    return merge_rows((_parse_page(n, body, parse) for n, body in enumerate(pages, 1)), key)


def _parse_page(number: int, body: object, parse: Callable[[Row], T]) -> list[T]:
    check_page(body)
    items = []
    for position, row in enumerate(_rows(body, "data")):
        try:
            items.append(parse(row))
        except ValueError as exc:
            raise ValueError(f"page {number}, row {position}: {exc}") from exc
    return items


def merge_rows(pages: Iterable[Sequence[T]], key: Callable[[T], str]) -> tuple[T, ...]:
    """The items of several pages as one listing: an item seen again (same key, on the same
    page or a later one) replaces the earlier copy, in the place of its last appearance.

    So pages parsed one at a time and merged give exactly what parsing them together gives:
    the live client parses each page once, as it checks it, and merges them here.
    """
    latest: dict[str, T] = {}
    for items in pages:
        for item in items:
            item_key = key(item)
            latest.pop(item_key, None)
            latest[item_key] = item
    return tuple(latest.values())


# --------------------------------------------------------------------------- indexes


def _schedulable(row: Row) -> bool:
    """Serverless (`managed`) and BYOC indexes can have schedules; pod indexes cannot.

    2026-07 says so in `deployment.deployment_type`; `unstable` in the keys of `spec`.
    """
    deployment = row.get("deployment")
    if isinstance(deployment, dict):
        return deployment.get("deployment_type") in ("managed", "byoc")
    spec = row.get("spec")
    if isinstance(spec, dict):
        return "serverless" in spec or "byoc" in spec
    raise ValueError("index has neither 'deployment' nor 'spec'")


def parse_index(row: Row) -> Index:
    return Index(name=_required(row, "name", str), schedulable=_schedulable(row))


def parse_indexes(body: object) -> dict[str, Index]:
    indexes = {}
    for position, row in enumerate(_rows(body, "indexes")):
        try:
            index = parse_index(row)
        except ValueError as exc:
            raise ValueError(f"index {position}: {exc}") from exc
        indexes[index.name] = index
    return indexes


# --------------------------------------------------------------------------- schedules


def parse_schedule(row: Row, index: str) -> Schedule:
    return Schedule(
        schedule_id=_required(row, "schedule_id", str),
        name=_required(row, "name", str),
        index=index,
        frequency=_required(row, "frequency", str),
        retention_expire_after_days=_required(row, "retention_expire_after_days", int),
        enabled=_required(row, "enabled", bool),
        next_scheduled_run=_time(row, "next_scheduled_run", nullable=True),
        created_at=_required_time(row, "created_at"),
    )


def _schedule_id(schedule: Schedule) -> str:
    return schedule.schedule_id


def parse_schedules(pages: Sequence[object], index: str) -> tuple[Schedule, ...]:
    return _parse_rows(pages, lambda row: parse_schedule(row, index), _schedule_id)


def merge_schedules(pages: Sequence[tuple[Schedule, ...]]) -> tuple[Schedule, ...]:
    """`parse_schedules` of several pages, from each page's own `parse_schedules`."""
    return merge_rows(pages, _schedule_id)


# --------------------------------------------------------------------------- history


def parse_run(row: Row) -> Run:
    name = _field(row, "name", str, nullable=True)
    return Run(
        backup_id=_required(row, "backup_id", str),
        name=name,
        status=_required(row, "status", str),
        created_at=_required_time(row, "created_at"),
        scheduled_execution_at=_time(row, "scheduled_execution_at", nullable=True),
        name_time=time_from_run_name(name) if name else None,
        record_count=_field(row, "record_count", int, nullable=True),
        size_bytes=_field(row, "size_bytes", int, nullable=True),
    )


def _run_id(run: Run) -> str:
    return run.backup_id


def parse_history(pages: Sequence[object]) -> tuple[Run, ...]:
    return _parse_rows(pages, parse_run, _run_id)


def merge_history(pages: Sequence[tuple[Run, ...]]) -> tuple[Run, ...]:
    """`parse_history` of several pages, from each page's own `parse_history`."""
    return merge_rows(pages, _run_id)


# --------------------------------------------------------------------------- backups


def _backup_id(row: Row) -> str:
    return _required(row, "backup_id", str)


def parse_backups(pages: Sequence[object]) -> frozenset[str]:
    return frozenset(_parse_rows(pages, _backup_id, lambda b: b))


def merge_backups(pages: Sequence[frozenset[str]]) -> frozenset[str]:
    """`parse_backups` of several pages, from each page's own `parse_backups`."""
    return frozenset().union(*pages)
