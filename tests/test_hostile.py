"""Hostile API strings, end to end (issue 6): every output stays inert for its sink.

The emulator serves a project whose index names, schedule names and ids, run statuses, backup
ids and error bodies carry newlines, GitHub workflow commands, `%0A`, ANSI and OSC escapes,
Markdown and HTML, `]]>`, NUL, C1 and bidi controls, lone surrogates, path traversal and a
10,000-character string; the spec declares some of them (by name and by id). Then `check`
writes every format, and each is read back the way its consumer reads it:

- text: no raw control or invisible character, so nothing can drive a terminal;
- github: the only lines that start with `::` are our annotations, and their data and
  properties, un-escaped the way the runner does it, give back exactly the report's strings;
- markdown: every table row has its header's column count, no raw `<` but our own tags;
- junit: parses, holds no character XML forbids, validates against the JUnit XSD when the
  reference schemas are present;
- sarif and json: parse, ASCII-only (sarif) or free of raw controls (json), JSON validates
  against `schemas/report.schema.json`, and names round-trip exactly;
- prometheus: every line is a comment or a sample of the exposition grammar.

`snapshot` must write only numbered files inside its directory and replay to the same report;
`init` must write a spec that loads back to exactly the API's names and ids.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker import cli
from checker.schemas_access import load_schema
from checker.spec import load_spec
from tests.emulator import (
    Emulator,
    EmulatorState,
    Status,
    backups_from_history,
    make_id,
    make_index,
    make_run,
    make_schedule,
)
from tests.hardening import NOW, Outcome, api_env, fast_retries, invoke

KEY = "pcsk_hostile_5b7d9f1a3c"
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference-schemas"

HOSTILE = {
    "newlines": "one\ntwo\r\nthree\rfour",
    "workflow-commands": "::error::forged\n::set-output name=x::y\n::add-mask::z\n::debug::",
    "percent-escapes": "%0A::warning::w%0D%25%3A%2C",
    "ansi": "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J \x9b1m",
    "markdown-html": "a|b|c <script>alert(1)</script> <img src=x onerror=y> [l](javascript:x) "
    "**b** `c` # h @here ~~s~~ $x$",
    "xml": "]]> <x y='z'> &amp; &#0; <![CDATA[ --> \"'",
    "controls": "nul\x00 bel\x07 bs\x08 vt\x0b ff\x0c del\x7f nel\x85 bidi\u202eexe.txt\u202c "
    "zw\u200b ls\u2028 ps\u2029 nonchar\ufffe\uffff",
    "paths": "../../../etc/passwd/..\\..\\windows\\x/./",
    "long": "L" * 9_980 + "<script>\n::error::",
    # GitHub's runner obeys the legacy form anywhere in a line that is not a `::` command
    "runner-v1": "x ##[error]forged ##[add-mask]y ##[set-output name=exit-code;]0 ##[debug]t",
}
SURROGATE = "lone \ud800 surrogate"  # the API can send "\ud800"; a spec (UTF-8) cannot
HOSTILE_INDEX = "evil/../idx\n::error::x %0A <s>|]]>\x1b[31m\x00"
DOT_INDEX = ".."
HOSTILE_ID = "../../etc/passwd/.."
ALL = HOSTILE["runner-v1"] + "".join(HOSTILE.values())[:2000] + HOSTILE["long"][-30:]
FORMATS = cli.FORMATS

UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
OUR_COMMANDS = ("error", "warning", "notice")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in UNSAFE


def runner_command(line: str) -> str | None:
    """The workflow command GitHub's runner would run for this log line, or None.

    As `ActionCommand.TryParseV2` then `TryParse` do in actions/runner: `::name ...::data`
    after leading whitespace, else the legacy `##[name ...]data` anywhere in the line.
    """
    trimmed = line.lstrip()
    if trimmed.startswith("::") and "::" in trimmed[2:]:
        return trimmed[2:].split("::", 1)[0].split(" ", 1)[0]
    start = line.find("##[")
    if start >= 0 and "]" in line[start:]:
        return line[start + 3 :].split("]", 1)[0].split(" ", 1)[0]
    return None


def assert_no_forged_command(text: str, where: str, *, ours: tuple[str, ...] = ()) -> None:
    """No line of `text` is a runner command, but our own annotations (`::error ...::`)."""
    for line in text.splitlines():
        command = runner_command(line)
        if command is None:
            continue
        assert command in ours, (where, line[:160])
        assert line.startswith(f"::{command} "), (where, line[:160])


# --------------------------------------------------------------------------- the project


def _runs(schedule: str, index: str, statuses: list[str]) -> list[dict[str, Any]]:
    """Daily runs at 06:00 going back from 29 April, one per status, hostile ids and all."""
    rows = []
    for day, status in enumerate(statuses):
        planned = f"2026-04-{29 - day:02d}T06:00:00+00:00"
        row = make_run(schedule, planned, status=status, index=index)
        row["backup_id"] = f"{HOSTILE['paths']}{day}" if day % 2 else row["backup_id"]
        rows.append(row)
    return rows


def hostile_state() -> EmulatorState:
    index = "hostile-prod"
    declared = make_schedule(index, "declared", next_scheduled_run="2026-04-30T06:00:00Z")
    by_id = make_schedule(index, HOSTILE["newlines"], schedule_id=HOSTILE_ID, frequency="weekly")
    drifting = make_schedule(index, "drifting", frequency=HOSTILE["ansi"])
    unmanaged = [
        make_schedule(index, value, schedule_id=make_id("u", key))
        for key, value in {**HOSTILE, "surrogate": SURROGATE}.items()
    ]
    on_hostile = make_schedule(HOSTILE_INDEX, "nightly\n::error::x")
    statuses = ["Ready", *HOSTILE.values(), SURROGATE, "Ready", "Ready"]
    history = _runs("declared", index, statuses)
    return EmulatorState(
        indexes=[make_index(n) for n in (index, HOSTILE_INDEX, DOT_INDEX, "broken-prod", "b2")],
        schedules={
            index: [declared, by_id, drifting, *unmanaged],
            HOSTILE_INDEX: [on_hostile],
            DOT_INDEX: [make_schedule(DOT_INDEX, HOSTILE["xml"])],
        },
        history={
            declared["schedule_id"]: history,
            by_id["schedule_id"]: [],
            on_hostile["schedule_id"]: _runs("nightly\n::error::x", HOSTILE_INDEX, ["Ready"]),
        },
        backups={
            index: backups_from_history(history, index=index),
            HOSTILE_INDEX: [],
            DOT_INDEX: [],
        },
    )


def _q(value: str) -> str:
    """A YAML double-quoted scalar (YAML 1.2 reads JSON strings verbatim)."""
    return json.dumps(value, ensure_ascii=True)


def hostile_spec() -> str:
    def declaration(index: str, key: str, value: str, frequency: str = "daily") -> str:
        return (
            f"  - index: {_q(index)}\n    {key}: {_q(value)}\n    frequency: {frequency}\n"
            "    retention: {expire_after_days: 7, min_ready: 2}\n"
        )

    return (
        "version: 1\ncoverage:\n  indexes: ['*']\n  unmanaged: warning\nschedules:\n"
        + declaration("hostile-prod", "name", "declared")
        + declaration("hostile-prod", "id", HOSTILE_ID, "weekly")
        + declaration("hostile-prod", "name", "drifting")
        + declaration(HOSTILE_INDEX, "name", "nightly\n::error::x")
        + declaration("broken-prod", "name", HOSTILE["markdown-html"])
        + declaration("b2", "name", HOSTILE["controls"])
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One live run writing every format, plus a snapshot and its replay, against the
    hostile project; the tests below read what it wrote."""
    directory = tmp_path_factory.mktemp("hostile")
    spec = directory / "schedules.yaml"
    spec.write_text(hostile_spec(), encoding="utf-8")
    out = directory / "out"
    with (
        Emulator(hostile_state(), api_key=KEY, page_size_cap=5) as emu,
        pytest.MonkeyPatch.context() as patch,
    ):
        error = {"error": {"code": HOSTILE["workflow-commands"], "message": ALL}, "status": 400}
        emu.add_fault("/indexes/broken-prod/backup-schedules", Status(400, body=error), None)
        emu.add_fault("/indexes/b2/backup-schedules", Status(409, body=ALL), None)
        api_env(patch, emu.url, KEY)
        fast_retries(patch)
        reports = [f"--report={fmt}={out / f'report.{fmt}'}" for fmt in FORMATS]
        args = ("check", str(spec), "--now", NOW)
        runs = {
            "files": invoke(*args, "-f", "text", "-o", str(out / "stdout.txt"), *reports),
            "stdout": invoke(*args, "-f", "text"),
            "snapshot": invoke("snapshot", str(spec), "--out", str(directory / "snap")),
            "replay": invoke(*args, "-f", "json", "--snapshot", str(directory / "snap")),
            "init": invoke("init", "--out", str(directory / "init.yaml")),
        }
        yield {
            "runs": runs,
            "out": out,
            "directory": directory,
            "state": emu.state,
            "paths": {r.path for r in emu.requests},
        }


