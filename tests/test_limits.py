"""Scale and good manners: bounded requests in flight, slowing down under 429s, an overall
deadline that holds, and a streaming evaluation that agrees with the collected one while
holding only the histories it still needs.

No test here measures speed. They count (requests in flight as the emulator saw them, limiter
states, listings held) or use fake clocks; where real time matters (a deadline, a Retry-After
pause) the bounds are several times wider than what they guard.
"""

from __future__ import annotations

import gc
import json
import random
import threading
import time
import tracemalloc
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker import cli
from checker import stream as stream_module
from checker.errors import Unreadable
from checker.evaluate import evaluate
from checker.model import (
    BackupListing,
    HistoryListing,
    Index,
    Listing,
    Missing,
    Run,
    ScheduleListing,
    Spec,
)
from checker.schemas_access import load_schema
from checker.source import gather as gather_module
from checker.source import parse as parse_module
from checker.source.gather import gather, stream
from checker.source.http import PineconeHttp
from checker.source.limiter import AdaptiveLimiter, Permit
from checker.source.parse import (
    merge_history,
    parse_backups,
    parse_history,
    parse_indexes,
    parse_schedules,
)
from checker.source.paths import history_path, schedules_path
from checker.spec import load_spec, parse_spec
from checker.stream import evaluate_stream
from tests.emulator import Emulator, EmulatorState, Slow, Status, make_id, make_run
from tests.example_project import NOW, build_state
from tests.fleet import NOW_TEXT, fleet_spec, fleet_state, index_name
from tests.test_example_snapshot import SPEC

KEY = "pcsk_limits_canary_7781"
HISTORY = r"/backup-schedules/[^/]+/history"


