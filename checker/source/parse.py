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


def decode(body: bytes) -> object:
    """JSON-decode a page; ValueError when it is not JSON."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("body is not JSON") from exc


def _field(row: Row, key: str, kind: type[T], *, nullable: bool = False) -> T | None:
    if key not in row:
        if nullable:
            return None
        raise ValueError(f"field {key!r} is missing")
    value = row[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {key!r} is not of type {kind.__name__}")
    return value


def _required(row: Row, key: str, kind: type[T]) -> T:
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
    latest: dict[str, T] = {}
    for page_number, body in enumerate(pages, start=1):
        check_page(body)
        for position, row in enumerate(_rows(body, "data")):
            try:
                item = parse(row)
            except ValueError as exc:
                raise ValueError(f"page {page_number}, row {position}: {exc}") from exc
            latest.pop(key(item), None)
            latest[key(item)] = item
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


def parse_schedules(pages: Sequence[object], index: str) -> tuple[Schedule, ...]:
    return _parse_rows(pages, lambda row: parse_schedule(row, index), lambda s: s.schedule_id)


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


def parse_history(pages: Sequence[object]) -> tuple[Run, ...]:
    return _parse_rows(pages, parse_run, lambda r: r.backup_id)


# --------------------------------------------------------------------------- backups


def _backup_id(row: Row) -> str:
    return _required(row, "backup_id", str)


def parse_backups(pages: Sequence[object]) -> frozenset[str]:
    return frozenset(_parse_rows(pages, _backup_id, lambda b: b))
