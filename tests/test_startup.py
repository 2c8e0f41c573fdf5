"""Commands that never call the API must not pay for the HTTP stack at start-up.

`--version`, `validate` and `explain` run in editors, pre-commit hooks and CI steps, often many
times; httpx (and the ssl and certifi it loads) is only needed by the commands that fetch.
Checked in a fresh interpreter, since this test process has long imported httpx.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
from checker import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore", "ssl")))
"""


@pytest.mark.parametrize(
    "args",
    [["--version"], ["validate", str(ROOT / "schedules.yaml")], ["explain", "missed-run"]],
    ids=["version", "validate", "explain"],
)
def test_offline_commands_do_not_import_the_http_stack(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", PROBE, *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    assert done.stdout.splitlines()[-1] == "[]"
