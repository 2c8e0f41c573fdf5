"""Shared helpers of the hardening tests (issue 6): the CLI in-process, with fast retries.

`invoke(*args)` runs `checker.cli.main` in-process and returns its exit code and output, like
`tests.test_cli.run` but usable outside a test function (module fixtures) and with `caplog`.

`fast_retries(monkeypatch)` swaps the CLI's `PineconeHttp` for the same class built with a
*warped* clock: every backoff or `Retry-After` wait the client asks for is recorded and
skipped (virtual time jumps ahead by that much), while real elapsed time still counts, so read
timeouts and the deadline behave as in production. The retry policy under test (which waits,
how many attempts, what the deadline allows) is the real one; only the waiting is virtual.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker import cli
from checker.schemas_access import load_schema
from checker.source import http

ROOT = Path(__file__).resolve().parents[1]
SPEC = str(ROOT / "schedules.yaml")
NOW = "2026-04-30T12:00:00Z"
REPORT_SCHEMA = jsonschema.Draft202012Validator(load_schema("report.schema.json"))


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    def report(self) -> dict[str, Any]:
        """stdout as a JSON report, validated against the report schema."""
        document = json.loads(self.out)
        REPORT_SCHEMA.validate(document)
        return document  # type: ignore[no-any-return]


def invoke(*args: str) -> Outcome:
    """Run the CLI in-process; its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(list(args))
        except SystemExit as exited:
            code = exited.code
        else:  # pragma: no cover - main always exits
            code = None
    return Outcome(code if isinstance(code, int) else -1, out.getvalue(), err.getvalue())


class WarpedTime:
    """A monotonic clock that real time moves and `sleep` jumps ahead (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._skipped = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        with self._lock:
            return time.monotonic() + self._skipped

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._skipped += max(seconds, 0.0)
        time.sleep(0)  # let other threads run, as a real sleep would


def fast_retries(monkeypatch: pytest.MonkeyPatch, **settings: Any) -> WarpedTime:
    """Make the CLI's client wait in virtual time; `settings` override other constructor
    arguments (e.g. `read_timeout=0.3`). Returns the clock, whose `sleeps` lists every wait."""
    warped = WarpedTime()
    original: Callable[..., http.PineconeHttp] = http.PineconeHttp

    class WarpedHttp(original):  # type: ignore[valid-type, misc]
        def __init__(self, **kwargs: Any) -> None:
            kwargs.update(sleep=warped.sleep, clock=warped.clock, **settings)
            super().__init__(**kwargs)

    monkeypatch.setattr(http, "PineconeHttp", WarpedHttp)
    return warped


def api_env(monkeypatch: pytest.MonkeyPatch, url: str, key: str) -> None:
    """The environment of a live check against `url` with `key`, and nothing else that could
    change the verdict or the transport."""
    monkeypatch.setenv("PINECONE_API_KEY", key)
    monkeypatch.setenv("PINECONE_API_URL", url)
    for name in ("PINECONE_API_VERSION", "GITHUB_ACTIONS", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name in PROXY_VARIABLES:  # a CI machine's proxy must not carry the tests' requests
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
