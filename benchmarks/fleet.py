"""A live check of a 200-index fleet, against the latency bound and a fetch-only client.

    python benchmarks/fleet.py [--indexes 200] [--runs 365] [--latency 0.025]
                               [--concurrency 16] [--repeats 5]

The emulator (in its own process) answers every request after `--latency` seconds, serving
`--indexes` indexes with one daily schedule of `--runs` runs each (pages of 100: ~4 history
pages per schedule). Measured in the same run, medians over `--repeats`:

- check: `stream` + `evaluate_stream` + the JSON renderer on the real `PineconeHttp`
  (`max_in_flight=concurrency`), i.e. `backup-drift check` without the process start-up;
- reference: a fetch-only client (httpx, a thread pool of the same size, the same pages in the
  same dependency order, no parsing beyond the pagination token and schedule ids);
- the CLI itself (`python -m checker check --concurrency N`) once, in a child process: its
  wall time (start-up included) and its peak RSS (`ru_maxrss` of the child), for the fleet
  and for a spec declaring a tenth of it (memory should not grow with the fleet).

Targets at concurrency 16: check ≤ 1.3 x reference, and ≥ 8 x faster than sequential.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

import httpx
from _common import KEY, FleetServer, child_env, fleet_server, ratio

from checker.model import Report
from checker.report import render
from checker.source.gather import stream
from checker.source.http import PineconeHttp
from checker.spec import parse_spec
from checker.stream import evaluate_stream
from tests.fleet import NOW, NOW_TEXT, fleet_spec

PAGE_SIZE = 100
HEADERS = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07", "Accept": "application/json"}


# --------------------------------------------------------------------------- the two clients


def check(url: str, spec_text: str, concurrency: int) -> Report:
    """What `backup-drift check -f json` does after start-up, on the real client."""
    spec = parse_spec(spec_text, "schedules.yaml")
    http = PineconeHttp(
        api_url=url,
        api_key=KEY,
        api_key_env="PINECONE_API_KEY",
        api_version="2026-07",
        max_in_flight=concurrency,
    )
    with http:
        indexes, listings = stream(spec, http, concurrency)
        report = evaluate_stream(spec, indexes, listings, NOW)
    render(report, "json")
    return report


def _pages(client: httpx.Client, path: str, paginated: bool = True) -> list[object]:
    """Every page of one listing, following `pagination.next` like the real client."""
    pages: list[object] = []
    token: str | None = None
    while True:
        params = {"limit": str(PAGE_SIZE)} if paginated else {}
        if token:
            params["paginationToken"] = token
        page = json.loads(client.get(path, params=params).raise_for_status().content)
        pages.append(page)
        token = (page.get("pagination") or {}).get("next") if paginated else None
        if not token:
            return pages


def _schedules(client: httpx.Client, index: str) -> list[str]:
    """Read one schedule list; the follow-up paths (its histories and the backup list)."""
    pages = _pages(client, f"/indexes/{index}/backup-schedules")
    ids = [row["schedule_id"] for page in pages for row in page["data"]]  # type: ignore[index]
    return [f"/backup-schedules/{i}/history" for i in ids] + [f"/indexes/{index}/backups"]


def _listing(client: httpx.Client, path: str) -> list[str]:
    """Read one history or backup list; it has no follow-ups."""
    _pages(client, path)
    return []


def reference(url: str, indexes: list[str], concurrency: int) -> None:
    """Fetch what the check fetches, in the same dependency order, and nothing else: a
    schedule list's follow-ups are queued as soon as it arrives, as the real fetcher does."""
    with (
        httpx.Client(base_url=url, headers=HEADERS) as client,
        ThreadPoolExecutor(concurrency) as pool,
    ):
        _pages(client, "/indexes", paginated=False)
        pending: set[Future[list[str]]] = {pool.submit(_schedules, client, i) for i in indexes}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending |= {pool.submit(_listing, client, path) for path in future.result()}


# --------------------------------------------------------------------------- the CLI in a child


