"""The frozen values that flow between the stages: Spec -> ProjectState -> Report.

No stage passes a raw dict to the next one. Every datetime here is timezone-aware UTC;
every duration is a `timedelta`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, repeat
from operator import eq
from typing import Literal, NamedTuple, overload

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly", "monthly")

Severity = Literal["error", "warning", "notice"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")  # highest first
SeveritySetting = Literal["error", "warning", "notice", "off"]
FailOn = Literal["error", "warning", "notice", "never"]

DEFAULT_API_KEY_ENV = "PINECONE_API_KEY"
DEFAULT_API_VERSION = "2026-07"
SUPPORTED_API_VERSIONS = ("2026-07", "unstable")


def severity_rank(severity: Severity) -> int:
    """0 for error, 1 for warning, 2 for notice: lower is more severe."""
    return SEVERITIES.index(severity)


# --------------------------------------------------------------------------- spec


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    expires: datetime
    start: datetime | None  # spec key `from`
    until: datetime | None
    location: Location


@dataclass(frozen=True)
class Retention:
    expire_after_days: int
    min_ready: int | None = None
    restore_window: timedelta | None = None


@dataclass(frozen=True)
class Declaration:
    """One entry of `schedules:`, with every default from `defaults:` already merged in."""

    index: str
    name: str | None  # None only when `id` is given
    id: str | None
    frequency: Frequency
    enabled: bool
    retention: Retention
    lookback: timedelta
    grace: timedelta
    max_run_duration: timedelta
    max_age: timedelta | None
    max_gap: timedelta | None
    max_shrink: int  # whole percent, 1..100
    tolerate: Mapping[str, int]
    severity: Mapping[str, SeveritySetting]  # defaults.severity merged with the schedule's
    waivers: tuple[Waiver, ...]
    location: Location  # where the declaration starts (its `- index:` line)

    @property
    def label(self) -> str:
        """How reports name this declaration before it is matched to a live schedule."""
        return self.name if self.name is not None else (self.id or "")


@dataclass(frozen=True)
class Coverage:
    indexes: tuple[str, ...]  # fnmatch-style globs; never empty (an empty list means no coverage)
    unmanaged: SeveritySetting  # default "warning"
    location: Location


@dataclass(frozen=True)
class Spec:
    path: str
    api_key_env: str
    api_version: str | None  # None: not set in the spec
    default_severity: Mapping[str, SeveritySetting]  # for findings that belong to no declaration
    coverage: Coverage | None
    schedules: tuple[Declaration, ...]
    location: Location = field(default_factory=lambda: Location("", 1, 1))


# --------------------------------------------------------------------------- API state


@dataclass(frozen=True)
class Index:
    name: str
    schedulable: bool  # serverless (managed) or BYOC; pod indexes cannot have schedules


@dataclass(frozen=True)
class Schedule:
    schedule_id: str
    name: str
    index: str
    frequency: str  # as the API says; may be a value this tool does not know
    retention_expire_after_days: int
    enabled: bool
    next_scheduled_run: datetime | None
    created_at: datetime


# Run statuses by class (RULES.md "Runs"); any status in none of these is of class unknown.
# Sets, for the filters that run over every row of every history.
SUCCESS_STATUSES = frozenset({"Ready"})
FAILURE_STATUSES = frozenset({"InitializationFailed", "Failed"})
PENDING_STATUSES = frozenset({"Scheduled", "Initializing", "Pending"})
KNOWN_STATUSES = SUCCESS_STATUSES | FAILURE_STATUSES | PENDING_STATUSES


class Run(NamedTuple):
    """One row of a schedule's history, in the API's order (deduplicated, later page wins).

    A named tuple rather than a frozen dataclass, equally immutable: runs are built in bulk
    (from a `History`'s columns, for the rows a rule looks at), and building a tuple costs a
    fifth as much.
    """

    backup_id: str
    name: str | None
    status: str
    created_at: datetime
    # When the run was planned (RULES.md "Runs"): `scheduled_execution_at`, else the time at the
    # end of its name (then `dated`), else `created_at`. The timeline re-dates the one undated
    # row that stands for the next planned run from the schedule's `next_scheduled_run`.
    planned: datetime
    dated: bool  # `planned` was stated by the row itself, not taken from `created_at`
    record_count: int | None = None
    size_bytes: int | None = None


# What `Run._make` does, without its Python frame, for `map` over a history's rows.
_make_run = tuple.__new__


def _run_of(column: Sequence[object], positions: range) -> Sequence[object]:
    """`column` at consecutive `positions` (step 1 or -1) by slicing, which costs less than
    an item lookup per position: a newest-first history's window is such a run of rows."""
    if not positions:
        return ()
    low, high = min(positions[0], positions[-1]), max(positions[0], positions[-1])
    if not 0 <= low <= high < len(column):  # out of range: the item lookups say so
        return [column[at] for at in positions]
    part = column[low : high + 1]
    return part if positions.step == 1 else part[::-1]


class History(Sequence[Run]):
    """A schedule's runs as columns, in the API's order: row `i` of every column is run `i`.

    A year of daily history for hundreds of indexes is ~100k rows, and the rules look closely
    at few of them (the judged window, the last good run, runs whose backup still exists). So
    the parser fills columns in C-level passes, the timeline sorts and filters positions, and
    a `Run` is built only for a row a rule asks for. A History reads like a sequence of runs
    and equals a tuple or list of the same runs, so tests and small callers can treat it as
    one.
    """

    __slots__ = (
        "backup_ids",
        "created",
        "dated",
        "names",
        "planned",
        "record_counts",
        "sizes",
        "statuses",
    )

    def __init__(
        self,
        backup_ids: tuple[str, ...],
        names: tuple[str | None, ...],
        statuses: tuple[str, ...],
        created: tuple[datetime, ...],
        planned: tuple[datetime, ...],
        dated: tuple[bool, ...],
        record_counts: tuple[int | None, ...],
        sizes: tuple[int | None, ...],
    ) -> None:
        self.backup_ids, self.names, self.statuses = backup_ids, names, statuses
        self.created, self.planned, self.dated = created, planned, dated
        self.record_counts, self.sizes = record_counts, sizes
        if len(set(map(len, self.columns))) > 1:
            raise ValueError("the columns of a history must have equal lengths")

    @classmethod
    def of(cls, runs: Iterable[Run]) -> History:
        """The history of `runs`, in their order."""
        if isinstance(runs, History):
            return runs
        columns = tuple(zip(*runs, strict=True))
        return cls(*columns) if columns else _NO_RUNS

    @classmethod
    def joined(cls, histories: Iterable[History]) -> History:
        """The runs of `histories`, one after the other."""
        parts = [h.columns for h in histories]
        if not parts:
            return _NO_RUNS
        return cls(*(tuple(chain.from_iterable(column)) for column in zip(*parts, strict=True)))

    @property
    def columns(self) -> tuple[Sequence[object], ...]:
        """The eight columns, in the order of `Run`'s fields."""
        return self._columns(self.planned)

    def _columns(self, planned: Sequence[datetime]) -> tuple[Sequence[object], ...]:
        return (
            self.backup_ids,
            self.names,
            self.statuses,
            self.created,
            planned,
            self.dated,
            self.record_counts,
            self.sizes,
        )

    def runs_at(
        self, positions: Iterable[int], planned: Sequence[datetime] | None = None
    ) -> list[Run]:
        """The runs at `positions`, in that order, built in C-level passes; `planned` stands in
        for the planned-time column (the timeline dates the next run from the schedule)."""
        columns = self._columns(self.planned if planned is None else planned)
        picked: list[Iterable[object]]
        if isinstance(positions, range) and positions.step in (1, -1):
            picked = [_run_of(column, positions) for column in columns]
        else:
            positions = tuple(positions)
            picked = [map(column.__getitem__, positions) for column in columns]
        return list(map(_make_run, repeat(Run), zip(*picked, strict=True)))

    def __len__(self) -> int:
        return len(self.backup_ids)

    @overload
    def __getitem__(self, position: int) -> Run: ...

    @overload
    def __getitem__(self, position: slice) -> History: ...

    def __getitem__(self, position: int | slice) -> Run | History:
        if isinstance(position, slice):
            return History(*(column[position] for column in self.columns))  # type: ignore[arg-type]
        return Run(*(column[position] for column in self.columns))  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Run]:
        return map(_make_run, repeat(Run), zip(*self.columns, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History):
            return self.columns == other.columns
        if isinstance(other, tuple | list):
            return len(other) == len(self) and all(map(eq, self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # as the equal tuple of runs hashes

    def __repr__(self) -> str:
        return f"History({list(self)!r})"


_NO_RUNS = History((), (), (), (), (), (), (), ())


@dataclass(frozen=True)
class Missing:
    """Marks data that could not be read completely, with a one-line reason (no secret)."""

    reason: str


@dataclass(frozen=True)
class ProjectState:
    """Everything the source read. A value that could not be read is a `Missing`.

    Only what the spec needs is fetched, so a key absent from a mapping means "not asked for".
    """

    indexes: Mapping[str, Index] | Missing
    schedules: Mapping[str, tuple[Schedule, ...] | Missing]  # by index name
    history: Mapping[str, Sequence[Run] | Missing]  # by schedule id (a `History` when read)
    backups: Mapping[str, frozenset[str] | Missing]  # backup ids that exist now, by index name


# One API collection, read completely or not: what the source streams to the evaluation, in
# the order the reads complete, so that each history can be judged and released on arrival.


@dataclass(frozen=True)
class ScheduleListing:
    index: str
    value: tuple[Schedule, ...] | Missing


@dataclass(frozen=True)
class HistoryListing:
    schedule_id: str
    value: History | Missing


@dataclass(frozen=True)
class BackupListing:
    index: str
    value: frozenset[str] | Missing


Listing = ScheduleListing | HistoryListing | BackupListing


# --------------------------------------------------------------------------- report


FindingIdentity = tuple[str, str, str | None, str | None]  # rule, index, schedule, at (Z)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    index: str
    schedule: str | None
    schedule_id: str | None
    at: datetime | None
    message: str
    waived: bool = False
    waiver_reason: str | None = None
    location: Location | None = None
    details: Mapping[str, object] = field(default_factory=dict)
    baseline: Literal["new", "known"] | None = None  # set only when a baseline was given

    @property
    def identity(self) -> FindingIdentity:
        """What makes two findings of two runs the same finding (for baselines)."""
        at = self.at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.at is not None else None
        return (self.rule, self.index, self.schedule, at)

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        at = self.at.isoformat() if self.at is not None else ""
        return (self.index, self.schedule or "", at, self.rule)


ScheduleStatus = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class ScheduleResult:
    index: str
    name: str | None
    schedule_id: str | None
    status: ScheduleStatus
    last_success: datetime | None
    error: str | None
    location: Location | None = None
    history_judged: bool = True  # False: declared disabled or no schedule, so never read


@dataclass(frozen=True)
class Summary:
    schedules: int
    checked: int
    unknown: int
    error: int
    warning: int
    notice: int
    waived: int


@dataclass(frozen=True)
class CoverageSummary:
    """Which schedulable indexes have a declared, enabled schedule that exists."""

    schedulable: tuple[str, ...]  # every serverless or BYOC index of the project, sorted
    covered: tuple[str, ...]

    @property
    def uncovered(self) -> tuple[str, ...]:
        covered = set(self.covered)
        return tuple(name for name in self.schedulable if name not in covered)


@dataclass(frozen=True)
class UnusedWaiver:
    """A live waiver that matched no finding: probably stale, worth deleting."""

    index: str
    schedule: str
    rule: str
    reason: str
    location: Location


@dataclass(frozen=True)
class Report:
    now: datetime
    spec: str
    fail_on: FailOn
    exit_code: int
    schedules: tuple[ScheduleResult, ...]
    findings: tuple[Finding, ...]  # sorted by Finding.sort_key
    coverage: CoverageSummary | None = None  # None when the index list could not be read
    unused_waivers: tuple[UnusedWaiver, ...] = ()
    # Wall-clock seconds of the run: only the Prometheus metrics show it, because every other
    # format must be reproducible from the same state and `--now`.
    duration_seconds: float | None = None

    @property
    def summary(self) -> Summary:
        active = [f for f in self.findings if not f.waived]
        return Summary(
            schedules=len(self.schedules),
            checked=sum(1 for s in self.schedules if s.status != "unknown"),
            unknown=sum(1 for s in self.schedules if s.status == "unknown"),
            error=sum(1 for f in active if f.severity == "error"),
            warning=sum(1 for f in active if f.severity == "warning"),
            notice=sum(1 for f in active if f.severity == "notice"),
            waived=len(self.findings) - len(active),
        )
