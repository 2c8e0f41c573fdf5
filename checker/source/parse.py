"""Raw API page bodies -> model values, validating exactly the fields the rules use.

Shared by the live client and the snapshot reader, so a replay goes through the same code as
the check that recorded it. Extra fields are ignored; a missing or mistyped field we use
raises ValueError (the caller turns it into an unreadable listing). Rows that appear on
several pages (the token encodes an offset) are deduplicated by id, the later page winning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import chain, count, repeat
from operator import attrgetter, itemgetter
from typing import TypeGuard, TypeVar, cast

from checker import jsonsafe
from checker.model import History, Index, Run, Schedule
from checker.timeutil import EARLIEST_YEAR, LATEST_YEAR, parse_api_time, time_from_run_name

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")
Row = Mapping[str, object]
_ABSENT = object()  # a key not in the row (None is a value the API sends)


def decode(body: bytes) -> object:
    """JSON-decode a page body; ValueError when it cannot be decoded."""
    try:
        return jsonsafe.loads(body)
    except ValueError as exc:
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
    return _objects(_listed(body, key))


def _listed(body: object, key: str) -> list[object]:
    rows = _as_object(body).get(key)
    if not isinstance(rows, list):
        raise ValueError(f"the body has no {key!r} list")
    return rows


def _objects(rows: list[object]) -> list[Row]:
    """`rows`, once each is known to be an object."""
    if not _DICT.issuperset(map(type, rows)):  # in one C-level pass; the loop names the row
        for position, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ValueError(f"row {position} is not an object")
    return rows  # type: ignore[return-value]


_DICT: frozenset[type] = frozenset({dict})


def page_rows(body: object) -> list[Row]:
    """The rows of a paginated page, after checking its envelope: a `data` list of objects,
    `pagination` null or {next: str}."""
    return _objects(_page_data(body))


def _page_data(body: object) -> list[object]:
    """The `data` list of a page whose envelope is right; its items may be anything."""
    rows = _listed(body, "data")
    pagination = _as_object(body).get("pagination")
    if pagination is not None and not (
        isinstance(pagination, dict) and isinstance(pagination.get("next", ""), str)
    ):
        raise ValueError("field 'pagination' is malformed")
    return rows


def parse_pages(
    pages: Iterable[object],
    parse_page: Callable[[int, object], P],
    merge: Callable[[list[P]], R],
) -> R:
    """Every page parsed on its own (numbered from 1, for messages), then merged.

    `map` lets go of each page before it asks for the next, so pages decoded lazily are
    alive one at a time (a loop variable would still hold the previous one).
    """
    return merge(list(map(parse_page, count(1), pages)))


def read_pages(
    bodies: Sequence[bytes],
    parse_page: Callable[[int, object], P],
    merge: Callable[[list[P]], R],
) -> R:
    """`parse_pages` of the decoded bodies, each decoded when its turn comes, so that one
    decoded page is alive at a time."""
    return parse_pages(map(decode, bodies), parse_page, merge)


def _parse_page(number: int, body: object, parse: Callable[[Row], T]) -> list[T]:
    return _parse_each(number, page_rows(body), parse)


def _parse_each(number: int, rows: list[Row], parse: Callable[[Row], T]) -> list[T]:
    items = []
    for position, row in enumerate(rows):
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
    items = tuple(chain.from_iterable(pages))
    if len(set(map(key, items))) == len(items):  # the usual case, in one C-level pass
        return items
    latest: dict[str, T] = {}
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


def parse_schedules_page(number: int, body: object, index: str) -> list[Schedule]:
    return _parse_page(number, body, partial(parse_schedule, index=index))


def merge_schedules(pages: Sequence[Sequence[Schedule]]) -> tuple[Schedule, ...]:
    """The schedules of a listing's pages, each page parsed on its own."""
    return merge_rows(pages, attrgetter("schedule_id"))


def parse_schedules(pages: Sequence[object], index: str) -> tuple[Schedule, ...]:
    return parse_pages(pages, partial(parse_schedules_page, index=index), merge_schedules)


# --------------------------------------------------------------------------- history


def stated_time(scheduled_execution_at: datetime | None, name: str | None) -> datetime | None:
    """The planned time a history row states (RULES.md "Runs"), if it states one."""
    if scheduled_execution_at is not None:
        return scheduled_execution_at
    return time_from_run_name(name) if name else None


def parse_run(row: Row) -> Run:
    """One history row, field by field: the reference for `parse_history_page`, and what
    reads a page that is out of the ordinary, naming its first bad field."""
    name = _field(row, "name", str, nullable=True)
    created_at = _required_time(row, "created_at")
    stated = stated_time(_time(row, "scheduled_execution_at", nullable=True), name)
    return Run(
        backup_id=_required(row, "backup_id", str),
        name=name,
        status=_required(row, "status", str),
        created_at=created_at,
        planned=stated or created_at,
        dated=stated is not None,
        record_count=_field(row, "record_count", int, nullable=True),
        size_bytes=_field(row, "size_bytes", int, nullable=True),
    )


