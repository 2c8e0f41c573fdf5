"""What the benchmarks share: a fleet emulator in its own process, medians, and paths.

The emulator runs in a child process so that its JSON encoding and socket work do not compete
for the benchmarked process's GIL (the live API does not run inside the checker either), and
encodes each distinct answer once; the parent asks it for its request count over a pipe, so
counts still come from the server side.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(ROOT))

from tests.emulator import Emulator, Fault  # noqa: E402 -- needs ROOT on the path
from tests.emulator.api import Reply, Request  # noqa: E402
from tests.fleet import fleet_state  # noqa: E402

KEY = "pcsk_benchmark_key_000000"


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a `python -m checker` child: this working tree, first on the path."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def interleaved_medians(
    calls: Mapping[str, Callable[[], object]], repeats: int
) -> dict[str, float]:
    """The median wall time of each call, the calls taking turns in every round, so that a
    burst of load from elsewhere hits all of them alike rather than one block of runs."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


class _Memoised(Emulator):
    """An Emulator that encodes each distinct answer once (the fleet never changes and no
    fault is injected), so that on a two-core machine its JSON encoding takes as little CPU
    as possible from the client being measured: the live API's servers are not on the
    client's machine either. Latency, sockets and HTTP handling are untouched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._replies: dict[tuple[object, ...], Reply] = {}

    def _answer(self, request: Request, faults: Sequence[Fault]) -> Reply:
        if faults:
            return super()._answer(request, faults)
        key = (request.path, *sorted(request.query.items()), *sorted(request.headers.items()))
        if key not in self._replies:  # a race only encodes an answer twice
            self._replies[key] = super()._answer(request, faults)
        return self._replies[key]


def _serve(conn: Connection, indexes: int, runs: int, latency: float) -> None:
    """The child: serve the fleet until told to stop, answering request-count queries."""
    with _Memoised(fleet_state(indexes, runs), api_key=KEY, latency=latency) as emu:
        conn.send(emu.url)
        while conn.recv() == "count":
            conn.send(len(emu.requests))


class FleetServer:
    """The parent's handle on the emulator process."""

    def __init__(self, conn: Connection, url: str) -> None:
        self._conn, self.url = conn, url

    def request_count(self) -> int:
        self._conn.send("count")
        count = self._conn.recv()
        assert isinstance(count, int)
        return count


@contextmanager
def fleet_server(indexes: int, runs: int, latency: float) -> Iterator[FleetServer]:
    """An emulator serving `fleet_state(indexes, runs)` with `latency`, in another process."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(child, indexes, runs, latency), daemon=True
    )
    process.start()
    try:
        yield FleetServer(parent, parent.recv())
    finally:
        parent.send("stop")
        process.join(10)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"