def read(project: dict[str, Any], fmt: str) -> str:
    text: str = (project["out"] / f"report.{fmt}").read_bytes().decode("utf-8")
    return text


def report(project: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read(project, "json"))
    return document


# --------------------------------------------------------------------------- the run itself


def test_the_hostile_project_was_read_and_judged(project: dict[str, Any]) -> None:
    runs: dict[str, Outcome] = project["runs"]
    assert runs["files"].code == 3  # broken-prod and b2 cannot be read
    assert runs["files"].out == ""
    document = report(project)
    rules = {f["rule"] for f in document["findings"]}
    assert {"unknown-status", "frequency-drift", "schedule-unmanaged", "index-uncovered"} <= rules
    names = {f["schedule"] for f in document["findings"]}
    assert HOSTILE["long"] in names  # 10,000 characters, intact
    assert SURROGATE.replace("\ud800", "\ufffd") in names
    assert {s["index"] for s in document["schedules"]} >= {HOSTILE_INDEX, "broken-prod"}
    errors = [s["error"] for s in document["schedules"] if s["status"] == "unknown"]
    assert any("##[error]forged" in e for e in errors)  # the API's message is quoted...
    assert all("\n" not in e and "\x1b" not in e for e in errors)  # ...on one line, inert


def test_hostile_names_travel_percent_encoded(project: dict[str, Any]) -> None:
    paths: set[str] = project["paths"]
    assert (
        "/indexes/evil%2F..%2Fidx%0A%3A%3Aerror%3A%3Ax%20%250A%20%3Cs%3E%7C%5D%5D%3E%1B%5B31m%00/backup-schedules"
        in paths
    )
    assert "/indexes/%2E%2E/backup-schedules" in paths
    assert "/backup-schedules/..%2F..%2Fetc%2Fpasswd%2F../history" in paths
    assert all(" " not in p and "\n" not in p for p in paths)