class FakeTime:
    """A clock that moves only when someone sleeps; sleeps are recorded. Thread-safe."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def client(emu: Emulator, **overrides: Any) -> PineconeHttp:
    settings: dict[str, Any] = {
        "api_url": emu.url,
        "api_key": KEY,
        "api_key_env": "PINECONE_API_KEY",
        "api_version": "2026-07",
    }
    return PineconeHttp(**(settings | overrides))


def fleet_emulator(indexes: int, runs: int, latency: float = 0.0) -> Emulator:
    return Emulator(fleet_state(indexes, runs), api_key=KEY, latency=latency)


def fleet(indexes: int) -> Spec:
    return parse_spec(fleet_spec(indexes), "schedules.yaml")


def run_all(threads: int, calls: Sequence[Callable[[], object]]) -> list[object]:
    """Run `calls` on a pool of `threads`; each result, or the exception it raised."""

    def attempt(call: Callable[[], object]) -> object:
        try:
            return call()
        except Unreadable as exc:
            return exc

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(attempt, calls))


# ----------------------------------------------------------------------------- the limiter alone


def limiter(max_in_flight: int, fake: FakeTime | None = None) -> AdaptiveLimiter:
    fake = fake or FakeTime()
    return AdaptiveLimiter(max_in_flight, clock=fake.clock, sleep=fake.sleep)


def take(limit: AdaptiveLimiter, n: int) -> list[Permit]:
    permits = [limit.acquire(budget=10.0) for _ in range(n)]
    assert all(p is not None for p in permits)
    return [p for p in permits if p is not None]


def test_a_burst_of_429s_halves_the_limit_once() -> None:
    limit = limiter(16)
    for permit in take(limit, 16):  # all sent in the same round
        limit.release(permit, throttled=True)
    assert limit.limit == 8


def test_each_round_of_429s_halves_again_down_to_one() -> None:
    limit = limiter(16)
    for expected in (8, 4, 2, 1, 1):
        for permit in take(limit, limit.limit):
            limit.release(permit, throttled=True)
        assert limit.limit == expected
    assert limit.lowest == 1


def test_successes_win_one_slot_back_per_run_up_to_the_maximum() -> None:
    limit = limiter(4)
    for _ in range(2):
        [permit] = take(limit, 1)
        limit.release(permit, throttled=True)
    assert limit.limit == 1
    successes = 0
    while limit.limit < 4:
        [permit] = take(limit, 1)
        limit.release(permit, ok=True)
        successes += 1
    assert successes == 1 + 2 + 3  # a run as long as the current limit wins one slot
    for permit in take(limit, 4):
        limit.release(permit, ok=True)
    assert limit.limit == 4


def test_other_errors_neither_shrink_nor_grow_the_limit() -> None:
    limit = limiter(4)
    [permit] = take(limit, 1)
    limit.release(permit, throttled=True)
    for permit in take(limit, 2):
        limit.release(permit)
    assert limit.limit == 2


def test_a_retry_after_pauses_the_next_request_of_every_thread() -> None:
    fake = FakeTime()
    limit = limiter(4, fake)
    [throttled, other] = take(limit, 2)
    limit.release(throttled, throttled=True, retry_after=5.0)
    limit.release(other, ok=True)
    assert limit.acquire(budget=60.0) is not None  # any thread: it waits out the pause first
    assert fake.sleeps == [5.0]
    assert limit.acquire(budget=60.0) is not None
    assert fake.sleeps == [5.0]  # the pause is over


def test_a_pause_past_the_budget_is_refused_at_once() -> None:
    fake = FakeTime()
    limit = limiter(4, fake)
    [permit] = take(limit, 1)
    limit.release(permit, retry_after=30.0)
    assert limit.acquire(budget=10.0) is None
    assert fake.sleeps == []


def test_waiting_for_a_free_slot_ends_with_the_budget() -> None:
    limit = AdaptiveLimiter(1, clock=time.monotonic, sleep=time.sleep)
    assert limit.acquire(budget=1.0) is not None
    started = time.monotonic()
    assert limit.acquire(budget=0.2) is None
    assert 0.15 <= time.monotonic() - started < 5.0


def test_threads_never_hold_more_slots_than_the_limit() -> None:
    limit = AdaptiveLimiter(3, clock=time.monotonic, sleep=time.sleep)
    held, peak, guard = [0], [0], threading.Lock()

    def work() -> None:
        for _ in range(50):
            permit = limit.acquire(budget=30.0)
            assert permit is not None
            with guard:
                held[0] += 1
                peak[0] = max(peak[0], held[0])
            time.sleep(0.0005)
            with guard:
                held[0] -= 1
            limit.release(permit, ok=True)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 3
    assert limit.in_flight == 0


# ----------------------------------------------------------------------------- requests in flight


@pytest.mark.parametrize("n", [1, 4])
def test_gather_never_has_more_than_n_requests_in_flight(n: int) -> None:
    with fleet_emulator(24, 150, latency=0.01) as emu, client(emu, max_in_flight=n) as http:
        state = gather(fleet(24), http, concurrency=n)
    assert not isinstance(state.indexes, Missing)
    assert len(emu.requests) == 1 + 24 * 4  # index list; schedules, 2 history pages, backups
    assert emu.max_in_flight <= n
    assert emu.max_in_flight >= max(1, n - 1)  # enough work to fill the pool: the bound binds


def test_the_client_bounds_requests_even_under_a_bigger_pool() -> None:
    with fleet_emulator(24, 150, latency=0.01) as emu, client(emu, max_in_flight=3) as http:
        gather(fleet(24), http, concurrency=12)
    assert emu.max_in_flight == 3


# ----------------------------------------------------------------------------- 429 storms


def fetch_each(http: PineconeHttp, paths: list[str], rounds: int) -> list[Callable[[], object]]:
    return [partial(http.get_pages, path) for _ in range(rounds) for path in paths]


def test_a_429_storm_slows_the_client_then_it_recovers() -> None:
    paths = [schedules_path(index_name(n)) for n in range(8)]
    with fleet_emulator(8, 3, latency=0.02) as emu, client(emu, max_attempts=3) as http:
        emu.add_fault(".*", Status(429, retry_after="0"), times=None)
        onset = run_all(8, fetch_each(http, paths, 2))
        assert all(isinstance(r, Unreadable) for r in onset)
        burst = emu.max_in_flight
        assert http.limiter.limit == http.limiter.lowest == 1
        emu.reset_max_in_flight()
        run_all(8, fetch_each(http, paths, 1))
        during = emu.max_in_flight
        emu.clear_faults()
        emu.reset_max_in_flight()
        after = run_all(8, fetch_each(http, paths, 25))
    assert burst >= 4 > during == 1  # the storm's first burst, then one request at a time
    assert not [r for r in after if isinstance(r, Unreadable)]
    assert http.limiter.limit == 8
    assert emu.max_in_flight >= 4


def test_a_retry_after_holds_back_every_thread() -> None:
    first, *others = [schedules_path(index_name(n)) for n in range(16)]
    with fleet_emulator(16, 3, latency=0.01) as emu, client(emu, max_in_flight=4) as http:
        emu.add_fault(first, Status(429, retry_after="1"))
        results = run_all(4, fetch_each(http, [first, *others, *others, *others], 1))
    assert not [r for r in results if isinstance(r, Unreadable)]
    arrivals = emu.arrivals
    throttled_at = next(t for t, path in arrivals if path == first)
    pause = [p for t, p in arrivals if throttled_at + 0.25 < t < throttled_at + 0.95]
    later = [p for t, p in arrivals if t >= throttled_at + 0.95]
    assert pause == []
    assert len(later) >= 30  # the work was still there: it waited rather than being done


def test_a_pause_past_the_deadline_fails_the_other_listings_at_once() -> None:
    fake = FakeTime()
    with fleet_emulator(2, 3) as emu:
        emu.add_fault(schedules_path(index_name(0)), Status(429, retry_after="600"))
        http = client(emu, deadline=300.0, clock=fake.clock, sleep=fake.sleep)
        with http:
            first = run_all(1, [partial(http.get_pages, schedules_path(index_name(0)))])
            other = run_all(1, [partial(http.get_pages, schedules_path(index_name(1)))])
    assert str(first[0]).endswith("HTTP 429, gave up after 1 attempt (300s deadline)")
    assert str(other[0]) == (
        f"GET {schedules_path(index_name(1))}: not sent, the API asked for a pause "
        "(Retry-After) that ends 600s from now, past the 300s deadline"
    )
    assert len(emu.requests) == 1
    assert fake.sleeps == []


def test_max_in_flight_must_allow_a_request() -> None:
    with pytest.raises(ValueError, match="max_in_flight"):
        PineconeHttp(
            api_url="https://api.example", api_key="k", api_key_env="K", api_version="2026-07",
            max_in_flight=0,
        )  # fmt: skip


def test_one_listings_retries_do_not_hold_up_the_others() -> None:
    stuck_id = make_id("schedule", index_name(0), "nightly")
    started = time.monotonic()
    with (
        fleet_emulator(8, 30) as emu,
        client(emu, max_in_flight=1, max_attempts=1000, deadline=3.0) as http,
    ):
        emu.add_fault(history_path(stuck_id), Status(503), times=None)
        state = gather(fleet(8), http, concurrency=2)
    elapsed = time.monotonic() - started
    missing = {sid: h for sid, h in state.history.items() if isinstance(h, Missing)}
    assert [(sid, "deadline" in h.reason) for sid, h in missing.items()] == [(stuck_id, True)]
    assert len(state.history) == 8
    assert elapsed < 15.0


# ----------------------------------------------------------------------------- the overall deadline


def run_cli(*args: str) -> int:
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    code = exited.value.code
    return code if isinstance(code, int) else 1


@pytest.mark.timeout(30)
@pytest.mark.parametrize("hanging", [".*", HISTORY], ids=["everything", "histories"])
def test_a_hanging_api_becomes_exit_3_on_time(
    hanging: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "schedules.yaml").write_text(fleet_spec(6))
    report = tmp_path / "report.json"
    with fleet_emulator(6, 10) as emu:
        emu.add_fault(hanging, Slow(60), times=None)
        monkeypatch.setenv("PINECONE_API_KEY", KEY)
        monkeypatch.setenv("PINECONE_API_URL", emu.url)
        started = time.monotonic()
        code = run_cli(
            "check", str(tmp_path / "schedules.yaml"), "--now", NOW_TEXT, "--timeout", "2",
            "-f", "json", "-o", str(report),
        )  # fmt: skip
        elapsed = time.monotonic() - started
    document = json.loads(report.read_text())
    jsonschema.validate(document, load_schema("report.schema.json"))
    assert code == 3 == document["exit_code"]
    assert {s["status"] for s in document["schedules"]} == {"unknown"}
    assert all("deadline" in s["error"] or "timeout" in s["error"] for s in document["schedules"])
    assert elapsed < 15.0


# ----------------------------------------------------------------------------- stream = collected


def read_listings(
    spec: Spec, state: EmulatorState
) -> tuple[dict[str, Index] | Missing, list[Listing]]:
    with Emulator(state, api_key=KEY) as emu, client(emu, page_size=7) as http:
        indexes, listings = stream(spec, http, concurrency=4)
        return dict(indexes) if not isinstance(indexes, Missing) else indexes, list(listings)


def reorder(listings: list[Listing], order: str) -> list[Listing]:
    if order == "reversed":
        return listings[::-1]
    if order.startswith("shuffled"):
        return random.Random(order).sample(listings, len(listings))
    return listings


ORDERS = ["arrival", "reversed", "shuffled-1", "shuffled-2", "shuffled-3"]
PROJECTS = {
    "example": (lambda: load_spec(SPEC, display="schedules.yaml"), build_state, NOW),
    "fleet": (lambda: fleet(30), lambda: fleet_state(30, 40), NOW),
}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_streaming_and_collected_evaluation_agree(project: str, order: str) -> None:
    make_spec, make_state, now = PROJECTS[project]
    spec, state = make_spec(), make_state()
    indexes, listings = read_listings(spec, state)
    with Emulator(state, api_key=KEY) as emu, client(emu) as http:
        collected = evaluate(spec, gather(spec, http), now)
    streamed = evaluate_stream(spec, indexes, reorder(listings, order), now)
    assert streamed == collected
    assert collected.exit_code in (0, 1)  # a real verdict, not everything unknown


# ----------------------------------------------------------------------------- parsing once


def test_each_live_page_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[object] = []
    real = parse_module.parse_history_page

    def counting(number: int, body: Any) -> list[Run]:
        parsed.extend(body["data"])
        return real(number, body)

    monkeypatch.setattr(gather_module, "parse_history_page", counting)
    with fleet_emulator(3, 150) as emu, client(emu) as http:
        state = gather(fleet(3), http)
    assert all(len(h) == 150 for h in state.history.values() if not isinstance(h, Missing))
    assert len(parsed) == 3 * 150  # checked as it arrived, never parsed again


def test_pages_parsed_alone_and_merged_equal_pages_parsed_together() -> None:
    rows = [make_run("nightly", f"2026-04-{day:02d}T06:00:00Z", index="idx") for day in range(1, 9)]
    again = {**rows[5], "status": "Failed"}
    pages = [{"data": rows[:4]}, {"data": [rows[3], *rows[4:7], rows[1]]}, {"data": [again]}]
    merged = merge_history([parse_history([page]) for page in pages])
    assert merged == parse_history(pages)
    assert [r.backup_id for r in merged][-2:] == [rows[1]["backup_id"], rows[5]["backup_id"]]


class _RecordedPages:
    """Serves recorded bodies and calls no page check, as the snapshot reader does."""

    def __init__(self, listings: dict[str, tuple[bytes, ...]]) -> None:
        self.listings = listings

    def get_pages(self, path: str, check: Any = None) -> tuple[bytes, ...]:
        return self.listings[path]


class _Rows(list[Any]):
    """A page's rows that can be watched by a weak reference (a plain list cannot)."""


