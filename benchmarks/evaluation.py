"""The cost of judging: `check --snapshot` on a 200-index fleet against `json.loads` alone.

    python benchmarks/evaluation.py [--indexes 200] [--runs 365] [--repeats 9] [--profile]

Records two snapshots with the real `backup-drift snapshot` against the emulator: the fleet
(`--indexes` indexes x 1 daily schedule x `--runs` runs) and a spec declaring one of its
indexes. Then, in this process (warm: imports and start-up do not count), the medians of
(every measurement taking its turn in each round, so that load from elsewhere hits all alike):

- `backup-drift check --snapshot DIR -f json` for each, through `checker.cli.main`;
- `json.loads` of every body file of each snapshot, already in memory: the floor, since a
  check cannot avoid decoding what it reads.

The marginal costs (fleet minus one index) are compared: target check <= 2 x the floor. A
snapshot is replayed on one thread whatever `--concurrency` says, so there is one check to
time. `--profile` adds a cProfile of one fleet check: the functions and the modules where the
time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _common import KEY, ROOT, interleaved_medians, ratio

from checker import cli
from tests.emulator import Emulator
from tests.fleet import NOW_TEXT, fleet_spec, fleet_state

KINDS = ("check", "floor")


def _cli(*args: str) -> int:
    try:
        cli.main(list(args))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def record(work: Path, indexes: int, runs: int) -> dict[str, Path]:
    """Specs and snapshots for the fleet ("fleet") and for one of its indexes ("one")."""
    specs = {"fleet": fleet_spec(indexes), "one": fleet_spec(1)}
    with Emulator(fleet_state(indexes, runs), api_key=KEY) as emu:
        os.environ.update(PINECONE_API_KEY=KEY, PINECONE_API_URL=emu.url)
        for name, text in specs.items():
            (work / f"{name}.yaml").write_text(text)
            code = _cli("snapshot", str(work / f"{name}.yaml"), "--out", str(work / name))
            if code != 0:
                raise SystemExit(f"recording the {name} snapshot failed (exit {code})")
    return {name: work / name for name in specs}


def check(work: Path, name: str, *extra: str) -> None:
    out = str(work / f"{name}.json")
    spec, snapshot = str(work / f"{name}.yaml"), str(work / name)
    options = ("--snapshot", snapshot, "--now", NOW_TEXT, "-f", "json", "-o", out, *extra)
    code = _cli("check", spec, *options)
    if code != 0:
        raise SystemExit(f"check of the {name} snapshot exited {code}: benchmark invalid")


def decode_all(bodies: list[bytes]) -> None:
    for body in bodies:
        json.loads(body)


def bodies_of(snapshot: Path) -> list[bytes]:
    return [path.read_bytes() for path in sorted((snapshot / "bodies").iterdir())]


def profile(work: Path) -> None:
    """Where one fleet check spends its time: top functions, and totals per module."""
    profiler = cProfile.Profile()
    profiler.runcall(check, work, "fleet")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(20)
    per_module: dict[str, float] = defaultdict(float)
    for (file, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        per_module[_short(file)] += tottime
    print("self time per module (top 12):")
    for module, seconds in sorted(per_module.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {seconds:7.3f} s  {module}")


def _short(file: str) -> str:
    """A module's file relative to the repository or to site-packages, for reading."""
    if file.startswith(str(ROOT)):
        return os.path.relpath(file, ROOT)
    return file.split("site-packages/")[-1].split("/lib/python3")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indexes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        snapshots = record(work, args.indexes, args.runs)
        bodies = {name: bodies_of(path) for name, path in snapshots.items()}
        calls: dict[str, Callable[[], object]] = {}
        for name, pages in bodies.items():
            calls[f"check {name}"] = partial(check, work, name)
            calls[f"floor {name}"] = partial(decode_all, pages)
        medians = interleaved_medians(calls, args.repeats)
        checks, floors = ({n: medians[f"{kind} {n}"] for n in bodies} for kind in KINDS)
        show(args, bodies, checks, floors)
        if args.profile:
            profile(work)


def show(
    args: argparse.Namespace,
    bodies: dict[str, list[bytes]],
    checks: dict[str, float],
    floors: dict[str, float],
) -> None:
    size = sum(len(b) for b in bodies["fleet"]) / 1e6
    check_cost = checks["fleet"] - checks["one"]
    floor_cost = floors["fleet"] - floors["one"]
    print(
        f"evaluation: {args.indexes} indexes x {args.runs} runs from a snapshot "
        f"({len(bodies['fleet'])} bodies, {size:.1f} MB), medians of {args.repeats}"
    )
    print(f"  check --snapshot, fleet      {checks['fleet']:.3f} s")
    print(f"  check --snapshot, one index  {checks['one']:.3f} s")
    print(f"  json.loads, fleet / one      {floors['fleet']:.3f} s / {floors['one']:.4f} s")
    print(f"  marginal check               {check_cost:.3f} s")
    print(f"  marginal floor (json.loads)  {floor_cost:.3f} s")
    print(f"  check / floor                {ratio(check_cost, floor_cost)}  (target <= 2.00x)")


if __name__ == "__main__":
    main()
