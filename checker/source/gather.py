"""gather(spec, reader) -> ProjectState: read what the spec needs, and only that.

The order is fixed by what each read depends on: the index list, then the schedule list of
every relevant index, then the history of each declared, enabled schedule that matched and
the backup list of its index. Each listing that cannot be read completely becomes a
`Missing` with the reason; nothing is retried here (the reader already did).
"""

from __future__ import annotations

import queue
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Protocol, TypeVar

from checker.errors import AuthRejected, Unreadable
from checker.match import judged_schedule
from checker.model import (
    BackupListing,
    Declaration,
    History,
    HistoryListing,
    Index,
    Listing,
    Missing,
    ProjectState,
    Schedule,
    ScheduleListing,
    Spec,
)
from checker.rules.coverage import relevant_indexes
from checker.shard import Shard
from checker.source.parse import (
    merge_backups,
    merge_history,
    merge_schedules,
    parse_backups_page,
    parse_history_page,
    parse_indexes,
    parse_schedules_page,
    read_history,
    read_pages,
)
from checker.source.paths import INDEXES, backups_path, history_path, schedules_path

T = TypeVar("T")
P = TypeVar("P")
PageCheck = Callable[[object], None]


class PageReader(Protocol):
    """Returns the raw bodies of every page of one listing, or raises `Unreadable`.

    A reader that calls `check` (the live client does, to retry a page of the wrong shape;
    the snapshot reader does not) calls it once per page it returns, in order, with the
    page's decoded body, after which that page is accepted.
    """

    def get_pages(self, path: str, check: PageCheck | None = None) -> tuple[bytes, ...]: ...


def _read(
    reader: PageReader,
    path: str,
    parse_page: Callable[[int, object], P],
    merge: Callable[[list[P]], T],
    read_listing: Callable[[Sequence[bytes]], T] | None = None,
) -> T | Missing:
    """Read one listing and parse it; any failure becomes a Missing naming the path.

    A live reader checks each page as it arrives (a page of the wrong shape is worth a
    retry): those parses are kept and merged. A snapshot's bodies are parsed here, by
    `read_listing` when the kind of listing has a faster way than page by page (a history is
    read in one pass over all its pages); either way one decoded page is alive at a time.
    """
    parsed: list[P] = []

    def check(body: object) -> None:  # a page of the wrong shape is worth a retry
        parsed.append(parse_page(len(parsed) + 1, body))

    try:
        bodies = reader.get_pages(path, check)
        if len(parsed) == len(bodies):
            return merge(parsed)
        if read_listing is not None:
            return read_listing(bodies)
        return read_pages(bodies, parse_page, merge)
    except AuthRejected:
        raise  # the whole run stops: every further request would be refused too
    except Unreadable as exc:
        return Missing(str(exc))
    except ValueError as exc:
        return Missing(f"GET {path}: unexpected response: {exc}")


def _only_page(number: int, body: object) -> Mapping[str, Index]:
    return parse_indexes(body)


def _read_indexes(reader: PageReader) -> Mapping[str, Index] | Missing:
    return _read(reader, INDEXES, _only_page, _first)


def _first(pages: list[T]) -> T:
    return pages[0]


def indexes_to_list(
    spec: Spec, indexes: Mapping[str, Index], shard: Shard | None = None
) -> list[str]:
    """Indexes whose schedule list is read: the ones the spec accounts for, or in a shard other
    than the first, only those of the shard's declarations (shard 1 runs the fleet rules)."""
    if shard is not None and not shard.runs_fleet_rules:
        return sorted({d.index for d in spec.schedules if d.index in indexes and shard.selects(d)})
    return sorted(relevant_indexes(spec, indexes))


def _declarations_by_index(spec: Spec, shard: Shard | None) -> dict[str, list[Declaration]]:
    """The (selected) declarations of each index: looked up once per schedule listing, so
    that following up a listing costs its own declarations, not the whole spec's."""
    by_index: dict[str, list[Declaration]] = defaultdict(list)
    for decl in spec.schedules:
        if shard is None or shard.selects(decl):
            by_index[decl.index].append(decl)
    return by_index


def _judged_on(declarations: list[Declaration], listing: tuple[Schedule, ...]) -> list[Schedule]:
    """Schedules of one index whose history one of its declarations judges, each once."""
    judged = (judged_schedule(d, listing) for d in declarations)
    return list({s.schedule_id: s for s in judged if s is not None}.values())


