"""Serve a JSON state file: `python -m tests.emulator STATE.json [--port N] [--api-key K]`.

For manual runs and benchmarks. The state file holds the keys of `EmulatorState`
(`indexes`, `schedules`, `history`, `backups`, `plan_allows_backups`). The URL is printed on
stdout; Ctrl-C stops the server.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import threading

from tests.emulator.server import Emulator
from tests.emulator.state import load_state


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("state", help="JSON file with the project state to serve")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("EMULATOR_API_KEY", "test-api-key"),
        help="the key clients must send (default: $EMULATOR_API_KEY or test-api-key)",
    )
    parser.add_argument("--page-size-cap", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per answer")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    state = load_state(args.state)
    emulator = Emulator(
        state, args.api_key, args.page_size_cap, latency=args.latency, port=args.port
    )
    with emulator:
        print(emulator.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
