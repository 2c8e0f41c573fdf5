"""Property-based hardening (issue 6): no input, however broken, makes the checker crash.

(a) Specs. A grammar generates valid specs (every section and option, defaults, coverage,
    declarations by name and by id, waivers); each must load back to exactly the values it
    spells. Mutations then break them the ways people and tools do: a key deleted, a value
    retyped, a key misspelt, a key duplicated, YAML syntax injected. `parse_spec` must answer
    with a `Spec` or a `SpecError` whose every problem is located, and nothing else; a
    misspelt or duplicated key is always an error.

(b) API states. Random but schema-valid projects (indexes of every kind; schedules with known
    and unknown frequencies, duplicated names, null next runs; histories with known and random
    statuses, timestamps in `Z`, `+00:00` and nine-digit forms, missing names, null counts,
    rows in the future and rows repeated across pages; unreadable listings) go through the
    wire parser (`checker.source.parse`) and `evaluate` against a spec that declares some of
    them: nothing raises, the JSON report validates against `schemas/report.schema.json`,
    every other format renders to valid UTF-8, and the streaming evaluation gives the same
    report whatever order the listings arrive in.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import SpecError
from checker.evaluate import evaluate
from checker.model import (
    BackupListing,
    Coverage,
    HistoryListing,
    Index,
    Listing,
    Location,
    Missing,
    ProjectState,
    Retention,
    Run,
    Schedule,
    ScheduleListing,
    Spec,
    Waiver,
)
from checker.report import RENDERERS, render
from checker.rules import ALL_RULES
from checker.schemas_access import load_schema
from checker.source.parse import parse_backups, parse_history, parse_indexes, parse_schedules
from checker.spec import parse_spec
from checker.stream import evaluate_stream
from tests.builders import declaration

SPEC_EXAMPLES = 100
STATE_EXAMPLES = 100
FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

RULES = tuple(ALL_RULES)  # the registry; test_spec checks it against its own list
SEVERITIES = ("error", "warning", "notice", "off")
FREQUENCIES = ("daily", "weekly", "monthly")
UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
UNITS["w"] = timedelta(weeks=1)
REPORT = jsonschema.Draft202012Validator(load_schema("report.schema.json"))

# Printable BMP text (a YAML file holds no raw control character; astral characters would come
# back from a `\u` escape as two surrogates), with the spec's special characters in it.
TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=12,
).filter(lambda s: not s.isspace())
WORD = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)

# --------------------------------------------------------------------------- (a) spec grammar


def durations() -> st.SearchStrategy[str]:
    return st.builds(lambda n, u: f"{n}{u}", st.integers(1, 999), st.sampled_from(sorted(UNITS)))


def parse_duration_independently(text: str) -> timedelta:
    return int(text[:-1]) * UNITS[text[-1]]


def timestamps() -> st.SearchStrategy[str]:
    day = st.dates(datetime(2025, 1, 1).date(), datetime(2027, 12, 31).date())
    return st.one_of(
        day.map(str),
        st.builds(lambda d, h: f"{d}T{h:02d}:00:00Z", day, st.integers(0, 23)),
        st.builds(lambda d, h: f"{d}T{h:02d}:30:00+02:00", day, st.integers(0, 23)),
    )


def severity_maps() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(RULES), st.sampled_from(SEVERITIES), max_size=3)


def thresholds() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "lookback": durations(),
            "grace": durations(),
            "max_run_duration": durations(),
            "max_age": durations(),
            "max_gap": durations(),
            "max_shrink": st.integers(1, 100).map(lambda p: f"{p}%"),
            "tolerate": st.dictionaries(st.sampled_from(RULES), st.integers(0, 5), max_size=2),
            "severity": severity_maps(),
        },
    )


@st.composite
def waivers(draw: st.DrawFn) -> dict[str, Any]:
    waiver: dict[str, Any] = {
        "rule": draw(st.sampled_from(RULES)),
        "reason": draw(TEXT),
        "expires": draw(timestamps()),
    }
    start = draw(st.one_of(st.none(), st.datetimes(datetime(2026, 1, 1), datetime(2026, 6, 1))))
    if start is not None:
        waiver["from"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        length = draw(st.integers(1, 1000))
        waiver["until"] = (start + timedelta(hours=length)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return waiver


@st.composite
def declarations(draw: st.DrawFn, position: int) -> dict[str, Any]:
    item: dict[str, Any] = {"index": f"{draw(WORD)}-{position}"}
    if draw(st.booleans()):
        item["name"] = draw(TEXT)
    else:
        item["id"] = f"{draw(WORD)}-{position}"
    item["frequency"] = draw(st.sampled_from(FREQUENCIES))
    if draw(st.booleans()):
        item["enabled"] = draw(st.booleans())
    retention: dict[str, Any] = {"expire_after_days": draw(st.integers(1, 36525))}
    if draw(st.booleans()):
        retention["min_ready"] = draw(st.integers(0, 50))
    if draw(st.booleans()):
        retention["restore_window"] = draw(durations())
    item["retention"] = retention
    item.update(draw(thresholds()))
    if draw(st.booleans()):
        item["waivers"] = draw(st.lists(waivers(), max_size=2))
    return item


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1}
    if draw(st.booleans()):
        data["project"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "api_key_env": st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True),
                    "api_version": st.sampled_from(("2026-07", "unstable")),
                },
            )
        )
    if draw(st.booleans()):
        data["defaults"] = draw(thresholds())
    count = draw(st.integers(0, 4))
    if count == 0 or draw(st.booleans()):
        data["coverage"] = {"indexes": draw(st.lists(TEXT, min_size=1, max_size=3))}
        if draw(st.booleans()):
            data["coverage"]["unmanaged"] = draw(st.sampled_from(SEVERITIES))
    data["schedules"] = [draw(declarations(position)) for position in range(count)]
    return data


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=True)  # YAML 1.2 reads a JSON string verbatim


def emit(value: object, indent: int = 0) -> list[str]:
    """Block-style YAML, every string double-quoted, keys plain."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines += [f"{pad}{key}:", *emit(item, indent + 2)]
            else:
                empty = "{}" if isinstance(item, dict) else "[]"
                shown = empty if isinstance(item, dict | list) else scalar(item)
                lines.append(f"{pad}{key}: {shown}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                block = emit(item, indent + 2)
                lines += [f"{pad}- {block[0][indent + 2 :]}", *block[1:]]
            else:
                lines.append(f"{pad}- {scalar(item)}")
    return lines


def to_yaml(data: dict[str, Any]) -> str:
    return "\n".join(emit(data)) + "\n"


def assert_located(error: SpecError, file: str) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.file == file
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message.strip()


def load_or_refuse(text: str | bytes) -> Spec | SpecError:
    """`parse_spec`'s answer; anything but a Spec or a SpecError fails the test."""
    try:
        return parse_spec(text, "fuzz.yaml")
    except SpecError as error:
        assert_located(error, "fuzz.yaml")
        return error


def _expected_duration(item: dict[str, Any], defaults: dict[str, Any], key: str) -> object:
    text = item.get(key, defaults.get(key))
    return None if text is None else parse_duration_independently(text)


@settings(FUZZ_SETTINGS, max_examples=SPEC_EXAMPLES)
@given(data=specs())
def test_a_valid_spec_loads_to_the_values_it_spells(data: dict[str, Any]) -> None:
    spec = parse_spec(to_yaml(data), "fuzz.yaml")
    defaults = data.get("defaults", {})
    project = data.get("project", {})
    assert spec.api_key_env == project.get("api_key_env", "PINECONE_API_KEY")
    assert spec.api_version == project.get("api_version")
    assert len(spec.schedules) == len(data["schedules"])
    for loaded, item in zip(spec.schedules, data["schedules"], strict=True):
        assert (loaded.index, loaded.name, loaded.id) == (
            item["index"],
            item.get("name"),
            item.get("id"),
        )
        assert (loaded.frequency, loaded.enabled) == (item["frequency"], item.get("enabled", True))
        retention = item["retention"]
        assert loaded.retention.expire_after_days == retention["expire_after_days"]
        assert loaded.retention.min_ready == retention.get("min_ready")
        assert loaded.retention.restore_window == (
            parse_duration_independently(retention["restore_window"])
            if "restore_window" in retention
            else None
        )
        for key, default in (
            ("lookback", timedelta(days=30)),
            ("grace", timedelta(hours=2)),
            ("max_run_duration", timedelta(hours=6)),
        ):
            assert getattr(loaded, key) == (_expected_duration(item, defaults, key) or default)
        for key in ("max_age", "max_gap"):
            assert getattr(loaded, key) == _expected_duration(item, defaults, key)
        assert loaded.tolerate == {**defaults.get("tolerate", {}), **item.get("tolerate", {})}
        assert dict(loaded.severity) == {
            **defaults.get("severity", {}),
            **item.get("severity", {}),
        }
        assert [(w.rule, w.reason) for w in loaded.waivers] == [
            (w["rule"], w["reason"]) for w in item.get("waivers", [])
        ]
    coverage = data.get("coverage")
    if coverage is None:
        assert spec.coverage is None
    else:
        assert spec.coverage is not None
        assert spec.coverage.indexes == tuple(coverage["indexes"])


# --------------------------------------------------------------------------- (a) mutations

Path = tuple[str | int, ...]


def paths(value: object, prefix: Path = ()) -> list[Path]:
    """Every key or item position in the document, depth first."""
    found: list[Path] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += [(*prefix, key), *paths(item, (*prefix, key))]
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found += [(*prefix, position), *paths(item, (*prefix, position))]
    return found


def parent(document: dict[str, Any], path: Path) -> Any:
    node: Any = document
    for step in path[:-1]:
        node = node[step]
    return node


OTHER_TYPES = (1, 2.5, True, None, "text", [1, "a"], {"k": "v"}, -3, "", [], {})
KNOWN_KEYS = {
    *json.dumps(load_schema("schedules.schema.json")).split('"'),  # every property name
    *RULES,
}


def misspell(key: str, position: int, letter: str, how: int) -> str:
    position %= len(key) + 1
    if how == 0:
        return key[:position] + letter + key[position:]  # insert
    if how == 1 and len(key) > 1:
        position = min(position, len(key) - 1)
        return key[:position] + key[position + 1 :]  # delete
    position = min(position, len(key) - 1)
    return key[:position] + letter + key[position + 1 :]  # replace


@settings(FUZZ_SETTINGS, max_examples=SPEC_EXAMPLES)
@given(data=specs(), choice=st.data())
def test_a_mutated_spec_is_a_spec_or_a_located_spec_error(
    data: dict[str, Any], choice: st.DataObject
) -> None:
    document = json.loads(json.dumps(data))
    path = choice.draw(st.sampled_from(paths(document)))
    node = parent(document, path)
    kind = choice.draw(st.sampled_from(("delete", "retype", "misspell")))
    must_fail = False
    if kind == "delete":
        del node[path[-1]]
    elif kind == "retype":
        old = node[path[-1]]
        new = choice.draw(st.sampled_from([v for v in OTHER_TYPES if type(v) is not type(old)]))
        node[path[-1]] = new
    elif isinstance(path[-1], str):
        key = path[-1]
        letter = choice.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_-"))
        how = choice.draw(st.integers(0, 2))
        wrong = misspell(key, choice.draw(st.integers(0, 20)), letter, how)
        if wrong != key:
            node[wrong] = node.pop(key)
            must_fail = wrong not in KNOWN_KEYS
    answer = load_or_refuse(to_yaml(document))
    if must_fail:
        assert isinstance(answer, SpecError)


KEY_LINE = re.compile(r"^(?P<indent> *)(?:- )?(?P<entry>[A-Za-z_-]+:.*)$")


@settings(FUZZ_SETTINGS, max_examples=SPEC_EXAMPLES)
@given(data=specs(), choice=st.data())
def test_a_duplicated_key_is_always_refused(data: dict[str, Any], choice: st.DataObject) -> None:
    lines = to_yaml(data).splitlines()
    keyed = [n for n, line in enumerate(lines) if KEY_LINE.match(line)]
    number = choice.draw(st.sampled_from(keyed))
    match = KEY_LINE.match(lines[number])
    assert match is not None
    column = len(lines[number]) - len(match["entry"])
    lines.insert(number + 1, " " * column + match["entry"])
    answer = load_or_refuse("\n".join(lines) + "\n")
    assert isinstance(answer, SpecError)
    assert any("duplicate key" in p.message for p in answer.problems)


SYNTAX = (
    "{",
    "}",
    "[",
    "]",
    ":",
    ": ",
    "- ",
    "? ",
    "&a ",
    "*a",
    "*missing",
    "!!python/object/apply:os.system ['true'] ",
    "!custom ",
    "!!binary ",
    "|",
    ">-",
    "'",
    '"',
    "\\",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "#",
    "@",
    "`",
    ",",
    "<<: *a\n",
    "\x00",
    "\x1b",
    "\ufeff",
    "\u2028",
    "\r",
    "\n  ",
    "\n- ",
    "&a [*a, *a]\n",
)


@settings(FUZZ_SETTINGS, max_examples=SPEC_EXAMPLES)
@given(
    data=specs(),
    injections=st.lists(
        st.tuples(st.sampled_from(SYNTAX), st.floats(0, 1)), min_size=1, max_size=3
    ),
    as_bytes=st.booleans(),
)
def test_injected_yaml_syntax_is_a_spec_or_a_located_spec_error(
    data: dict[str, Any], injections: list[tuple[str, float]], as_bytes: bool
) -> None:
    text = to_yaml(data)
    for token, where in injections:
        at = int(where * len(text))
        text = text[:at] + token + text[at:]
    load_or_refuse(text.encode("utf-8", "surrogatepass") if as_bytes else text)


# --------------------------------------------------------------------------- (b) API states

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
KNOWN_STATUSES = ("Ready", "InitializationFailed", "Failed", "Scheduled", "Initializing", "Pending")
API_TEXT = st.one_of(
    TEXT,
    st.sampled_from(
        ("prod", "a/../b", "::error::x", "\x1b[31m", "<b>|</b>", "\ud800", "\n", "%0A")
    ),
    st.text(max_size=6).filter(bool),
)


@st.composite
def api_times(draw: st.DrawFn, *, future: bool = True) -> str:
    latest = datetime(2026, 6, 30) if future else datetime(2026, 4, 30, 12)
    moment = draw(st.datetimes(datetime(2025, 10, 1), latest))
    style = draw(st.sampled_from(("Z", "+00:00", "9Z", "9+00:00", "0Z")))
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if style.startswith("9"):
        text += f".{moment.microsecond:06d}{draw(st.integers(0, 999)):03d}"
    elif style != "0Z" and moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + ("Z" if style.endswith("Z") else "+00:00")


def index_rows() -> st.SearchStrategy[dict[str, Any]]:
    deployment = st.sampled_from(("managed", "byoc", "pod")).map(lambda d: {"deployment_type": d})
    return st.fixed_dictionaries(
        {"name": API_TEXT, "deployment": deployment},
        optional={"status": st.just({"ready": True, "state": "Ready"}), "tags": st.none()},
    )


def schedule_rows(ids: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "schedule_id": ids,
            "name": st.one_of(st.sampled_from(("nightly", "weekly")), API_TEXT),
            "frequency": st.one_of(st.sampled_from(FREQUENCIES), API_TEXT),
            "retention_expire_after_days": st.integers(0, 400),
            "enabled": st.booleans(),
            "next_scheduled_run": st.one_of(st.none(), api_times()),
            "created_at": api_times(future=False),
        },
        optional={"schedule_type": st.just("time-based"), "x_extra": st.integers()},
    )


