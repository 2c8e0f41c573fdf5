"""Loading `schedules.yaml`: safe YAML, the JSON Schema, semantic checks and the frozen Spec.

The bulk is data-driven: every file in `spec_cases/bad/` starts with one or more lines
`# expect: LINE:COLUMN: TEXT`, and loading it must fail with exactly those problems (each
problem matched by an expectation, each expectation by a problem). Every file in
`spec_cases/good/` must load; the tests below it pin the values it loads to.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from checker import schemas_access
from checker.errors import SpecError, SpecProblem
from checker.model import Location, Spec
from checker.spec import (
    load_spec,
    parse_duration,
    parse_percentage,
    parse_spec,
    parse_timestamp,
    rule_ids,
)
from checker.yamlsafe import MAX_BYTES, MAX_DEPTH, read_yaml, render_path

CASES = Path(__file__).parent / "spec_cases"
BAD = sorted((CASES / "bad").glob("*.yaml"))
GOOD = sorted((CASES / "good").glob("*.yaml"))
EXPECT = re.compile(r"# expect: (\d+):(\d+): (.+)")

RULE_IDS = [
    "missed-run",
    "failed-run",
    "stuck-run",
    "unknown-status",
    "gap",
    "stale",
    "scheduler-stalled",
    "size-drop",
    "index-missing",
    "schedule-missing",
    "schedule-ambiguous",
    "frequency-drift",
    "retention-drift",
    "enabled-drift",
    "schedule-unmanaged",
    "index-uncovered",
    "retention-short",
    "retention-overdue",
    "waiver-expired",
]

MINIMAL = """\
version: 1
schedules:
  - index: products-prod
    name: nightly
    frequency: daily
    retention:
      expire_after_days: 7