def test_stderr_is_one_inert_line(project: dict[str, Any]) -> None:
    for run in project["runs"]["files"], project["runs"]["stdout"]:
        assert run.err.count("\n") == 1
        assert not any(unsafe(ch) for ch in run.err[:-1])
        assert "Traceback" not in run.err
        assert_no_forged_command(run.err, "stderr")


def test_spec_errors_quote_hostile_values_inertly(tmp_path: Path) -> None:
    """A pull request's spec is printed back in error messages: never as a runner command."""
    spec = tmp_path / "schedules.yaml"
    spec.write_text(
        "version: 1\nschedules:\n  - index: prod\n    name: n\n"
        f"    frequency: {_q(HOSTILE['runner-v1'])}\n"
        "    retention: {expire_after_days: 7}\n"
        f"    {_q('##[add-mask]key')}: 1\n"
        f"    severity: {{{_q(HOSTILE['ansi'] + HOSTILE['newlines'])}: off}}\n",
        encoding="utf-8",
    )
    for command in ("validate", "check"):
        run = invoke(command, str(spec))
        assert run.code == 2
        assert run.err.count("\n") == 3, run.err  # three problems, one line each
        assert_no_forged_command(run.err, f"{command} stderr")
        assert not {ch for ch in run.err if ch != "\n" and unsafe(ch)}
        assert "##\\x5berror]forged" in run.err  # still readable, and visibly escaped


