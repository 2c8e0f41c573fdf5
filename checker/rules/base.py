"""What a rule is: an id, a default severity, the data it needs, and a pure check.

A rule module's docstring is its user documentation (`backup-drift explain RULE` prints it):
what it checks, why it matters, its parameters, and a spec that passes and one that fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal

from checker.model import Declaration, Index, Location, Run, Schedule, Severity, Spec
from checker.timeline import Timeline

# What a rule reads from the API. A rule runs only when all of it was read completely,
# which is how a schedule with partial data is never judged as if its data were complete.
Data = Literal["indexes", "schedules", "history", "backups"]
CONFIG: frozenset[Data] = frozenset({"indexes", "schedules"})
HISTORY: frozenset[Data] = CONFIG | {"history"}
RETENTION: frozenset[Data] = HISTORY | {"backups"}


@dataclass(frozen=True)
class Hit:
    """A rule's raw finding, before severity, waivers and budgets are applied."""

    at: datetime | None
    message: str
    details: Mapping[str, object] = field(default_factory=dict)
    location: Location | None = None  # where in the spec; default: the declaration


@dataclass(frozen=True)
class DeclarationContext:
    """Everything known about one declaration; fields a rule does not need may be None."""

    decl: Declaration
    now: datetime
    index_exists: bool
    matches: tuple[Schedule, ...]  # live schedules the declaration matches (0, 1 or several)
    timeline: Timeline | None
    backups: frozenset[str] | None  # ids of the backups that exist now

    @property
    def schedule(self) -> Schedule | None:
        """The one matched schedule; None when missing or ambiguous."""
        return self.matches[0] if len(self.matches) == 1 else None

    @cached_property
    def existing_runs(self) -> list[Run]:
        """History runs whose backup still exists, oldest first (two rules ask)."""
        if self.timeline is None or self.backups is None:
            return []
        return self.timeline.runs_with_backup_in(self.backups)


@dataclass(frozen=True)
class FleetContext:
    """The whole project, for rules about what the spec does not declare."""

    spec: Spec
    indexes: Mapping[str, Index]
    schedules: Mapping[str, tuple[Schedule, ...]]  # only the indexes whose list was read
    claimed: frozenset[str]  # ids of schedules that some declaration matches


@dataclass(frozen=True)
class Rule:
    id: str
    default_severity: Severity
    summary: str  # one line for the catalogue
    needs: frozenset[Data]
    check: Callable[[DeclarationContext], Iterable[Hit]]
    doc: str
    for_disabled: bool = False  # also judged when the declaration says `enabled: false`


@dataclass(frozen=True)
class FleetHit:
    index: str
    schedule: Schedule | None
    message: str


@dataclass(frozen=True)
class FleetRule:
    id: str
    default_severity: Severity
    summary: str
    check: Callable[[FleetContext], Iterable[FleetHit]]
    doc: str
