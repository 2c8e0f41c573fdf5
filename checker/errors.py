"""The project's own exception tree; every class carries the exit code it leads to.

    BackupDriftError          (4: a bug unless a subclass says otherwise)
     ├── UsageError           (2: bad option, bad file, nothing fetched)
     │    └── SpecError       (2: the spec is invalid; carries every problem found)
     └── SourceError          (3: the API or snapshot could not be read)
          └── Unreadable      (3: one listing could not be read completely)
               └── AuthRejected (3: HTTP 401; the run stops, every request would fail)

Foreign exceptions (httpx, yaml, OSError, json) are wrapped into these at the boundary that
meets them, with the original as `__cause__`. Messages never contain the API key.
"""

from __future__ import annotations

from dataclasses import dataclass


class BackupDriftError(Exception):
    exit_code = 4


class UsageError(BackupDriftError):
    exit_code = 2


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec file, located as precisely as the parser allows."""

    file: str
    line: int
    column: int
    path: str  # JSON path such as `schedules[2].frequency`, or "" for the document
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        # A spec value quoted in a message must not become a GitHub runner command in the CI
        # log: the runner obeys the legacy `##[name]data` form anywhere in a line.
        return text.replace("##[", "##\\x5b")


class SpecError(UsageError):
    """The spec could not be loaded; `problems` lists all of them, sorted by position."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))


class SourceError(BackupDriftError):
    exit_code = 3


class Unreadable(SourceError):
    """A listing (one API collection, all its pages) could not be read completely."""


class AuthRejected(Unreadable):
    """HTTP 401: the key was refused. Every later request would fail the same way, so the
    run stops at once and every schedule is reported unknown with this reason."""