def parse_history_page(number: int, body: object) -> History:
    """The runs of one page: column by column when every row is ordinary, else row by row."""
    rows = page_rows(body)
    ordinary = _ordinary_history([rows])
    return ordinary if ordinary is not None else History.of(_parse_each(number, rows, parse_run))


def merge_history(pages: Sequence[History]) -> History:
    """The runs of a listing's pages, each page parsed on its own (see `merge_rows`)."""
    if _listed_once(list(chain.from_iterable(page.backup_ids for page in pages))):
        return History.joined(pages)
    return History.of(merge_rows(pages, attrgetter("backup_id")))


def _listed_once(ids: Sequence[str]) -> bool:
    """No run appears twice (the usual case; else `merge_rows` decides which copy stays)."""
    return len(set(ids)) == len(ids)


def parse_history(pages: Sequence[object]) -> History:
    """The runs of a whole listing's pages: what parsing each page and merging them gives."""
    return _history_of(lambda: iter(pages))


def read_history(bodies: Sequence[bytes]) -> History:
    """`parse_history` of the decoded bodies, decoding each when its turn comes.

    The fields of a page are taken as soon as it is decoded, and the page is dropped before
    the next is decoded: one decoded page is alive at a time however long the listing (a
    decoded page takes about four times its text), and each is read and freed while it is
    still in the CPU's caches. A listing out of the ordinary is decoded again, page by page.
    """
    return _history_of(lambda: map(decode, bodies))


def _history_of(pages: Callable[[], Iterator[object]]) -> History:
    """The runs of the listing whose pages `pages()` gives (it is asked at most twice).

    An ordinary listing (no unusual row, no run listed twice) is read in one columnar pass
    over all its rows, which saves joining the pages' columns; anything else page by page.
    """
    ordinary = _ordinary_history(map(_page_data, pages()))
    if ordinary is not None and _listed_once(ordinary.backup_ids):
        return ordinary
    return parse_pages(pages(), parse_history_page, merge_history)


# Reading a page by columns. A year of daily history for hundreds of indexes is ~100k rows,
# and row-by-row parsing (a Python call per field per row) cost more than decoding the JSON.
# Here each field of every row is fetched, type-checked and converted by C-level loops
# (`map`, `str.join`, `set.issuperset`, `datetime.fromisoformat`) into the columns of a
# `History`; no `Run` is built until a rule asks for one.
# Anything out of the ordinary (a missing or mistyped field, a timestamp with a non-UTC
# offset or no `T`, a year out of range) returns None, and `parse_run` reads the page row by
# row instead: it converts what is unusual and names what is wrong. Property tests hold the
# two to the same result for any page.

_OPTIONAL_STR: frozenset[type] = frozenset({str, type(None)})
_OPTIONAL_INT: frozenset[type] = frozenset({int, type(None)})  # a bool's type is not int
_UTC_ONLY = frozenset({UTC})
_tzinfo_of = attrgetter("tzinfo")
_from_iso = datetime.fromisoformat


# The fields of a history row that `_ordinary_history` reads, in the order it unpacks them.
_HISTORY_FIELDS = (
    "backup_id",
    "status",
    "name",
    "created_at",
    "record_count",
    "size_bytes",
    "scheduled_execution_at",
)


def _fields(pages: Iterable[Sequence[object]]) -> list[list[object]] | None:
    """Each of `_HISTORY_FIELDS` of every row of `pages`, one list per field, page after page;
    None if some row is not an object.

    A page is done with before the next is asked for, so a caller that decodes pages lazily
    never holds two. No pass checks that every row is an object: looking a field up in
    anything else (a list, a string, a number, null) raises TypeError.
    """
    columns: list[list[object]] = [[] for _ in _HISTORY_FIELDS]
    for rows in pages:
        try:
            for column, key in zip(columns, _HISTORY_FIELDS, strict=True):
                _extend(column, rows, key)
        except TypeError:
            return None
        del rows  # before the next page is decoded
    return columns


def _extend(column: list[object], rows: Sequence[object], key: str) -> None:
    """Append every row's `key` to `column`, None where a row lacks it (as for null);
    TypeError if a row is not an object.

    Field by field, not one pass of an all-fields getter transposed with `zip(*...)`: that
    zip steps through one iterator per row for every field, and for a listing of hundreds of
    rows those iterators no longer fit the CPU's caches (it took twice as long in a check).
    """
    length = len(column)
    try:
        column.extend(map(itemgetter(key), rows))  # type: ignore[arg-type]
    except KeyError:  # a row lacks it (the next run may have no name): the slower way
        del column[length:]
        column.extend(map(dict.get, rows, repeat(key)))  # type: ignore[arg-type]


def _all_typed(values: Iterable[object], types: frozenset[type]) -> bool:
    return types.issuperset(map(type, values))


def _texts(values: Sequence[object]) -> TypeGuard[Sequence[str]]:
    """Whether every value is a string: `join` checks that in C, four times faster than
    looking at each value's type, and accepts exactly what `isinstance(value, str)` does."""
    return _joined(values) is not None


