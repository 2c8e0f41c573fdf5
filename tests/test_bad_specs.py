"""Every bad spec through the command line (issue 6): `backup-drift validate BAD.yaml`.

`tests/test_spec.py` checks what `load_spec` says about each file of `spec_cases/bad/`; this
checks what a user sees: exit 2, nothing on stdout, every problem on stderr as
`FILE:LINE:COLUMN: ...` (each `# expect:` line of the file among them), no traceback, and an
answer within a second or two. Inputs too big or too odd to keep in the repository (a file
over 1 MiB, UTF-16, nesting 100,000 deep, random bytes) are generated here.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hardening import Outcome, invoke
from tests.test_spec import BAD, expectations

PROBLEM_LINE = re.compile(
    r"(?:backup-drift: )?(?P<file>.+):(?P<line>[1-9][0-9]*):(?P<column>[1-9][0-9]*): \S.*"
)
VALID = (
    "version: 1\nschedules:\n  - index: products-prod\n    name: nightly\n"
    "    frequency: daily\n    retention:\n      expire_after_days: 7\n"
)
# The corpus must keep covering the issue's list: one file (at least) per kind of mistake.
KINDS = (
    "syntax-",
    "syntax-tab-indent",
    "duplicate-key-top-level",
    "duplicate-key-project",
    "duplicate-key-defaults",
    "duplicate-key-coverage",
    "duplicate-key-schedule",
    "duplicate-key-retention",
    "duplicate-key-tolerate",
    "duplicate-key-severity-map",
    "duplicate-key-waiver",
    "typo-",
    "enum-",
    "type-",
    "bad-duration-",
    "bad-timestamp-",
    "unknown-rule-",
    "waiver-without-reason",
    "waiver-without-expires",
    "duplicate-declaration-",
    "version-",
    "empty",
    "top-level-list",
    "type-enabled-yes",
    "bad-duration-sexagesimal",
    "enum-severity-yaml11-no",
    "tag-python-object",
    "alias-bomb",
    "non-utf8",
    "deep-nesting",
)


def assert_refused(outcome: Outcome, path: Path, started: float) -> list[re.Match[str]]:
    """Exit 2, nothing on stdout, only located problem lines on stderr, quickly."""
    elapsed = time.monotonic() - started
    assert outcome.code == 2, outcome
    assert outcome.out == ""
    assert "Traceback" not in outcome.err
    assert "internal error" not in outcome.err
    lines = outcome.err.splitlines()
    assert lines, "no message at all"
    problems = [PROBLEM_LINE.fullmatch(line) for line in lines]
    assert all(problems), f"a line without FILE:LINE:COLUMN: {lines}"
    assert {m["file"] for m in problems if m} == {str(path)}
    assert elapsed < 3.0, f"validate took {elapsed:.1f}s"
    return [m for m in problems if m]


def test_the_corpus_covers_every_kind_of_mistake_the_issue_lists() -> None:
    stems = [case.stem for case in BAD]
    missing = [kind for kind in KINDS if not any(stem.startswith(kind) for stem in stems)]
    assert not missing


@pytest.mark.timeout(10)
@pytest.mark.parametrize("case", BAD, ids=lambda case: case.stem)
def test_validate_refuses_every_bad_spec_naming_file_and_line(case: Path) -> None:
    started = time.monotonic()
    outcome = invoke("validate", str(case))
    problems = assert_refused(outcome, case, started)
    for line, column, text in expectations(case):
        assert any(
            (int(m["line"]), int(m["column"])) == (line, column) and text in m.group(0)
            for m in problems
        ), (line, column, text, outcome.err)


@pytest.mark.timeout(10)
def test_check_refuses_a_bad_spec_before_any_request() -> None:
    """The same message from `check` (prefixed with the program's name), before any key or
    request is needed: port 9 (discard) on loopback would refuse a connection anyway."""
    case = next(c for c in BAD if c.stem == "enum-frequency")
    started = time.monotonic()
    outcome = invoke("check", str(case), "--api-url", "http://127.0.0.1:9")
    assert_refused(outcome, case, started)
    assert "'dayly' is not one of daily, weekly, monthly" in outcome.err


def _huge() -> bytes:
    return (VALID + "# padding\n" * 110_000).encode()


def _many_unknown_keys() -> bytes:
    return ("version: 1\n" + "".join(f"key{i}: &a{i} [1]\n" for i in range(2000))).encode()


GENERATED: dict[str, tuple[Callable[[], bytes], str]] = {
    "over-1-mib": (_huge, ":1:1: the file is larger than 1 MiB"),
    "utf-16": (lambda: VALID.encode("utf-16"), ":1:1: the file is not valid UTF-8"),
    "utf-32": (lambda: VALID.encode("utf-32"), ":1:1: the file is not valid UTF-8"),
    "nested-100000-deep": (
        lambda: ("version: 1\nx: " + "[" * 100_000 + "]" * 100_000).encode(),
        "nested deeper than 64 levels",
    ),
    "mappings-50000-deep": (
        lambda: ("version: 1\nx: " + "{a: " * 50_000 + "1" + "}" * 50_000).encode(),
        "nested deeper than 64 levels",
    ),
    "block-nesting-1400-deep": (
        lambda: ("version: 1\n" + "".join(" " * i + f"k{i}:\n" for i in range(1400))).encode(),
        "nested deeper than 64 levels",
    ),
    "random-bytes": (lambda: random.Random(6).randbytes(4096), "not valid UTF-8"),
    "byte-order-mark-only": (lambda: b"\xef\xbb\xbf", ":1:1: the document is empty"),
    "comments-only": (lambda: b"# nothing\n", ":1:1: the document is empty"),
    "2000-unknown-keys": (_many_unknown_keys, ": key1999: unknown key 'key1999'"),
    "windows-1252": (
        lambda: (VALID + "    id: caf\xe9\n").encode("cp1252"),
        "the file is not valid UTF-8 (byte 0xe9)",
    ),
    "python-apply-in-flow": (
        lambda: (VALID + "    tolerate: {gap: !!python/object/apply:os.getpid []}\n").encode(),
        "tag !!python/object/apply:os.getpid is not allowed",
    ),
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("make", "message"), GENERATED.values(), ids=GENERATED.keys())
def test_validate_refuses_generated_monsters_quickly(
    tmp_path: Path, make: Callable[[], bytes], message: str
) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_bytes(make())
    started = time.monotonic()
    outcome = invoke("validate", str(path))
    assert_refused(outcome, path, started)
    assert message in outcome.err


@pytest.mark.timeout(10)
@pytest.mark.parametrize("kind", ["missing", "directory", "unreadable"])
def test_validate_refuses_what_is_not_a_readable_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "schedules.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads files whatever their mode")
        path.write_text(VALID)
        path.chmod(0)
    started = time.monotonic()
    outcome = invoke("validate", str(path))
    assert_refused(outcome, path, started)