class _Fetcher:
    """Reads listings on a bounded pool and hands them over in the order they complete.

    Each worker reads one listing at a time (its pages in order), so at most `concurrency`
    requests are in flight. A schedule listing that arrives schedules that index's histories
    and backup list at once: there are no waves that wait for the slowest index. With a
    concurrency of 1 (a snapshot replay) there is no pool: the consuming thread reads each
    listing itself, in submission order, and no time goes to handing results across threads.
    """

    def __init__(
        self, spec: Spec, reader: PageReader, concurrency: int, shard: Shard | None
    ) -> None:
        self.reader = reader
        self.declarations = _declarations_by_index(spec, shard)
        self.pool = (
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fetch")
            if concurrency > 1
            else None
        )
        self.done: queue.SimpleQueue[Listing | BaseException] = queue.SimpleQueue()
        self.inline: deque[Callable[[], Listing]] = deque()
        self.pending = 0

    def submit(self, make: Callable[[], Listing]) -> None:
        self.pending += 1
        if self.pool is None:
            self.inline.append(make)
        else:
            self.pool.submit(self._work, make)

    def _work(self, make: Callable[[], Listing]) -> None:
        """Runs on a pool thread: whatever happens is handed to the consuming thread."""
        try:
            self.done.put(make())
        except BaseException as exc:
            self.done.put(exc)

    def _next(self) -> Listing:
        if self.pool is None:
            return self.inline.popleft()()
        item = self.done.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def schedules(self, index: str) -> None:
        self.submit(partial(_schedules, self.reader, index))

    def follow_up(self, listing: Listing) -> None:
        if not isinstance(listing, ScheduleListing) or isinstance(listing.value, Missing):
            return
        judged = _judged_on(self.declarations.get(listing.index, []), listing.value)
        for schedule in judged:
            path = history_path(schedule.schedule_id)
            self.submit(partial(_history, self.reader, path, schedule.schedule_id))
        if judged:
            self.submit(partial(_backups, self.reader, listing.index))

    def results(self) -> Iterator[Listing]:
        try:
            while self.pending:
                self.pending -= 1
                item = self._next()
                self.follow_up(item)
                yield item
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)


def _schedules(reader: PageReader, index: str) -> ScheduleListing:
    parse_page = partial(parse_schedules_page, index=index)
    schedules = _read(reader, schedules_path(index), parse_page, merge_schedules)
    return ScheduleListing(index, schedules)


def _history(reader: PageReader, path: str, schedule_id: str) -> HistoryListing:
    runs = _read(reader, path, parse_history_page, merge_history, read_history)
    return HistoryListing(schedule_id, runs)


def _backups(reader: PageReader, index: str) -> BackupListing:
    backups = _read(reader, backups_path(index), parse_backups_page, merge_backups)
    return BackupListing(index, backups)


def stream(
    spec: Spec, reader: PageReader, concurrency: int = 1, shard: Shard | None = None
) -> tuple[Mapping[str, Index] | Missing, Iterator[Listing]]:
    """The index list, then every other listing the spec (or its shard) needs, each as its
    read completes."""
    indexes = _read_indexes(reader)
    if isinstance(indexes, Missing):
        return indexes, iter(())
    fetcher = _Fetcher(spec, reader, concurrency, shard)
    for index in indexes_to_list(spec, indexes, shard):
        fetcher.schedules(index)
    return indexes, fetcher.results()


def gather(spec: Spec, reader: PageReader, concurrency: int = 1) -> ProjectState:
    """Everything the spec needs, collected (for `init`, tests and small projects)."""
    indexes, listings = stream(spec, reader, concurrency)
    schedules: dict[str, tuple[Schedule, ...] | Missing] = {}
    history: dict[str, History | Missing] = {}
    backups: dict[str, frozenset[str] | Missing] = {}
    for listing in listings:
        match listing:
            case ScheduleListing(index, value):
                schedules[index] = value
            case HistoryListing(schedule_id, value):
                history[schedule_id] = value
            case BackupListing(index, value):
                backups[index] = value
    return ProjectState(indexes, schedules, history, backups)


__all__ = ["PageReader", "gather", "stream"]