def _joined(values: Sequence[object]) -> str | None:
    """The values joined, if every one is a string (see `_texts`)."""
    try:
        return "".join(values)  # type: ignore[arg-type]
    except TypeError:
        return None


def _optional_texts(values: Sequence[object]) -> TypeGuard[Sequence[str | None]]:
    return _all_typed(values, _OPTIONAL_STR)


def _utc_times(values: Sequence[object]) -> tuple[datetime, ...] | None:
    """`parse_api_time` of every value when each is a string holding a plain UTC timestamp,
    else None."""
    joined = _joined(values)
    if joined is None:
        return None
    try:
        times = tuple(map(_from_iso, values))  # type: ignore[arg-type]
    except ValueError:
        return None
    # The reference wants a `T` in each text. A text `fromisoformat` accepts holds at most one
    # (its date/time separator may be any character): so each has one when the joined texts
    # hold as many as there are texts, which one C-level count tells.
    if joined.count("T") != len(times) or not _UTC_ONLY.issuperset(map(_tzinfo_of, times)):
        return None
    if times and (min(times).year < EARLIEST_YEAR or max(times).year > LATEST_YEAR):
        return None
    return times


def _name_times(names: Sequence[str | None]) -> Sequence[datetime | None]:
    """`time_from_run_name` of every name."""
    plain = _plain_name_times(cast(Sequence[str], names)) if None not in names else None
    if plain is not None:
        return plain
    return [time_from_run_name(name) if name else None for name in names]


def _plain_name_times(names: Sequence[str]) -> list[datetime] | None:
    """The times of names that all carry one, found in C-level passes, else None.

    The 17th character from the end of each name must be `-`, and the last 16, with every
    digit turned into `0`, must read `00000000T000000Z` (ASCII digits only, as the
    reference wants); `fromisoformat` then decides whether each is a real date.
    """
    try:
        dashes = "".join(map(_SEPARATOR, names))
    except IndexError:  # a name too short to carry a time
        return None
    times = list(map(_TIME_TEXT, names))
    if dashes != "-" * len(names):
        return None
    if "".join(times).translate(_DIGITS_TO_ZERO) != _TIME_SHAPE * len(names):
        return None
    try:
        return list(map(_from_iso, times))
    except ValueError:  # the shape of a time but no real date: the reference decides
        return None


# What `time_from_run_name` accepts: `-YYYYMMDDTHHMMSSZ` at the end of a name.
_SEPARATOR = itemgetter(-17)
_TIME_TEXT = itemgetter(slice(-16, None))
_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_TIME_SHAPE = "00000000T000000Z"


def _scheduled_times(values: list[object]) -> tuple[datetime | None, ...] | None:
    """The parsed `scheduled_execution_at` column (None where absent), or None if unusual."""
    if values.count(None) == len(values):  # the API omits it once a run has started
        return (None,) * len(values)
    parsed = _utc_times([v for v in values if v is not None])
    if parsed is None:
        return None
    times = iter(parsed)
    return tuple(None if v is None else next(times) for v in values)


def _ordinary_history(pages: Iterable[Sequence[object]]) -> History | None:
    """The runs of the rows of `pages` read by columns, or None when some row needs
    `parse_run`."""
    fields = _fields(pages)
    if fields is None or not fields[0]:
        return None  # a row that is not an object; or no rows: nothing to gain
    ids, statuses, names, created_texts, records, sizes, scheduled_texts = fields
    if not (
        _texts(ids)
        and _texts(statuses)
        and _optional_texts(names)
        and _all_typed(records, _OPTIONAL_INT)
        and _all_typed(sizes, _OPTIONAL_INT)
    ):
        return None
    created = _utc_times(created_texts)
    scheduled = _scheduled_times(scheduled_texts)
    if created is None or scheduled is None:
        return None
    named = _name_times(names)
    stated = [s or n for s, n in zip(scheduled, named, strict=True)] if any(scheduled) else named
    if None in stated:
        planned = tuple(s or c for s, c in zip(stated, created, strict=True))
        dated = tuple(s is not None for s in stated)
    else:  # the usual page: every row states its planned time
        planned, dated = tuple(cast(Sequence[datetime], stated)), (True,) * len(ids)
    return History(
        tuple(ids),
        tuple(names),
        tuple(statuses),
        created,
        planned,
        dated,
        tuple(records),  # type: ignore[arg-type]
        tuple(sizes),  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- backups


def _backup_id(row: Row) -> str:
    return _required(row, "backup_id", str)


def parse_backups_page(number: int, body: object) -> list[str]:
    return _parse_page(number, body, _backup_id)


def merge_backups(pages: Sequence[Sequence[str]]) -> frozenset[str]:
    """The ids of the backups of a listing's pages, each page parsed on its own."""
    return frozenset(chain.from_iterable(pages))


def parse_backups(pages: Sequence[object]) -> frozenset[str]:
    return parse_pages(pages, parse_backups_page, merge_backups)
