"""A `History` holds runs as columns, and the `Timeline` builds runs only when a rule asks.

Both are speed-ups with one promise: nothing a rule sees may change. So each is held here to
the plain reading it replaces: a tuple of `Run`s, sorted by planned time (the next run
re-dated), then filtered by ordinary list code.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import PENDING_STATUSES, SUCCESS_STATUSES, History, Run
from checker.timeline import build_timeline, planned_runs
from tests.builders import NOW, declaration, run, schedule, t

# --------------------------------------------------------------------------- History


def _runs() -> list[Run]:
    return [
        run("2026-04-28T06:00", record_count=10),
        run("2026-04-29T06:00", "Failed", size_bytes=7),
        run("2026-04-30T06:00", "Pending", name=None),
    ]


def test_a_history_reads_back_the_runs_it_was_made_of() -> None:
    runs = _runs()
    history = History.of(runs)
    assert list(history) == runs
    assert len(history) == 3
    assert history[1] == runs[1]
    assert history[-1] == runs[-1]
    assert list(history[1:]) == runs[1:]
    assert isinstance(history[1:], History)


def test_a_history_equals_the_same_runs_as_a_tuple_list_or_history() -> None:
    runs = _runs()
    history = History.of(runs)
    assert history == tuple(runs)
    assert history == runs
    assert tuple(runs) == history  # the reflected comparison
    assert history == History.of(tuple(runs))
    assert history != runs[:2]
    assert history != [*runs[:2], runs[0]]
    assert history != "not runs"
    assert hash(history) == hash(tuple(runs))


def test_runs_at_positions_are_built_in_that_order_with_any_planned_column() -> None:
    runs = _runs()
    history = History.of(runs)
    assert history.runs_at([2, 0]) == [runs[2], runs[0]]
    assert history.runs_at([]) == []
    moved = [t("2026-05-01T06:00")] * 3
    assert history.runs_at([1], moved) == [runs[1]._replace(planned=moved[1])]


@pytest.mark.parametrize(
    "positions",
    [
        range(3),
        range(2, -1, -1),
        range(1, 3),
        range(1, 0, -1),
        range(0),
        range(2, 2),
        range(-1, -3, -1),
    ],
)
def test_runs_at_consecutive_positions_are_the_runs_at_each_position(positions: range) -> None:
    runs = _runs()
    history = History.of(runs)
    assert history.runs_at(positions) == [runs[at] for at in positions]
    moved = [t("2026-05-01T06:00"), t("2026-05-02T06:00"), t("2026-05-03T06:00")]
    want = [runs[at]._replace(planned=moved[at]) for at in positions]
    assert history.runs_at(positions, moved) == want


def test_runs_at_a_position_past_the_end_fails_as_an_index_would() -> None:
    with pytest.raises(IndexError):
        History.of(_runs()).runs_at(range(1, 4))


def test_joined_histories_hold_the_runs_of_each_in_turn() -> None:
    runs = _runs()
    joined = History.joined([History.of(runs[:1]), History.of(runs[1:])])
    assert joined == runs
    assert History.joined([]) == ()
    assert History.of([]) == ()


def test_columns_of_different_lengths_are_refused() -> None:
    history = History.of(_runs())
    columns = list(history.columns)
    columns[3] = columns[3][:2]
    with pytest.raises(ValueError, match="equal lengths"):
        History(*columns)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Timeline

STATUSES = ("Ready", "Ready", "Ready", "Failed", "Pending", "Scheduled", "Quarantined")


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Run], datetime | None]:
    """Daily-ish runs over 60 days, with misses, doubles, equal planned times, undated rows
    and a pending next run; in the API's order (newest first) or shuffled."""
    runs = []
    for day in range(draw(st.integers(0, 60))):
        when = t("2026-03-01T06:00") + timedelta(days=day)
        for copy in range(draw(st.sampled_from((0, 1, 1, 1, 2)))):
            planned = when + timedelta(minutes=draw(st.sampled_from((0, 0, 30))))
            runs.append(
                run(
                    planned,
                    draw(st.sampled_from(STATUSES)),
                    backup_id=f"b{day}-{copy}",
                    name=draw(st.sampled_from(("", "", None))),
                    created_at=planned + timedelta(seconds=draw(st.integers(0, 2))),
                    record_count=draw(st.sampled_from((None, 100, 30))),
                )
            )
    runs.reverse()
    if draw(st.booleans()):
        random.Random(draw(st.integers())).shuffle(runs)
    upcoming = draw(st.sampled_from((None, t("2026-04-30T06:00"), t("2026-05-01T06:00"))))
    return runs, upcoming


