"""History pages read by columns give exactly what the row-by-row reference gives.

`parse_history_page` reads an ordinary page column by column (the fast path every check takes
for almost every row) and hands anything unusual to `parse_run`, the field-by-field
reference. These tests draw pages mixing ordinary rows with every kind of oddity a field can
have, and hold the two paths to the same runs, or to the same error.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import Run
from checker.source import parse as parse_module
from checker.source.parse import (
    merge_history,
    parse_history,
    parse_history_page,
    parse_run,
    read_history,
)
from tests.emulator import make_run

ABSENT = object()  # the field is left out of the row

TIMESTAMPS = [
    "2026-04-30T06:00:00Z",
    "2026-04-30T06:00:00+00:00",
    "2026-04-30T06:00:00.5Z",
    "2026-04-30T06:00:00.123456Z",
    "2026-04-30T06:00:00.123456789+00:00",  # nanoseconds: digits past six are dropped
    "2026-04-30T08:00:00+02:00",  # an offset: converted to UTC
    "2026-04-30T06:00:00-00:00",
    "2026-04-30T06:00:00",  # no offset
    "2026-04-30 06:00:00Z",  # no `T`
    "2026-04-30",
    "1969-12-31T23:59:59Z",  # before 1970
    "9001-01-01T00:00:00Z",  # after 9000
    "2026-02-30T06:00:00Z",  # no such day
    "yesterday",
    "",
]
NAMES = [
    "nightly-20260430T060000Z",
    "weekly-run-20260101T000000Z",
    "-20260430T060000Z",  # nothing before the dash
    "nightly20260430T060000Z",  # no dash
    "nightly-20261301T060000Z",  # month 13
    "nightly-2026W014T060000Z",  # an ISO week date, not the name format
    "nightly-\uff120260430T060000Z",  # a full-width digit
    "nightly-20260430T060000",  # no Z
    "nightly-20260430T060000Z\nx",  # a time, then a newline: no time at the end
    "night\nly-20260430T060000Z",  # a newline inside, a time at the end
    "nightly-20260430t060000Z",  # a lower-case `t`
    "nightly-2026043\u0660T060000Z",  # an Arabic-Indic zero
    "nightly",
    "",
]
STATUSES = ["Ready", "Failed", "Scheduled", "Initializing", "Weird", ""]
OTHER_TYPES = [ABSENT, None, 7, True, 1.5, [], {}]
ODD_VALUES: dict[str, list[Any]] = {
    "backup_id": [*OTHER_TYPES, "", "x"],
    "status": [*OTHER_TYPES, *STATUSES],
    "name": [*OTHER_TYPES, *NAMES],
    "created_at": [*OTHER_TYPES, *TIMESTAMPS],
    "scheduled_execution_at": [*OTHER_TYPES, *TIMESTAMPS],
    "record_count": [*OTHER_TYPES, -1, 0, 10**12, "12"],
    "size_bytes": [*OTHER_TYPES, -1, 0, 10**12, "12"],
}
ODD_CASES = [(key, value) for key, values in ODD_VALUES.items() for value in values]


def ordinary(day: int, status: str = "Ready") -> dict[str, Any]:
    return make_run("nightly", f"2026-04-{day:02d}T06:00:00Z", status=status)


def with_odd(row: dict[str, Any], odd: dict[str, Any]) -> dict[str, Any]:
    changed = {**row, **odd}
    return {key: value for key, value in changed.items() if value is not ABSENT}


@st.composite
def pages(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Ordinary rows, with a few fields of a few of them made odd (mostly one at a time, so
    that each oddity is met on a page that would otherwise be read by columns)."""
    page = [
        ordinary(day, draw(st.sampled_from(STATUSES)))
        for day in range(draw(st.integers(0, 5)), 0, -1)
    ]
    for _ in range(draw(st.integers(0, 2)) if page else 0):
        position = draw(st.integers(0, len(page) - 1))
        key = draw(st.sampled_from(sorted(ODD_VALUES)))
        page[position] = with_odd(page[position], {key: draw(st.sampled_from(ODD_VALUES[key]))})
    return page


def reference(rows: list[dict[str, Any]]) -> list[Run] | str:
    """What `parse_run` gives row by row, or the error message of the first bad row."""
    runs = []
    for position, row in enumerate(rows):
        try:
            runs.append(parse_run(row))
        except ValueError as exc:
            return f"page 1, row {position}: {exc}"
    return runs


def page_result(rows: list[dict[str, Any]]) -> list[Run] | str:
    try:
        return parse_history_page(1, {"data": rows, "pagination": None})
    except ValueError as exc:
        return str(exc)


def same_runs(got: list[Run] | str, want: list[Run] | str) -> bool:
    """Equal runs, with every datetime in the very same UTC tzinfo (not only equal instants)."""
    if isinstance(got, str) or isinstance(want, str):
        return got == want
    times = [t for run in got for t in (run.created_at, run.planned)]
    return got == want and all(t.tzinfo is UTC for t in times)