@pytest.mark.parametrize("unusual", [False, True], ids=["one pass", "page by page"])
def test_a_replayed_history_holds_one_decoded_page_at_a_time(
    monkeypatch: pytest.MonkeyPatch, unusual: bool
) -> None:
    days = range(1, 29)
    rows = [make_run("nightly", f"2026-04-{day:02d}T06:00:00Z", index="idx") for day in days]
    if unusual:  # an offset other than UTC: the listing is read row by row, page by page
        rows[3] = {**rows[3], "created_at": "2026-04-04T08:00:00+02:00"}
    bodies = tuple(json.dumps({"data": rows[i : i + 7]}).encode() for i in range(0, 28, 7))
    reader = _RecordedPages({"/history": bodies})
    alive: set[int] = set()  # the pages decoded and not yet freed, by number
    most_alive = 0

    def watched_decode(body: bytes) -> object:
        nonlocal most_alive
        gc.collect()  # only what is still referenced counts
        page = json.loads(body)
        data = page["data"] = _Rows(page["data"])
        alive.add(id(data))
        weakref.finalize(data, alive.discard, id(data))
        most_alive = max(most_alive, len(alive))
        return page

    monkeypatch.setattr(parse_module, "decode", watched_decode)
    listing = gather_module._history(reader, "/history", "s")
    assert not isinstance(listing.value, Missing)
    assert [run.backup_id for run in listing.value] == [row["backup_id"] for row in rows]
    assert most_alive == 1


