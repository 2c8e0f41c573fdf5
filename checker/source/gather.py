"""gather(spec, reader) -> ProjectState: read what the spec needs, and only that.

The order is fixed by what each read depends on: the index list, then the schedule list of
every relevant index, then the history of each declared, enabled schedule that matched and
the backup list of its index. Each listing that cannot be read completely becomes a
`Missing` with the reason; nothing is retried here (the reader already did).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Protocol, TypeVar

from checker.errors import AuthRejected, Unreadable
from checker.match import matching_schedules
from checker.model import Index, Missing, ProjectState, Run, Schedule, Spec
from checker.rules.coverage import covered_indexes
from checker.source.parse import (
    decode,
    parse_backups,
    parse_history,
    parse_indexes,
    parse_schedules,
)
from checker.source.paths import INDEXES, backups_path, history_path, schedules_path

T = TypeVar("T")
PageCheck = Callable[[object], None]


class PageReader(Protocol):
    """Returns the raw bodies of every page of one listing, or raises `Unreadable`."""

    def get_pages(self, path: str, check: PageCheck | None = None) -> tuple[bytes, ...]: ...


def _read(reader: PageReader, path: str, parse: Callable[[list[object]], T]) -> T | Missing:
    """Read and parse one listing; any failure becomes a Missing naming the path."""

    def check(body: object) -> None:  # a page of the wrong shape is worth a retry
        parse([body])

    try:
        pages = [decode(body) for body in reader.get_pages(path, check)]
        return parse(pages)
    except AuthRejected:
        raise  # the whole run stops: every further request would be refused too
    except Unreadable as exc:
        return Missing(str(exc))
    except ValueError as exc:
        return Missing(f"GET {path}: unexpected response: {exc}")


def _read_indexes(reader: PageReader) -> Mapping[str, Index] | Missing:
    return _read(reader, INDEXES, lambda pages: parse_indexes(pages[0]))


def relevant_indexes(spec: Spec, indexes: Mapping[str, Index]) -> list[str]:
    declared = {d.index for d in spec.schedules if d.index in indexes}
    return sorted(declared | covered_indexes(spec, indexes))


def _judged_schedules(
    spec: Spec, schedules: Mapping[str, tuple[Schedule, ...] | Missing]
) -> list[Schedule]:
    """Schedules whose history some declaration judges: declared enabled, matched once."""
    judged: list[Schedule] = []
    for decl in spec.schedules:
        listing = schedules.get(decl.index)
        if decl.enabled and isinstance(listing, tuple):
            matches = matching_schedules(decl, listing)
            judged += matches if len(matches) == 1 else []
    return judged


def gather(spec: Spec, reader: PageReader) -> ProjectState:
    indexes = _read_indexes(reader)
    if isinstance(indexes, Missing):
        return ProjectState(indexes, {}, {}, {})
    schedules = {
        name: _read(reader, schedules_path(name), partial(parse_schedules, index=name))
        for name in relevant_indexes(spec, indexes)
    }
    judged = _judged_schedules(spec, schedules)
    history: dict[str, tuple[Run, ...] | Missing] = {
        s.schedule_id: _read(reader, history_path(s.schedule_id), parse_history) for s in judged
    }
    backups = {
        index: _read(reader, backups_path(index), parse_backups)
        for index in sorted({s.index for s in judged})
    }
    return ProjectState(indexes, schedules, history, backups)


__all__ = ["PageReader", "gather"]