# --------------------------------------------------------------------------- per format


def test_text_holds_no_raw_control_character_nor_runner_command(project: dict[str, Any]) -> None:
    for text in read(project, "text"), project["runs"]["stdout"].out:
        bad = {ch for ch in text if ch != "\n" and unsafe(ch)}
        assert not bad, bad
        assert_no_forged_command(text, "the text report")
        assert "\\x1b[31m" in text  # shown as an escape, not swallowed
        assert "##\\x5berror]forged" in text  # the runner's legacy syntax, broken visibly
    assert read(project, "text") == project["runs"]["stdout"].out


ANNOTATION = re.compile(r"::(?P<level>error|warning|notice) (?P<properties>[^:]*)::(?P<data>.*)")


def _unescape(value: str, *, property: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, raw in [*pairs, ("%25", "%")]:
        value = value.replace(escaped, raw)
    return value


def _log_safe(s: str) -> str:
    """What a CI log may show of `s`: CR and LF (escaped in commands), tab as a space, no
    other unsafe character."""
    return "".join(" " if ch == "\t" else ch for ch in s if ch in "\r\n\t" or not unsafe(ch))


def _matches(shown: str, original: str) -> bool:
    """`shown` is `original` made log-safe, whole or cut with an ellipsis."""
    full = _log_safe(original)
    return shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))


def test_github_annotations_are_ours_and_round_trip(project: dict[str, Any]) -> None:
    text = read(project, "github")
    document = report(project)
    messages = [f["message"] for f in document["findings"] if not f["waived"]]
    messages += [
        f"could not check this schedule, so its status is UNKNOWN: {s['error']}"
        for s in document["schedules"]
        if s["status"] == "unknown"
    ]
    assert not {ch for ch in text if ch != "\n" and unsafe(ch) and ch != "\r"}
    assert_no_forged_command(text, "the github report", ours=OUR_COMMANDS)
    annotations = 0
    for line in text.splitlines():
        if not line.startswith("::"):
            assert "::" not in line[:2]
            continue
        match = ANNOTATION.fullmatch(line)
        assert match, f"not one of our annotations: {line[:120]!r}"
        annotations += 1
        data = _unescape(match["data"], property=False)
        if data.endswith("not shown (") or " more annotation" in data:
            continue
        assert any(_matches(data, m) for m in messages), data[:200]
        properties = dict(p.split("=", 1) for p in match["properties"].split(","))
        assert set(properties) <= {"file", "line", "col", "title"}
        title = _unescape(properties["title"], property=True)
        assert title.startswith("backup-drift: ")
    assert annotations >= 10


def _cells(row: str) -> int:
    """Cells of a Markdown table row: pipes not escaped by an odd run of backslashes."""
    pipes = [m for m in re.finditer(r"(\\*)\|", row) if len(m.group(1)) % 2 == 0]
    return len(pipes) - 1


OUR_TAGS = re.compile(r"</?details>|</?summary>")


def test_markdown_tables_keep_their_columns_and_no_raw_html(project: dict[str, Any]) -> None:
    text = read(project, "markdown")
    assert not {ch for ch in text if ch != "\n" and unsafe(ch)}
    assert "<" not in OUR_TAGS.sub("", text)
    lines = text.splitlines()
    tables = 0
    for number, line in enumerate(lines):
        if (
            line.startswith("| ")
            and number + 1 < len(lines)
            and lines[number + 1].startswith("| ---")
        ):
            tables += 1
            columns = _cells(line)
            for row in lines[number + 1 :]:
                if not row.startswith("|"):
                    break
                assert _cells(row) == columns, row[:200]
    assert tables >= 2
    assert "&lt;script&gt;" in text


def test_junit_parses_and_holds_no_illegal_character(project: dict[str, Any]) -> None:
    text = read(project, "junit")
    assert not XML_ILLEGAL.search(text)
    root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own report, under test
    names = {p.get("value") for p in root.iter("property") if p.get("name") == "schedule"}
    assert "nightly\n::error::x" in names  # LF is legal XML, and kept
    xsd = REFERENCE / "junit-10.xsd"
    if xsd.exists():
        xmlschema = pytest.importorskip("xmlschema")
        xmlschema.XMLSchema10(str(xsd)).validate(text)