@st.composite
def run_rows(draw: st.DrawFn, schedule: str) -> dict[str, Any]:
    created = draw(api_times())
    row: dict[str, Any] = {
        "backup_id": draw(st.one_of(st.sampled_from(("b1", "b2", "b3")), API_TEXT)),
        "status": draw(st.one_of(st.sampled_from(KNOWN_STATUSES), API_TEXT)),
        "created_at": created,
    }
    name = draw(st.sampled_from(("missing", "suffix", "random", "null")))
    if name == "suffix":
        planned = datetime.fromisoformat(created[:19])
        row["name"] = f"{schedule}-{planned:%Y%m%dT%H%M%SZ}"
    elif name == "random":
        row["name"] = draw(API_TEXT)
    elif name == "null":
        row["name"] = None
    if draw(st.booleans()):
        row["scheduled_execution_at"] = draw(st.one_of(st.none(), api_times()))
    for key in ("record_count", "size_bytes"):
        row[key] = draw(st.one_of(st.none(), st.integers(0, 10**12)))
    return row


@st.composite
def pages(draw: st.DrawFn, rows: list[dict[str, Any]]) -> list[bytes]:
    """The rows in 1-3 pages, some repeated on the next page (offset tokens do that)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(rows)), max_size=2)))
    bounds = [0, *cuts, len(rows)]
    chunks = [rows[a:b] for a, b in itertools.pairwise(bounds)]
    result = []
    for number, chunk in enumerate(chunks):
        repeat = draw(st.integers(0, 2)) if number else 0
        previous = chunks[number - 1][-repeat:] if repeat else []
        last = number == len(chunks) - 1
        token = None if last else {"next": f"t{number}"}
        result.append(json.dumps({"data": previous + chunk, "pagination": token}).encode())
    return result


def _maybe_missing(draw: st.DrawFn, value: Callable[[], Any]) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return Missing(f"GET /x: {draw(API_TEXT)}")
    return value()


@st.composite
def projects(draw: st.DrawFn) -> tuple[Spec, ProjectState]:
    indexes_body = {"indexes": draw(st.lists(index_rows(), max_size=3))}
    indexes = parse_indexes(json.loads(json.dumps(indexes_body)))
    schedules: dict[str, tuple[Schedule, ...] | Missing] = {}
    history: dict[str, tuple[Run, ...] | Missing] = {}
    backups: dict[str, frozenset[str] | Missing] = {}
    for number, name in enumerate(indexes):
        # Ids repeat within a listing (pages overlap) but, like the API's UUIDs, never across
        # indexes: each index's ids carry its number.
        ids = st.one_of(st.sampled_from(("s1", "s2", "s3")), API_TEXT).map(f"{number}:".__add__)
        rows = draw(st.lists(schedule_rows(ids), max_size=3))
        listing = parse_schedules([json.loads(p) for p in draw(pages(rows))], index=name)
        schedules[name] = _maybe_missing(draw, lambda listing=listing: listing)
        for schedule in listing:
            runs = draw(st.lists(run_rows(schedule.name), max_size=8))
            parsed = parse_history([json.loads(p) for p in draw(pages(runs))])
            history[schedule.schedule_id] = _maybe_missing(draw, lambda parsed=parsed: parsed)
        present = [{"backup_id": b} for b in draw(st.lists(API_TEXT, max_size=4))]
        found = parse_backups([json.loads(p) for p in draw(pages(present))])
        backups[name] = _maybe_missing(draw, lambda found=found: found)
    state = ProjectState(_maybe_missing(draw, lambda: indexes), schedules, history, backups)
    return draw(spec_for(indexes, schedules)), state


@st.composite
def spec_for(
    draw: st.DrawFn,
    indexes: dict[str, Index],
    schedules: dict[str, tuple[Schedule, ...] | Missing],
) -> Spec:
    listed = [s for rows in schedules.values() if not isinstance(rows, Missing) for s in rows]
    where = Location("fuzz.yaml", 1, 1)
    declared = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for position in range(draw(st.integers(0, 4))):
        schedule = draw(st.one_of(st.none(), st.sampled_from(listed))) if listed else None
        index = schedule.index if schedule else draw(st.one_of(st.sampled_from(["gone"]), API_TEXT))
        by_id = draw(st.booleans())
        name = None if by_id else (schedule.name if schedule else draw(API_TEXT))
        ident = (schedule.schedule_id if schedule else draw(API_TEXT)) if by_id else None
        if (index, name, ident) in seen:
            continue
        seen.add((index, name, ident))
        expires = NOW + timedelta(days=draw(st.integers(-10, 10)))
        waiver = Waiver(draw(st.sampled_from(RULES)), draw(API_TEXT), expires, None, None, where)
        declared.append(
            declaration(
                index=index,
                name=name,
                id=ident,
                frequency=draw(st.sampled_from(FREQUENCIES)),
                enabled=draw(st.booleans()),
                retention=Retention(
                    draw(st.integers(1, 400)),
                    draw(st.one_of(st.none(), st.integers(0, 20))),
                    draw(st.one_of(st.none(), st.timedeltas(timedelta(hours=1), timedelta(60)))),
                ),
                lookback=timedelta(days=draw(st.integers(1, 120))),
                max_age=draw(st.one_of(st.none(), st.timedeltas(timedelta(hours=1), timedelta(9)))),
                max_gap=draw(st.one_of(st.none(), st.timedeltas(timedelta(hours=1), timedelta(9)))),
                max_shrink=draw(st.integers(1, 100)),
                tolerate=draw(
                    st.dictionaries(st.sampled_from(RULES), st.integers(0, 3), max_size=2)
                ),
                severity=draw(severity_maps()),
                waivers=(waiver,) if draw(st.booleans()) else (),
                location=Location("fuzz.yaml", position + 2, 5),
            )
        )
    globs = draw(st.lists(st.one_of(st.just("*"), API_TEXT), max_size=2))
    coverage = Coverage(tuple(globs), draw(st.sampled_from(SEVERITIES)), where) if globs else None
    return Spec(
        "fuzz.yaml", "PINECONE_API_KEY", None, draw(severity_maps()), coverage, tuple(declared)
    )


def listings_of(state: ProjectState) -> list[Listing]:
    return [
        *(ScheduleListing(i, v) for i, v in state.schedules.items()),
        *(HistoryListing(s, v) for s, v in state.history.items()),
        *(BackupListing(i, v) for i, v in state.backups.items()),
    ]


@settings(FUZZ_SETTINGS, max_examples=STATE_EXAMPLES)
@given(project=projects(), order=st.randoms(use_true_random=False))
def test_any_api_state_is_judged_and_rendered_without_error(
    project: tuple[Spec, ProjectState], order: Any
) -> None:
    spec, state = project
    report = evaluate(spec, state, NOW)
    document = json.loads(render(report, "json"))
    REPORT.validate(document)
    assert document["exit_code"] in (0, 1, 3)
    for fmt in RENDERERS:
        render(report, fmt).encode("utf-8")  # a lone surrogate must not survive any format
    listings = listings_of(state)
    order.shuffle(listings)
    streamed = evaluate_stream(spec, state.indexes, listings, NOW)
    assert streamed == report