"""


def good(name: str) -> Spec:
    return load_spec(CASES / "good" / name, name)


def problems_of(text: str | bytes, file: str = "spec.yaml") -> list[SpecProblem]:
    with pytest.raises(SpecError) as caught:
        parse_spec(text, file)
    return caught.value.problems


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --------------------------------------------------------------------------- the corpus


def expectations(case: Path) -> list[tuple[int, int, str]]:
    lines = case.read_bytes().decode("utf-8", "replace").splitlines()
    found = [EXPECT.fullmatch(line) for line in lines]
    return [(int(m[1]), int(m[2]), m[3]) for m in found if m is not None]


def matches(problem: SpecProblem, expected: tuple[int, int, str]) -> bool:
    line, column, text = expected
    said = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return (problem.line, problem.column) == (line, column) and text in said


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD) >= 40
    assert len(GOOD) >= 5


@pytest.mark.timeout(10)
@pytest.mark.parametrize("case", BAD, ids=lambda case: case.stem)
def test_bad_spec_fails_with_exactly_the_expected_problems(case: Path) -> None:
    expected = expectations(case)
    assert expected, f"{case.name} must start with `# expect: LINE:COLUMN: TEXT`"
    with pytest.raises(SpecError) as caught:
        load_spec(case, case.name)
    problems = caught.value.problems
    for expectation in expected:
        assert any(matches(p, expectation) for p in problems), (expectation, problems)
    for problem in problems:
        assert problem.file == case.name
        assert any(matches(problem, e) for e in expected), f"unexpected: {problem}"


@pytest.mark.parametrize("case", GOOD, ids=lambda case: case.stem)
def test_good_spec_loads(case: Path) -> None:
    spec = load_spec(case, case.name)
    assert spec.path == case.name
    assert spec.schedules or spec.coverage is not None


# --------------------------------------------------------------------------- good values


def test_minimal_spec_gets_every_documented_default() -> None:
    spec = good("minimal.yaml")
    (declaration,) = spec.schedules
    assert (spec.api_key_env, spec.api_version, spec.coverage) == ("PINECONE_API_KEY", None, None)
    assert spec.default_severity == {}
    assert declaration.enabled is True
    assert declaration.lookback == timedelta(days=30)
    assert declaration.grace == timedelta(hours=2)
    assert declaration.max_run_duration == timedelta(hours=6)
    assert (declaration.max_age, declaration.max_gap, declaration.max_shrink) == (None, None, 50)
    assert (declaration.tolerate, declaration.severity, declaration.waivers) == ({}, {}, ())
    assert declaration.retention.min_ready is None
    assert declaration.retention.restore_window is None


def test_contract_example_loads_to_the_values_it_spells() -> None:
    spec = good("contract-example.yaml")
    (declaration,) = spec.schedules
    assert (spec.api_key_env, spec.api_version) == ("PINECONE_API_KEY", "2026-07")
    assert spec.default_severity == {"size-drop": "warning"}
    assert declaration.index == "products-prod"
    assert declaration.name == "nightly"
    assert declaration.id == "c688ed12-5a39-4254-9518-bd394b7f4886"
    assert (declaration.frequency, declaration.enabled) == ("daily", True)
    assert declaration.retention.expire_after_days == 7
    assert declaration.retention.min_ready == 5
    assert declaration.retention.restore_window == timedelta(days=7)
    assert declaration.lookback == timedelta(days=14)  # the schedule's own wins
    assert declaration.grace == timedelta(hours=2)
    assert declaration.max_run_duration == timedelta(hours=6)
    assert declaration.max_age == timedelta(hours=30)
    assert declaration.max_gap == timedelta(hours=26)
    assert declaration.max_shrink == 50
    assert declaration.tolerate == {"missed-run": 1}
    assert declaration.severity == {"size-drop": "warning", "gap": "warning"}


def test_contract_example_waiver_is_converted_to_utc_instants() -> None:
    (waiver,) = good("contract-example.yaml").schedules[0].waivers
    assert (waiver.rule, waiver.reason) == ("missed-run", "INC-4521 us-east-1 outage")
    assert waiver.start == utc("2026-04-20T00:00:00")
    assert waiver.until == utc("2026-04-22T00:00:00")
    assert waiver.expires == utc("2026-06-01T00:00:00")


def test_contract_example_locations_point_at_items_and_keys() -> None:
    spec = good("contract-example.yaml")
    declaration = spec.schedules[0]
    assert declaration.location == Location("contract-example.yaml", 20, 5)
    assert declaration.waivers[0].location == Location("contract-example.yaml", 37, 9)
    assert spec.coverage is not None
    assert spec.coverage.location == Location("contract-example.yaml", 15, 1)
    assert spec.coverage.indexes == ("prod-*",)
    assert spec.coverage.unmanaged == "warning"


def test_unquoted_off_is_a_severity_not_a_boolean() -> None:
    spec = good("severity-off-unquoted.yaml")
    assert spec.default_severity == {"gap": "off", "stale": "notice", "size-drop": "notice"}


def test_severity_and_tolerate_merge_per_rule_with_the_schedule_winning() -> None:
    (declaration,) = good("severity-off-unquoted.yaml").schedules
    assert declaration.severity == {
        "gap": "error",
        "stale": "notice",
        "size-drop": "notice",
        "missed-run": "off",
    }
    assert declaration.tolerate == {"missed-run": 0, "failed-run": 1}
    assert declaration.enabled is False


@pytest.mark.parametrize(
    ("number", "expires"),
    [
        (0, utc("2026-06-01T00:00:00")),  # unquoted date: a string, not a YAML timestamp
        (1, utc("2026-06-01T00:00:00")),
        (2, utc("2026-06-01T12:30:00")),
        (3, utc("2026-06-01T12:30:00")),
        (4, utc("2026-06-01T12:30:00.123456")),
        (5, utc("2026-05-31T23:00:00.500000")),
    ],
)
def test_timestamps_in_every_spelling(number: int, expires: datetime) -> None:
    waiver = good("timestamps.yaml").schedules[0].waivers[number]
    assert waiver.expires == expires
    assert waiver.expires.utcoffset() == timedelta(0)


def test_waiver_window_bounds_are_converted_to_utc() -> None:
    waiver = good("timestamps.yaml").schedules[0].waivers[5]
    assert (waiver.start, waiver.until) == (utc("2026-04-20T00:00"), utc("2026-04-21T05:30"))


def test_a_declaration_may_name_only_an_id() -> None:
    (declaration,) = good("timestamps.yaml").schedules
    assert declaration.name is None
    assert declaration.label == "c688ed12-5a39-4254-9518-bd394b7f4886"


def test_coverage_only_spec_has_no_declarations() -> None:
    spec = good("coverage-only.yaml")
    assert spec.schedules == ()
    assert spec.coverage is not None
    assert spec.coverage.indexes == ("prod-*", "staging-?")
    assert spec.coverage.unmanaged == "warning"


def test_defaults_are_inherited_and_overridden_through_aliases() -> None:
    spec = good("anchors-and-defaults.yaml")
    products, orders = spec.schedules
    assert (spec.api_key_env, spec.api_version) == ("BACKUP_DRIFT_KEY", "unstable")
    assert products.retention == orders.retention
    assert orders.retention.restore_window == timedelta(weeks=2)
    assert products.lookback == timedelta(days=14)
    assert products.grace == timedelta(minutes=90)
    assert products.max_run_duration == timedelta(weeks=1)
    assert (products.max_age, orders.max_age) == (timedelta(hours=30), timedelta(days=2))
    assert (products.max_shrink, orders.max_shrink) == (25, 100)


def test_coverage_without_globs_is_no_coverage_but_keeps_its_unmanaged_severity() -> None:
    spec = good("anchors-and-defaults.yaml")
    assert spec.coverage is None
    assert spec.default_severity == {"schedule-unmanaged": "off"}


def test_defaults_severity_wins_over_a_dropped_coverage_unmanaged() -> None:
    text = (
        MINIMAL
        + "coverage: {unmanaged: error}\ndefaults: {severity: {schedule-unmanaged: notice}}\n"
    )
    assert parse_spec(text, "s.yaml").default_severity == {"schedule-unmanaged": "notice"}


def test_crlf_line_endings_and_a_byte_order_mark_are_accepted() -> None:
    data = b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode()
    (declaration,) = parse_spec(data, "s.yaml").schedules
    assert declaration.location == Location("s.yaml", 3, 5)


def test_text_and_bytes_load_alike() -> None:
    assert parse_spec(MINIMAL, "s.yaml") == parse_spec(MINIMAL.encode(), "s.yaml")


def test_display_name_is_used_in_the_spec_and_its_locations(tmp_path: Path) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text(MINIMAL)
    assert load_spec(path).path == str(path)
    spec = load_spec(path, "schedules.yaml")
    assert spec.schedules[0].location.file == "schedules.yaml"


# --------------------------------------------------------------------------- bad, beyond the corpus


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = MINIMAL.replace("daily", "dayly") + "    grac: 2h\n    enabled: yes\n"
    messages = [p.message for p in problems_of(text)]
    assert len(messages) == 3


def test_problems_are_sorted_by_position() -> None:
    text = "version: 2\n" + MINIMAL.removeprefix("version: 1\n").replace("daily", "hourly")
    positions = [(p.line, p.column) for p in problems_of(text)]
    assert positions == sorted(positions) == [(1, 10), (5, 16)]


def test_spec_problems_render_as_file_line_column_path_message() -> None:
    (problem,) = problems_of(MINIMAL.replace("daily", "dayly"), "schedules.yaml")
    assert str(problem) == (
        "schedules.yaml:5:16: schedules[0].frequency: "
        "'dayly' is not one of daily, weekly, monthly (did you mean 'daily'?)"
    )


def test_spec_error_means_exit_code_2() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec("version: 1\n", "s.yaml")
    assert caught.value.exit_code == 2


def test_duplicate_keys_are_all_reported_at_once() -> None:
    text = "version: 1\nversion: 1\n" + MINIMAL.removeprefix("version: 1\n") + "    name: again\n"
    problems = problems_of(text)
    assert [(p.line, p.path) for p in problems] == [(2, "version"), (9, "schedules[0].name")]


def test_a_python_tag_constructs_nothing(tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    spec = MINIMAL + f"    id: !!python/object/apply:os.system ['touch {canary}']\n"
    touch = "!!python/object/apply:pathlib.Path.touch"
    spec += f"    name2: {touch} [!!python/object/apply:pathlib.Path ['{canary}']]\n"
    (first, second) = problems_of(spec)
    assert "!!python/object/apply:os.system is not allowed" in first.message
    assert "!!python/object/apply:pathlib.Path.touch is not allowed" in second.message
    assert not canary.exists()


@pytest.mark.timeout(2)
def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 12)]
    (problem,) = problems_of("\n".join(lines) + "\n")
    assert "aliases expand the document past 1 MiB" in problem.message
    assert (problem.line, problem.column) == (2, 10)


def test_a_modest_use_of_aliases_is_fine() -> None:
    shared = "    retention: &r {expire_after_days: 7}\n"
    text = MINIMAL.replace("    retention:\n      expire_after_days: 7\n", shared)
    text += "  - {index: orders-prod, name: nightly, frequency: daily, retention: *r}\n"
    assert len(parse_spec(text, "s.yaml").schedules) == 2


def test_a_file_over_1_mib_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(MINIMAL + "#" * MAX_BYTES + "\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path, "big.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 1)
    assert "larger than 1 MiB" in problem.message


def test_text_over_1_mib_is_refused_too() -> None:
    (problem,) = problems_of(MINIMAL + "#" * MAX_BYTES)
    assert "larger than 1 MiB" in problem.message


def test_non_utf8_bytes_are_located() -> None:
    data = MINIMAL.encode() + b"    id: caf\xe9\n"
    (problem,) = problems_of(data)
    assert (problem.line, problem.column) == (8, 12)
    assert "not valid UTF-8 (byte 0xe9)" in problem.message


def test_nesting_at_the_limit_is_fine_and_one_deeper_is_refused() -> None:
    def nested(depth: int) -> str:  # the top-level mapping is level 1, `x`'s value level 2
        inner = depth - 1
        return f"version: 1\nx: {'[' * inner}{']' * inner}\n"

    assert read_yaml(nested(MAX_DEPTH), "s.yaml").data["x"] is not None
    (problem,) = problems_of(nested(MAX_DEPTH + 1))
    assert f"nested deeper than {MAX_DEPTH} levels" in problem.message


def test_aliases_cannot_nest_past_the_depth_limit() -> None:
    text = "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 40 + "*a" + "]" * 40 + "\n"
    (problem,) = problems_of(text)
    assert "nested deeper than" in problem.message


def test_a_huge_integer_is_a_problem_not_a_crash() -> None:
    (problem,) = problems_of(MINIMAL.replace("7", "7" * 5000))
    assert "is too long" in problem.message


def test_a_missing_file_is_a_problem_at_1_1(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path / "nope.yaml", "nope.yaml")
    assert str(caught.value) == "nope.yaml:1:1: cannot read the spec: No such file or directory"


def test_a_directory_is_a_problem_at_1_1(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"^d:1:1: cannot read the spec: Is a directory$"):
        load_spec(tmp_path, "d")


def test_nothing_to_check_is_not_reported_on_top_of_other_problems() -> None:
    (problem,) = problems_of("version: 1\nschedule: []\n")
    assert "unknown key 'schedule' (did you mean 'schedules'?)" in problem.message


def test_a_declaration_with_name_and_id_clashes_on_either() -> None:
    second = "  - {index: products-prod, name: nightly, frequency: daily, retention: *r}\n"
    text = MINIMAL.replace("    retention:\n", "    retention: &r\n") + second
    (problem,) = problems_of(text)
    assert (
        problem.message
        == "schedule 'nightly' on index 'products-prod' is already declared at line 3"
    )


def test_the_same_name_on_two_indexes_is_no_clash() -> None:
    other = (
        "{index: orders-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}"
    )
    assert len(parse_spec(f"{MINIMAL}  - {other}\n", "s.yaml").schedules) == 2


# --------------------------------------------------------------------------- YAML 1.2 core schema


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("2026-06-01", "2026-06-01"),
        ("2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z"),
        ("1:30", "1:30"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("<<", "<<"),
        ("nUll", "nUll"),
        ("tRUE", "tRUE"),
        ("nightly", "nightly"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        ("12", 12),
        ("-12", -12),
        ("012", 12),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".inf", float("inf")),
        ("-.Inf", float("-inf")),
    ],
)
def test_plain_scalars_resolve_by_the_yaml_1_2_core_schema(plain: str, value: object) -> None:
    loaded = read_yaml(f"k: {plain}\n", "s.yaml").data["k"]
    assert loaded == value
    assert type(loaded) is type(value)


def test_nan_is_a_float() -> None:
    loaded = read_yaml("k: .NaN\n", "s.yaml").data["k"]
    assert isinstance(loaded, float)
    assert loaded != loaded


@pytest.mark.parametrize("quoted", ["'true'", '"12"', "'~'", "!!str 12", "|\n  2026"])
def test_quoted_or_str_tagged_scalars_stay_strings(quoted: str) -> None:
    assert isinstance(read_yaml(f"k: {quoted}\n", "s.yaml").data["k"], str)


def test_core_tags_may_be_written_explicitly() -> None:
    data = read_yaml("a: !!int '0x10'\nb: !!float 1\nc: !!null ''\nd: !!bool 'true'\n", "s").data
    assert data == {"a": 16, "b": 1.0, "c": None, "d": True}
    assert isinstance(data["b"], float)


def test_positions_are_kept_for_keys_and_values() -> None:
    document = read_yaml(MINIMAL, "s.yaml")
    assert document.values[("schedules", 0)] == (3, 5)
    assert document.keys[("schedules", 0, "frequency")] == (5, 5)
    assert document.values[("schedules", 0, "frequency")] == (5, 16)
    assert document.value_position(("schedules", 0, "nonexistent")) == (3, 5)
    assert document.key_position(("schedules", 0)) == (3, 5)


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ((), ""),
        (("version",), "version"),
        (("schedules", 2, "frequency"), "schedules[2].frequency"),
        (("defaults", "severity", "size-drop"), "defaults.severity.size-drop"),
        (("schedules", 0, "foo bar"), 'schedules[0]["foo bar"]'),
    ],
)
def test_json_paths_render_like_javascript(path: tuple[str | int, ...], rendered: str) -> None:
    assert render_path(path) == rendered


# --------------------------------------------------------------------------- value parsers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("90m", timedelta(minutes=90)),
        ("26h", timedelta(hours=26)),
        ("30d", timedelta(days=30)),
        ("2w", timedelta(weeks=2)),
        ("36525d", timedelta(days=36525)),
    ],
)
def test_durations(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["0d", "1s", "1.5h", "01d", "d", "30d\n", " 30d", "36526d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|100 years"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "value"), [("1%", 1), ("50%", 50), ("100%", 100)])
def test_percentages(text: str, value: int) -> None:
    assert parse_percentage(text) == value


@pytest.mark.parametrize("text", ["0%", "101%", "50", "05%", "50%\n", "12.5%"])
def test_bad_percentages(text: str) -> None:
    with pytest.raises(ValueError, match="percentage"):
        parse_percentage(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-29",
        "2026-04-20T24:00:00Z",
        "2026-04-20T00:00:00+24:00",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_impossible_timestamps(text: str) -> None:
    with pytest.raises(ValueError, match="not a real date and time"):
        parse_timestamp(text)


def test_a_trailing_newline_does_not_sneak_past_the_schema() -> None:
    (problem,) = problems_of(MINIMAL + '    grace: "2h\\n"\n')
    assert problem.path == "schedules[0].grace"


# --------------------------------------------------------------------------- robustness


def outcome(data: str | bytes) -> list[SpecProblem] | None:
    """None for a spec that loads, else its problems; any other exception fails the test."""
    try:
        parse_spec(data, "fuzz.yaml")
    except SpecError as error:
        return error.problems
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_input_is_a_spec_or_a_spec_error(data: str | bytes) -> None:
    problems = outcome(data)
    assert problems is None or problems
    assert all(p.line >= 1 and p.column >= 1 for p in problems or [])


WORDS = ["version", "schedules", "defaults", "coverage", "index", "name", "id", "frequency"]
WORDS += ["retention", "expire_after_days", "waivers", "rule", "from", "until", "reason"]
WORDS += ["expires", "severity", "tolerate", "indexes", "gap", "daily", "off", "1", "30d", "50%"]
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 40) | st.sampled_from(WORDS),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(WORDS), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(WORDS), JSONISH, max_size=5))
def test_arbitrary_spec_shaped_data_is_a_spec_or_a_spec_error(data: dict[str, Any]) -> None:
    problems = outcome(yaml.safe_dump(data))
    assert problems is None or problems


# --------------------------------------------------------------------------- the schema itself


def schema() -> dict[str, Any]:
    return json.loads(
        (Path(__file__).parent.parent / "schemas" / "schedules.schema.json").read_text()
    )


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema()["$id"] == (
        "https://github.com/backup-drift/backup-drift/schemas/schedules.schema.json"
    )


def test_schema_rule_ids_are_the_documented_ones() -> None:
    assert schema()["$defs"]["rule_id"]["enum"] == RULE_IDS
    assert list(rule_ids()) == RULE_IDS


def test_schema_rule_ids_are_the_rule_registry() -> None:
    from checker.rules import ALL_RULES

    assert sorted(rule_ids()) == sorted(ALL_RULES)


def subschemas(node: object) -> list[dict[str, Any]]:
    """Every schema object inside `node`, found by walking its keywords."""
    if isinstance(node, list):
        return [found for item in node for found in subschemas(item)]
    if not isinstance(node, dict):
        return []
    nested = [found for value in node.values() for found in subschemas(value)]
    return [node, *nested] if ("type" in node or "$ref" in node or "enum" in node) else nested


def test_every_property_has_a_title_and_a_description() -> None:
    for sub in subschemas(schema()):
        for name, prop in sub.get("properties", {}).items():
            assert prop.get("title"), name
            assert prop.get("description"), name


def test_every_object_with_properties_forbids_other_keys() -> None:
    objects = [sub for sub in subschemas(schema()) if "properties" in sub]
    assert len(objects) >= 7
    assert all(sub["additionalProperties"] is False for sub in objects)


def test_the_contract_example_validates_against_the_raw_schema() -> None:
    data = read_yaml((CASES / "good" / "contract-example.yaml").read_text(), "x").data
    assert list(Draft202012Validator(schema()).iter_errors(data)) == []


def test_schema_loads_from_the_source_tree_when_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(package: str) -> object:
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(schemas_access.resources, "files", not_installed)
    schemas_access.load_schema.cache_clear()
    try:
        assert schemas_access.load_schema("schedules.schema.json") == schema()
    finally:
        schemas_access.load_schema.cache_clear()