def cli_run(url: str, spec_text: str, concurrency: int) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code) of `python -m checker check` in a child."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "schedules.yaml")
        spec.write_text(spec_text)
        command = [sys.executable, "-m", "checker", "check", str(spec), "--now", NOW_TEXT]
        command += ["-f", "json", "-o", str(Path(tmp, "r.json"))]
        command += ["--concurrency", str(concurrency)]
        env = child_env(PINECONE_API_KEY=KEY, PINECONE_API_URL=url)
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env)  # noqa: S603 -- our own interpreter and args
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        return time.perf_counter() - started, usage.ru_maxrss, child.returncode


# --------------------------------------------------------------------------- measuring


def _timed_check(server: FleetServer, spec_text: str, concurrency: int) -> tuple[float, int]:
    before = server.request_count()
    started = time.perf_counter()
    report = check(server.url, spec_text, concurrency)
    wall = time.perf_counter() - started
    if report.exit_code != 0:
        raise SystemExit(f"the check did not pass (exit {report.exit_code}): benchmark invalid")
    return wall, server.request_count() - before


def _timed_reference(server: FleetServer, names: list[str], concurrency: int) -> tuple[float, int]:
    before = server.request_count()
    started = time.perf_counter()
    reference(server.url, names, concurrency)
    return time.perf_counter() - started, server.request_count() - before


def measure(args: argparse.Namespace) -> dict[str, float]:
    names = [f"idx-{n:03d}" for n in range(args.indexes)]
    spec_text = fleet_spec(args.indexes)
    checks, refs = [], []
    with fleet_server(args.indexes, args.runs, args.latency) as server:
        for _ in range(args.repeats):  # interleaved, so that both see the same noise
            checks.append(_timed_check(server, spec_text, args.concurrency))
            refs.append(_timed_reference(server, names, args.concurrency))
        cli_wall, cli_rss, cli_code = cli_run(server.url, spec_text, args.concurrency)
        tenth = fleet_spec(max(1, args.indexes // 10))
        _, tenth_rss, _ = cli_run(server.url, tenth, args.concurrency)
    return {
        "check": statistics.median(w for w, _ in checks),
        "reference": statistics.median(w for w, _ in refs),
        "requests": checks[0][1],
        "reference_requests": refs[0][1],
        "cli_wall": cli_wall,
        "cli_rss": cli_rss,
        "cli_code": cli_code,
        "tenth_rss": tenth_rss,
    }


def report(args: argparse.Namespace, m: dict[str, float]) -> None:
    history_pages = -(-(args.runs + 1) // PAGE_SIZE)  # ceil; +1: a full last page adds one
    critical = 2 + history_pages  # /indexes, a schedule list, then one history page by page
    bound = max(critical, m["requests"] / args.concurrency) * args.latency
    sequential = m["requests"] * args.latency
    tenth = max(1, args.indexes // 10)
    print(
        f"fleet: {args.indexes} indexes x 1 daily schedule x {args.runs} runs, latency "
        f"{args.latency * 1000:g} ms, concurrency {args.concurrency}, medians of {args.repeats}"
    )
    rows = [
        ("requests (emulator)", f"{m['requests']:.0f} (reference: {m['reference_requests']:.0f})"),
        ("check wall", f"{m['check']:.3f} s"),
        ("reference wall", f"{m['reference']:.3f} s  (fetch only, same pages)"),
        ("latency bound", f"{bound:.3f} s  (max({critical}, requests/concurrency) x latency)"),
        ("sequential", f"{sequential:.3f} s  (requests x latency)"),
        ("check / reference", f"{ratio(m['check'], m['reference'])}  (target <= 1.30x)"),
        ("sequential / check", f"{ratio(sequential, m['check'])}  (target >= 8x)"),
        ("check / latency bound", ratio(m["check"], bound)),
        ("CLI child wall", f"{m['cli_wall']:.3f} s (start-up included), exit {m['cli_code']:.0f}"),
        ("CLI child peak RSS", f"{m['cli_rss'] / 1024:.1f} MiB"),
        (f"  ... {tenth} schedules", f"{m['tenth_rss'] / 1024:.1f} MiB"),
    ]
    for name, value in rows:
        print(f"  {name:<24}{value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indexes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=365)
    parser.add_argument("--latency", type=float, default=0.025)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    report(args, measure(args))


if __name__ == "__main__":
    main()
