"""Start-up cost: `backup-drift --version` and `validate` against a bare interpreter.

    python benchmarks/startup.py [--repeats 10]

Each command runs `--repeats` times in a fresh `python` process (this working tree first on
`PYTHONPATH`); the medians are compared with `python -c pass`. Then one run of each under
`python -X importtime` lists what they import: neither may import httpx (the HTTP client is
only needed by commands that call the API), and the heaviest imports are printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from functools import partial

from _common import ROOT, child_env, interleaved_medians, ratio

SPEC = str(ROOT / "schedules.yaml")
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "backup-drift --version": ["-m", "checker", "--version"],
    "backup-drift validate schedules.yaml": ["-m", "checker", "validate", SPEC],
}
FORBIDDEN = ("httpx", "httpcore", "ssl", "certifi")  # nothing that only talking to the API needs
HEAVY_US = 5_000  # a top-level import costing more than 5 ms (cumulative) is worth a look


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *args]
    return subprocess.run(command, env=child_env(), capture_output=True, text=True, check=True)  # noqa: S603


@dataclass(frozen=True)
class Import:
    depth: int  # 0 for an import the program asked for itself
    cumulative_us: int
    name: str


def imports(args: list[str]) -> list[Import]:
    """Every import of one run, from `-X importtime` (children are listed before parents)."""
    found = []
    for line in run(["-X", "importtime", *args]).stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        indent = len(name) - len(name.lstrip(" "))
        found.append(Import((indent - 1) // 2, int(cumulative), name.strip()))
    return found


def parent(found: list[Import], position: int) -> int | None:
    """The entry that imported `found[position]`: the next one a level up (or None)."""
    depth = found[position].depth
    return next((i for i in range(position + 1, len(found)) if found[i].depth < depth), None)


def chain(found: list[Import], position: int) -> list[str]:
    """`found[position]`, then who imported it, and so on up to the program itself."""
    names: list[str] = []
    at: int | None = position
    while at is not None:
        names.append(found[at].name)
        at = parent(found, at)
    return names


def report_imports(label: str, args: list[str], bare: set[str]) -> None:
    """What `args` imports beyond a bare interpreter: anything forbidden (with the chain that
    imports it), and the heavy modules the checker itself pulls in."""
    found = imports(args)
    new = [i for i, entry in enumerate(found) if entry.name not in bare]
    print(f"{label}: {len(new)} modules beyond a bare interpreter")
    bad = [i for i in new if found[i].name.split(".")[0] in FORBIDDEN]
    for position in bad[:5]:
        print(f"  FORBIDDEN {' <- '.join(chain(found, position))}")
    if not bad:
        print(f"  imports none of: {', '.join(FORBIDDEN)}")
    for position in sorted(_heavy(found, new), key=lambda i: -found[i].cumulative_us):
        up = parent(found, position)
        by = f"  (imported by {found[up].name})" if up is not None else ""
        print(f"  {found[position].cumulative_us / 1000:7.1f} ms  {found[position].name}{by}")


def _heavy(found: list[Import], positions: list[int]) -> list[int]:
    """Imports of >= 5 ms made by the program or by a checker module: what start-up pays."""
    heavy = []
    for position in positions:
        up = parent(found, position)
        by_checker = up is None or found[up].name.startswith("checker")
        if found[position].cumulative_us >= HEAVY_US and by_checker:
            heavy.append(position)
    return heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    calls = {name: partial(run, command) for name, command in COMMANDS.items()}
    medians = interleaved_medians(calls, args.repeats)
    bare = medians["python -c pass"]
    print(f"start-up, medians of {args.repeats} runs")
    for name, seconds in medians.items():
        over = f"  (+{(seconds - bare) * 1000:.0f} ms, {ratio(seconds, bare)})"
        print(f"  {name:<38}{seconds * 1000:7.1f} ms{over if seconds != bare else ''}")
    bare_modules = {entry.name for entry in imports(COMMANDS["python -c pass"])}
    for name, command in list(COMMANDS.items())[1:]:
        report_imports(name, command, bare_modules)


if __name__ == "__main__":
    main()