def test_sarif_parses_is_ascii_and_keeps_the_strings(project: dict[str, Any]) -> None:
    text = read(project, "sarif")
    assert text.isascii()
    log = json.loads(text)
    messages = {r["message"]["text"] for r in log["runs"][0]["results"]}
    expected = {f["message"] for f in report(project)["findings"]}
    assert messages == expected
    schema = REFERENCE / "sarif-schema-2.1.0.json"
    if schema.exists():
        jsonschema.Draft4Validator(json.loads(schema.read_text())).validate(log)


def test_json_parses_validates_and_keeps_the_strings(project: dict[str, Any]) -> None:
    text = read(project, "json")
    assert not {ch for ch in text if ch != "\n" and unsafe(ch)}
    document = json.loads(text)
    jsonschema.validate(document, load_schema("report.schema.json"))
    names = {f["schedule"] for f in document["findings"]}
    for key in ("newlines", "workflow-commands", "ansi", "controls", "paths", "long"):
        assert HOSTILE[key] in names, key
    assert document == json.loads(project["runs"]["replay"].out)


PROMETHEUS_LINE = re.compile(
    r"# HELP [a-zA-Z_:][a-zA-Z0-9_:]* [^\n]*"
    r"|# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (?:gauge|counter|untyped)"
    r'|[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})?'
    r" (?:[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)"
)


def test_prometheus_lines_follow_the_exposition_grammar(project: dict[str, Any]) -> None:
    text = read(project, "prometheus")
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert all(PROMETHEUS_LINE.fullmatch(line) for line in lines), [
        line[:120] for line in lines if not PROMETHEUS_LINE.fullmatch(line)
    ]
    assert not {ch for ch in text if ch != "\n" and unsafe(ch)}
    assert any(HOSTILE_INDEX.split("\n")[0] in line for line in lines)


# --------------------------------------------------------------------------- files


def test_the_snapshot_writes_only_numbered_files_inside_its_directory(
    project: dict[str, Any],
) -> None:
    directory: Path = project["directory"]
    snap = (directory / "snap").resolve()
    assert project["runs"]["snapshot"].code == 3  # two listings could not be read
    files = [p for p in directory.rglob("*") if p.is_file()]
    outside = {p.name for p in files if not p.resolve().is_relative_to(snap)}
    assert outside == {"schedules.yaml", "init.yaml", "stdout.txt"} | {
        f"report.{fmt}" for fmt in FORMATS
    }
    inside = sorted(str(p.relative_to(snap)) for p in files if p.resolve().is_relative_to(snap))
    assert inside[-1] == "manifest.json"
    assert all(re.fullmatch(r"bodies/[0-9]{6}\.json", name) for name in inside[:-1]), inside
    assert [p for p in directory.rglob("*") if p.is_symlink()] == []
    manifest = json.loads((snap / "manifest.json").read_text())
    assert {e["path"] for e in manifest["listings"]} <= project["paths"]


def test_the_snapshot_replays_to_the_same_report(project: dict[str, Any]) -> None:
    runs: dict[str, Outcome] = project["runs"]
    assert runs["replay"].code == runs["files"].code
    assert runs["replay"].out == read(project, "json")


def test_init_writes_a_spec_that_gives_back_the_api_names(project: dict[str, Any]) -> None:
    run: Outcome = project["runs"]["init"]
    assert run.code == 3, run  # it says which indexes it could not read
    path: Path = project["directory"] / "init.yaml"
    spec = load_spec(path)
    state: EmulatorState = project["state"]
    declared = {(d.index, d.id) for d in spec.schedules}
    expected = {
        (index, s["schedule_id"])
        for index, rows in state.schedules.items()
        for s in rows
        if s["frequency"] in ("daily", "weekly", "monthly")
    }
    assert declared == expected
    names = {d.id: d.name for d in spec.schedules}
    for rows in state.schedules.values():
        for s in rows:
            if s["schedule_id"] in names and names[s["schedule_id"]] is not None:
                assert names[s["schedule_id"]] == s["name"]
    assert not {ch for ch in path.read_text() if ch != "\n" and unsafe(ch)}