@pytest.mark.parametrize(("key", "value"), ODD_CASES, ids=repr)
def test_each_odd_field_alone_is_read_as_the_reference_reads_it(key: str, value: Any) -> None:
    page = [ordinary(3), with_odd(ordinary(2), {key: value}), ordinary(1)]
    assert same_runs(page_result(page), reference(page))


@settings(max_examples=300, deadline=None)
@given(page=pages())
def test_a_page_read_by_columns_equals_the_row_by_row_reference(page: list[dict[str, Any]]) -> None:
    assert same_runs(page_result(page), reference(page))


def test_an_ordinary_page_never_goes_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path must really be taken for what the API usually sends, pending next run
    included (it carries `scheduled_execution_at`), or a check is several times slower."""
    page = [ordinary(day) for day in range(30, 0, -1)]
    page.insert(0, make_run("nightly", "2026-05-01T06:00:00Z", status="Scheduled"))
    assert "scheduled_execution_at" in page[0]
    # the next run as the live API lists it: Initializing, no planned time, no name
    page.insert(0, make_run("nightly", "2026-04-30T06:00:01Z", status="Initializing", name=None))
    assert "name" not in page[0]
    calls: list[object] = []
    monkeypatch.setattr(parse_module, "parse_run", lambda row: calls.append(row))
    runs = parse_history_page(1, {"data": page, "pagination": None})
    assert calls == []
    assert [r.planned.day for r in runs[:4]] == [30, 1, 30, 29]
    assert [r.dated for r in runs[:3]] == [False, True, True]
    assert all(r.dated for r in runs[1:])


def test_an_unusual_row_is_read_by_the_reference_with_its_own_message() -> None:
    page = [ordinary(30), ordinary(29)]
    page[1]["created_at"] = "2026-04-29T08:00:00+02:00"  # valid, but not plain UTC
    runs = parse_history_page(1, {"data": page, "pagination": None})
    assert runs[1].created_at.tzinfo is UTC
    assert runs[1].created_at.hour == 6
    page[1]["record_count"] = "many"
    with pytest.raises(ValueError, match=r"page 1, row 1: field 'record_count' is not of type int"):
        parse_history_page(1, {"data": page, "pagination": None})


# ----------------------------------------------------------------------------- listings


@st.composite
def listings(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Pages as `pages` draws them, some rows listed again on a later page (an offset
    token that moved), as bodies."""
    bodies = [draw(pages()) for _ in range(draw(st.integers(1, 4)))]
    seen = [row for body in bodies for row in body]
    for _ in range(draw(st.integers(0, 2)) if seen else 0):
        again = draw(st.sampled_from(seen))
        bodies[draw(st.integers(0, len(bodies) - 1))].append(again)
    return [{"data": body, "pagination": None} for body in bodies]


def listing_result(parse: Any, bodies: list[dict[str, Any]]) -> list[Run] | str:
    try:
        return list(parse(bodies))
    except ValueError as exc:
        return str(exc)


def page_by_page(bodies: list[dict[str, Any]]) -> list[Run]:
    """What the live client gives: each page parsed as it arrives, then merged."""
    return merge_history([parse_history_page(n, body) for n, body in enumerate(bodies, 1)])


@settings(max_examples=300, deadline=None)
@given(bodies=listings())
def test_a_listing_read_in_one_pass_equals_its_pages_read_one_by_one(
    bodies: list[dict[str, Any]],
) -> None:
    got, want = listing_result(parse_history, bodies), listing_result(page_by_page, bodies)
    assert same_runs(got, want)
    assert same_runs(listing_result(replayed, bodies), want)


def replayed(bodies: list[dict[str, Any]]) -> list[Run]:
    """What a snapshot replay gives: the bodies as recorded, decoded one at a time."""
    return read_history([json.dumps(body).encode() for body in bodies])


@pytest.mark.parametrize("row", [[], "row", 7, None, True], ids=repr)
def test_a_row_that_is_not_an_object_fails_the_listing_as_page_by_page(row: object) -> None:
    bodies = [{"data": [ordinary(9), ordinary(8)]}, {"data": [ordinary(7), row, ordinary(6)]}]
    want = listing_result(page_by_page, bodies)
    assert want == "row 1 is not an object"
    assert listing_result(parse_history, bodies) == want
    assert listing_result(replayed, bodies) == want


def test_an_ordinary_listing_is_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = [{"data": [ordinary(day) for day in range(9, 4, -1)]}, {"data": [ordinary(4)]}]
    calls: list[object] = []
    monkeypatch.setattr(parse_module, "parse_history_page", lambda *a: calls.append(a))
    assert [r.planned.day for r in parse_history(bodies)] == [9, 8, 7, 6, 5, 4]
    assert calls == []
