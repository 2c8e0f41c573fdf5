"""The project state the emulator serves, and builders for schema-valid Pinecone objects.

Everything is kept as raw JSON-able values so that a test controls the exact bytes on the wire
(timestamps with `Z` or `+00:00`, 0, 6 or 9 fractional digits, missing optional fields). The
builders fill every field that the 2026-07 OpenAPI schemas require, with deterministic ids
(uuid5 of the names) so that golden files stay stable.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ID = "71ce31ea-75f7-45d6-a147-ef67f661a1b0"
DEFAULT_INDEX = "products-prod"
DEFAULT_CLOUD = "aws"
DEFAULT_REGION = "us-east-1"

_IDS = uuid.UUID("6f1c2b1e-3d0a-4e57-9a55-0b6a1f0c9e11")  # namespace of every generated id


class _Default:
    """Marks "argument not given" where `None` is a meaningful value (e.g. omit a field)."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()


@dataclass
class EmulatorState:
    """What the emulated project holds; tests may mutate it between requests."""

    indexes: list[dict[str, Any]] = field(default_factory=list)
    schedules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by index name
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by schedule_id
    backups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by index name
    plan_allows_backups: bool = True

    def index_names(self) -> set[str]:
        return {str(index["name"]) for index in self.indexes}

    def schedule_ids(self) -> set[str]:
        """Known schedule ids: those of every schedule, plus any history recorded directly."""
        ids = {str(s["schedule_id"]) for rows in self.schedules.values() for s in rows}
        return ids | set(self.history)

    def to_json(self) -> dict[str, Any]:
        return {
            "indexes": self.indexes,
            "schedules": self.schedules,
            "history": self.history,
            "backups": self.backups,
            "plan_allows_backups": self.plan_allows_backups,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmulatorState:
        return cls(
            indexes=list(data.get("indexes", [])),
            schedules=dict(data.get("schedules", {})),
            history=dict(data.get("history", {})),
            backups=dict(data.get("backups", {})),
            plan_allows_backups=bool(data.get("plan_allows_backups", True)),
        )


def load_state(path: str | Path) -> EmulatorState:
    """Read a state file written by `EmulatorState.to_json` (used by `python -m tests.emulator`)."""
    return EmulatorState.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- ids and times


def make_id(*parts: str) -> str:
    """A stable uuid for the given names, so that repeated test runs produce the same bytes."""
    return str(uuid.uuid5(_IDS, "\x1f".join(parts)))


def index_id(index: str) -> str:
    return make_id("index", index)


def parse_time(value: str) -> datetime:
    """Parse an ISO-8601 instant (`Z` or offset, up to 9 fractional digits) into UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value!r}")
    return parsed.astimezone(UTC)


def name_suffix(planned: str) -> str:
    """The `YYYYMMDDTHHMMSSZ` suffix the API appends to a scheduled backup's name."""
    return parse_time(planned).strftime("%Y%m%dT%H%M%SZ")


# --------------------------------------------------------------------------- indexes


def _dense_schema(dimension: int, metric: str) -> dict[str, Any]:
    """The schema an index created through the vectors API reports (dense + sparse fields)."""
    return {
        "fields": {
            "_values": {"type": "dense_vector", "dimension": dimension, "metric": metric},
            "_sparse_values": {"type": "sparse_vector"},
        }
    }


def _deployment(kind: str, cloud: str, region: str, environment: str | None) -> dict[str, Any]:
    if kind == "managed":
        return {"deployment_type": "managed", "cloud": cloud, "region": region}
    if kind == "byoc":
        return {"deployment_type": "byoc", "environment": environment or "aws-us-east-1-b921"}
    if kind == "pod":
        return {
            "deployment_type": "pod",
            "environment": environment or "us-east1-gcp",
            "pod_type": "p1.x1",
            "replicas": 1,
            "shards": 1,
        }
    raise ValueError(f"unknown index kind {kind!r}: use managed, byoc or pod")


def make_index(
    name: str,
    kind: str = "managed",
    *,
    dimension: int = 1536,
    metric: str = "cosine",
    cloud: str = DEFAULT_CLOUD,
    region: str = DEFAULT_REGION,
    environment: str | None = None,
    state: str = "Ready",
    deletion_protection: str = "disabled",
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An IndexModel (2026-07 shape); `kind` is the deployment type: managed, byoc or pod."""
    index: dict[str, Any] = {
        "name": name,
        "host": f"{name}-{index_id(name)[:7]}.svc.{region}.pinecone.io",
        "status": {"ready": state == "Ready", "state": state},
        "deployment": _deployment(kind, cloud, region, environment),
        "schema": _dense_schema(dimension, metric),
        "deletion_protection": deletion_protection,
        "tags": tags,
    }
    if kind == "managed":
        index["read_capacity"] = {"mode": "OnDemand", "status": {"state": "Ready"}}
    return index


def _unstable_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    """The older `spec` object that corresponds to a 2026-07 `deployment` object."""
    kind = deployment.get("deployment_type")
    if kind == "managed":
        return {"serverless": {"cloud": deployment["cloud"], "region": deployment["region"]}}
    if kind == "byoc":
        return {"byoc": {"environment": deployment["environment"]}}
    if kind == "pod":
        replicas, shards = deployment.get("replicas", 1), deployment.get("shards", 1)
        pod = {"environment": deployment["environment"], "pod_type": deployment["pod_type"]}
        return {"pod": {**pod, "replicas": replicas, "shards": shards, "pods": replicas * shards}}
    rest = {k: v for k, v in deployment.items() if k != "deployment_type"}
    return {str(kind): rest}


def _dense_field(index: dict[str, Any]) -> dict[str, Any] | None:
    fields = (index.get("schema") or {}).get("fields") or {}
    dense = [f for f in fields.values() if isinstance(f, dict) and f.get("type") == "dense_vector"]
    return dense[0] if dense else None


def to_unstable_index(index: dict[str, Any]) -> dict[str, Any]:
    """Render a 2026-07 index in the `unstable` shape (`spec` instead of `deployment`)."""
    dense = _dense_field(index)
    old: dict[str, Any] = {"name": index["name"]}
    if dense is not None:
        old["dimension"] = dense.get("dimension")
    old["metric"] = dense.get("metric") if dense is not None else "dotproduct"
    old["host"] = index.get("host")
    old["spec"] = _unstable_spec(index.get("deployment") or {})
    old["status"] = index.get("status")
    old["deletion_protection"] = index.get("deletion_protection", "disabled")
    old["vector_type"] = "dense" if dense is not None else "sparse"
    if index.get("tags") is not None:
        old["tags"] = index["tags"]
    return old


# --------------------------------------------------------------------------- schedules


def make_schedule(
    index: str,
    name: str,
    *,
    schedule_id: str | None = None,
    frequency: str = "daily",
    retention_expire_after_days: int = 7,
    enabled: bool = True,
    next_scheduled_run: Any = DEFAULT,
    created_at: str = "2026-01-01T00:00:00+00:00",
) -> dict[str, Any]:
    """A BackupScheduleResponse; the default `next_scheduled_run` is null when disabled."""
    if next_scheduled_run is DEFAULT:
        next_scheduled_run = "2026-05-01T06:00:00+00:00" if enabled else None
    return {
        "schedule_id": schedule_id or make_id("schedule", index, name),
        "name": name,
        "index_id": index_id(index),
        "project_id": PROJECT_ID,
        "schedule_type": "time-based",
        "frequency": frequency,
        "retention_expire_after_days": retention_expire_after_days,
        "enabled": enabled,
        "next_scheduled_run": next_scheduled_run,
        "created_at": created_at,
    }


# --------------------------------------------------------------------------- history and backups


def make_run(
    schedule_name: str,
    planned: str,
    *,
    status: str = "Ready",
    index: str = DEFAULT_INDEX,
    backup_id: str | None = None,
    created_at: str | None = None,
    scheduled_execution_at: Any = DEFAULT,
    record_count: Any = DEFAULT,
    size_bytes: Any = DEFAULT,
    name: Any = DEFAULT,
    cloud: str = DEFAULT_CLOUD,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    """A BackupScheduleHistoryItem for the run planned at `planned`.

    Defaults follow the live API: the name carries the planned time, counts are null until the
    run is Ready, and `scheduled_execution_at` is present only while the run is Scheduled. Pass
    `name=None` to omit the name (the live API does this for some Initializing rows, although
    the schema requires it) and `scheduled_execution_at=None` to omit that field.
    """
    ready = status == "Ready"
    row: dict[str, Any] = {
        "backup_id": backup_id or make_id("backup", index, schedule_name, planned),
        "source_index_id": index_id(index),
        "source_index_name": index,
        "tags": None,
        "description": None,
        "status": status,
        "cloud": cloud,
        "region": region,
        "schema": _dense_schema(1536, "cosine"),
        "record_count": (1000 if ready else None) if record_count is DEFAULT else record_count,
        "namespace_count": 1 if ready else None,
        "size_bytes": (1_000_000 if ready else None) if size_bytes is DEFAULT else size_bytes,
        "created_at": created_at or planned,
    }
    if name is DEFAULT:
        name = f"{schedule_name}-{name_suffix(planned)}"
    if name is not None:
        row["name"] = name
    if scheduled_execution_at is DEFAULT:
        scheduled_execution_at = planned if status == "Scheduled" else None
    if scheduled_execution_at is not None:
        row["scheduled_execution_at"] = scheduled_execution_at
    return row


_BACKUP_FIELDS = (
    "backup_id",
    "source_index_name",
    "source_index_id",
    "name",
    "status",
    "cloud",
    "region",
    "schema",
    "record_count",
    "namespace_count",
    "size_bytes",
    "created_at",
)


def backups_from_history(
    runs: Iterable[dict[str, Any]], *, index: str, exclude: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """BackupModel rows for the Ready runs of `index`, minus the backup ids in `exclude`.

    `exclude` stands for backups that have expired (or were deleted) since they ran.
    BackupModel's counts are not nullable, so null counts are left out rather than copied.
    """
    gone = set(exclude)
    backups = []
    for run in runs:
        if run.get("status") != "Ready" or run["backup_id"] in gone:
            continue
        backup = {k: run[k] for k in _BACKUP_FIELDS if run.get(k) is not None}
        backups.append({**backup, "source_index_name": index, "source_index_id": index_id(index)})
    return backups