def _sorted_reference(runs: list[Run], upcoming: datetime | None) -> tuple[Run, ...]:
    """RULES.md "Runs", read plainly: the newest pending row (by creation; of equals, the
    later listed) stands for the next run when undated and created before it, and is dated
    by it; then every run by planned time, ties by creation and id."""
    runs = list(runs)
    pending = [i for i, r in enumerate(runs) if r.status in PENDING_STATUSES]
    if upcoming is not None and pending:
        newest = max(reversed(pending), key=lambda i: runs[i].created_at)
        if not runs[newest].dated and upcoming > runs[newest].created_at:
            runs[newest] = runs[newest]._replace(planned=upcoming)
    return tuple(sorted(runs, key=lambda r: (r.planned, r.created_at, r.backup_id)))


def _window(runs: tuple[Run, ...], start: datetime, now: datetime) -> list[Run]:
    return [r for r in runs if start <= r.planned <= now]


@settings(max_examples=300, deadline=None)
@given(histories(), st.data())
def test_the_timeline_shows_rules_what_a_sorted_tuple_of_runs_shows(
    drawn: tuple[list[Run], datetime | None], data: st.DataObject
) -> None:
    runs, upcoming = drawn
    sched = schedule(next_scheduled_run=upcoming, created_at=t("2026-01-01T00:00"))
    timeline = build_timeline(declaration(), sched, History.of(runs), t(NOW))
    reference = _sorted_reference(runs, upcoming)
    assert planned_runs(runs, sched) == reference

    assert timeline.runs == reference
    assert timeline.planned_times == tuple(r.planned for r in reference)
    window = _window(reference, timeline.window_start, t(NOW))
    assert list(timeline.runs_in_window()) == window

    good = [r for r in reference if r.status in SUCCESS_STATUSES]
    assert timeline.last_success == (good[-1].planned if good else None)
    in_window = [r for r in window if r.status in SUCCESS_STATUSES]
    before = [r for r in good if r.planned < timeline.window_start][-1:]
    chained = [*before, *in_window] if in_window else []
    assert list(timeline.successive_successes()) == list(pairwise(chained))

    ids = frozenset(data.draw(st.sets(st.sampled_from([r.backup_id for r in runs] or ["x"]))))
    assert timeline.runs_with_backup_in(ids) == [r for r in reference if r.backup_id in ids]


def test_the_next_run_is_re_dated_in_the_runs_a_rule_sees() -> None:
    upcoming = t("2026-04-30T06:00")
    pending = run("2026-04-29T06:00", "Pending", name=None, backup_id="next")
    history = [run("2026-04-29T06:00", backup_id="done"), pending]
    timeline = build_timeline(
        declaration(), schedule(next_scheduled_run=upcoming), history, t("2026-04-30T12:00")
    )
    assert pending.status in PENDING_STATUSES
    redated = timeline.runs_with_backup_in(frozenset({"next"}))
    assert [r.planned for r in redated] == [upcoming]
    assert [r.backup_id for r in timeline.runs_in_window()][-1] == "next"


def test_runs_listed_newest_first_and_shuffled_give_one_timeline() -> None:
    runs = [run(f"2026-04-{day:02d}T06:00", record_count=day) for day in range(1, 31)]
    newest_first, shuffled = runs[::-1], random.Random(7).sample(runs, len(runs))
    sched = schedule()
    one = build_timeline(declaration(), sched, newest_first, t(NOW))
    other = build_timeline(declaration(), sched, shuffled, t(NOW))
    assert one.runs == other.runs == tuple(runs)
    assert one.missed == other.missed