# ----------------------------------------------------------------------------- memory


class _CountingJudge(stream_module._Judge):
    """The streaming judge, noting how many histories it holds after each listing."""

    held: list[int]

    def add(self, listing: Listing) -> None:
        super().add(listing)
        type(self).held.append(len(self.histories))


def listings_in_windows(state: EmulatorState, window: int) -> Iterator[Listing]:
    """Each index's listings, `window` indexes at a time: their schedule lists, then their
    histories, then their backup lists (as a concurrent fetch interleaves them), built lazily."""
    names = sorted(state.index_names())
    for start in range(0, len(names), window):
        chunk = names[start : start + window]
        for name in chunk:
            yield ScheduleListing(name, parse_schedules([{"data": state.schedules[name]}], name))
        for name in chunk:
            schedule_id = state.schedules[name][0]["schedule_id"]
            runs = parse_history([{"data": state.history[schedule_id]}])
            yield HistoryListing(schedule_id, runs)
        for name in chunk:
            yield BackupListing(name, parse_backups([{"data": state.backups[name]}]))


@pytest.mark.parametrize("window", [1, 8])
def test_streaming_holds_only_the_histories_still_awaited(
    window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = fleet_state(200, 30)
    monkeypatch.setattr(stream_module, "_Judge", _CountingJudge)
    monkeypatch.setattr(_CountingJudge, "held", [], raising=False)
    indexes = parse_indexes({"indexes": state.indexes})
    report = evaluate_stream(fleet(200), indexes, listings_in_windows(state, window), NOW)
    assert report.exit_code == 0
    assert len(report.schedules) == 200
    assert len(_CountingJudge.held) == 3 * 200
    assert max(_CountingJudge.held) == window  # never the fleet's 200
    assert _CountingJudge.held[-1] == 0


def streaming_peak(indexes: int, runs: int) -> int:
    """Peak bytes allocated while streaming a fleet's listings (built lazily) into a report."""
    state = fleet_state(indexes, runs)
    spec, listed = fleet(indexes), parse_indexes({"indexes": state.indexes})
    tracemalloc.start()
    try:
        evaluate_stream(spec, listed, listings_in_windows(state, 1), NOW)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_fleet() -> None:
    """Ten times the schedules of a year each: a collected evaluation holds ten times the
    histories; the stream holds one at a time, plus a small verdict per schedule."""
    small, large = streaming_peak(10, 365), streaming_peak(100, 365)
    assert large < 3 * small
