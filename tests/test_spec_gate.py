"""The schema gate (`checker.schemagate`) in front of jsonschema.

Its one promise is soundness: `gate(x)` is True only if jsonschema, with the spec's format
checker, finds no error in `x`. Saying False is always allowed, but the gate is only worth
having if it says True for ordinary valid specs, and on JSON data it is meant to be exact.
Every comparison here is with jsonschema itself, never with a hand-written expectation of
what jsonschema does.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from checker import spec as spec_module
from checker.errors import SpecError
from checker.schemagate import UnsupportedSchema, compile_gate
from checker.schemas_access import load_schema
from checker.yamlsafe import JsonPath, read_yaml
from tests.fleet import fleet_spec

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "spec_cases"
CORPUS = sorted(CASES.glob("*/*.yaml"))
GOOD = sorted((CASES / "good").glob("*.yaml"))


def gate(data: object) -> bool:
    return spec_module._gate()(data)


def jsonschema_accepts(data: object) -> bool:
    """What spec.py's own validator (format checker included) says."""
    return not any(True for _ in spec_module._validator().iter_errors(data))


def read(case: Path) -> object:
    return read_yaml(case.read_bytes(), case.name).data


# --------------------------------------------------------------------------- the shipped schema


def test_the_shipped_schema_compiles() -> None:
    compile_gate(load_schema(spec_module.SCHEMA_NAME), spec_module._format_checks())


def test_spec_uses_the_compiled_gate_not_the_fallback() -> None:
    assert gate({"version": 1, "coverage": {"indexes": ["*"]}})


def yaml_readable(cases: list[Path]) -> Iterator[Path]:
    for case in cases:
        try:
            read(case)
        except SpecError:
            continue  # a YAML problem: no document reaches the schema pass
        yield case


@pytest.mark.parametrize(
    "case", list(yaml_readable(CORPUS)), ids=lambda c: c.parent.name + "/" + c.stem
)
def test_the_gate_is_sound_and_exact_on_the_corpus(case: Path) -> None:
    data = read(case)
    vouched, accepted = gate(data), jsonschema_accepts(data)
    if vouched:
        assert accepted, "the gate vouched for data jsonschema refuses"
    assert vouched == accepted, "exact on JSON data, so never needlessly conservative"


def test_the_corpus_has_cases_on_both_sides_of_the_gate() -> None:
    verdicts = {gate(read(case)) for case in yaml_readable(CORPUS)}
    assert verdicts == {True, False}


def ordinary_specs() -> Iterator[tuple[str, str | bytes]]:
    for case in GOOD:
        yield case.name, case.read_bytes()
    yield "schedules.yaml", (ROOT / "schedules.yaml").read_bytes()
    yield "fleet_spec(20)", fleet_spec(20)


@pytest.mark.parametrize(("name", "text"), list(ordinary_specs()), ids=lambda v: str(v)[:30])
def test_the_gate_vouches_for_ordinary_valid_specs(name: str, text: str | bytes) -> None:
    assert gate(read_yaml(text, name).data)


# --------------------------------------------------------------------------- generated specs

RULES = spec_module.rule_ids()
SEVERITIES = ("error", "warning", "notice", "off")
NAME = st.text(min_size=1, max_size=8).filter(lambda text: not text.isspace())
DURATION = st.builds("{}{}".format, st.integers(1, 400), st.sampled_from("mhdw"))
TIMESTAMP = st.sampled_from(
    ["2026-06-01", "2026-06-01T12:30:00Z", "2026-04-20T02:00:00.5+02:00", "2024-02-29"]
)
RULE_MAP = st.dictionaries(st.sampled_from(RULES), st.sampled_from(SEVERITIES), max_size=3)
THRESHOLDS = {
    "lookback": DURATION,
    "grace": DURATION,
    "max_run_duration": DURATION,
    "max_age": DURATION,
    "max_gap": DURATION,
    "max_shrink": st.integers(1, 100).map("{}%".format),
    "tolerate": st.dictionaries(st.sampled_from(RULES), st.integers(0, 9), max_size=3),
    "severity": RULE_MAP,
}
WAIVER = st.fixed_dictionaries(
    {"rule": st.sampled_from(RULES), "reason": NAME, "expires": TIMESTAMP},
    optional={"from": TIMESTAMP, "until": TIMESTAMP},
)
DECLARATION = st.fixed_dictionaries(
    {
        "index": NAME,
        "frequency": st.sampled_from(["daily", "weekly", "monthly"]),
        "retention": st.fixed_dictionaries(
            {"expire_after_days": st.integers(1, 36525)},
            optional={"min_ready": st.integers(0, 50), "restore_window": DURATION},
        ),
    },
    optional={
        "name": NAME,
        "id": NAME,
        "enabled": st.booleans(),
        "waivers": st.lists(WAIVER, max_size=2),
        **THRESHOLDS,
    },
).filter(lambda item: "name" in item or "id" in item)
VALID_SPEC = st.fixed_dictionaries(
    {"version": st.just(1)},
    optional={
        "project": st.fixed_dictionaries(
            {},
            optional={
                "api_key_env": st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
                "api_version": st.sampled_from(["2026-07", "unstable"]),
            },
        ),
        "defaults": st.fixed_dictionaries({}, optional=THRESHOLDS),
        "coverage": st.fixed_dictionaries(
            {},
            optional={
                "indexes": st.lists(NAME, max_size=2),
                "unmanaged": st.sampled_from(SEVERITIES),
            },
        ),
        "schedules": st.lists(DECLARATION, max_size=3),
    },
)

# Values that are nearly right somewhere in a spec, and wrong (or right) elsewhere.
NEAR_MISSES: list[object] = [
    *(None, True, False, 0, 1, -1, 7, 1.0, 7.0, 7.5, 0.0, -0.0, 36525, 36526, 36525.0),
    *(float("nan"), float("inf"), 10**30, 2**63, -(10**30)),
    *("", " ", "\t", "\n", "x", " x", "0", "1", "7"),
    *("0d", "1d", "99999999999w", "5x", "1s", "30d\n", " 30d", "30D", "01d", "1.5h"),
    *("36525d", "36526d", "5218w", "5219w", "876600h", "876601h"),
    *("2026-02-30", "2026-02-29", "2024-02-29", "2026-06-01T24:00:00Z", "2026-13-01"),
    *("2026-06-01T00:00:00", "2026-06-01T00:00:00+24:00", "2026-06-01T00:00:00+23:59"),
    *("0%", "1%", "50%", "100%", "101%", "05%", "50", "12.5%"),
    *("daily", "Daily", "hourly", "missed-run", "missed_run", "gap", "Gap", "off", "error"),
    *("yes", "no", "true", "2026-07", "unstable", "PINECONE_API_KEY", "1KEY", "A-B", "<<"),
    *([], {}, [1], ["daily"], [[]], [{}], {"expire_after_days": 7}, {"index": "x"}),
    *({"rule": "gap"}, {"gap": "off"}, {"gap": 1}, {"gap": True}, [{"index": "a"}]),
]
KEYS = [
    *("version", "project", "defaults", "coverage", "schedules", "index", "name", "id"),
    *("frequency", "enabled", "retention", "expire_after_days", "min_ready", "waivers"),
    *("rule", "from", "until", "reason", "expires", "indexes", "unmanaged", "severity"),
    *("tolerate", "lookback", "grace", "max_shrink", "api_key_env", "Name", "unknown", ""),
    *RULES[:4],
    "missed_run",
    "<<",
]
NEAR_MISS = st.one_of(
    st.sampled_from(NEAR_MISSES),
    st.integers(),
    st.floats(),
    st.text(max_size=4),
    st.lists(st.sampled_from(NEAR_MISSES[:12]), max_size=2),
).map(copy.deepcopy)  # a later mutation may change it in place: never the shared original

# For a value under a known key: boundary values on both sides, so that a mutated spec is
# still valid about as often as not (where the gate's True is put to the test).
DURATIONS = ["1m", "36525d", "5218w", "876600h", "0d", "36526d", "5219w", "99999999999w", "5x"]
TIMESTAMPS = ["2024-02-29", "2026-06-01T23:59:59.999999999-23:59", "2026-02-29", "2026-02-30"]
TIMESTAMPS += ["2026-06-01T24:00:00Z", "2026-06-01T00:00:00+24:00", "2026-06-01T00:00:00"]
WHOLE = [0, 1, 7, 7.0, 36525, 36525.0, 10**30, -1, 7.5, True, "7", float("nan")]
BOUNDARY: dict[str, list[object]] = {
    "expire_after_days": [1, 36525, 36525.0, 1.0, 0, 36526, 0.5, True, "1", 10**30],
    "min_ready": [0, 0.0, -0.0, 10**30, -1, -0.5, False, None],
    "tolerate": WHOLE,  # the value under a rule id in `tolerate`
    "severity": [*SEVERITIES, "Error", "", True, None],
    "max_shrink": ["1%", "100%", "99%", "0%", "101%", "05%", "50", 50],
    "frequency": ["daily", "monthly", "Daily", "hourly", "", None],
    "enabled": [True, False, "true", 0, 1, None],
    "version": [1, 1.0, True, "1", 2, 0.99],
    "api_key_env": ["_", "A1", "a_B", "1A", "A-B", "A\n", ""],
    "api_version": ["2026-07", "unstable", "2026-7", "Unstable", 2026],
    "unmanaged": [*SEVERITIES, "warn", False],
    "rule": [*RULES[:3], "missed_run", "Missed-run", ""],
    "text": ["x", " x ", "\u00a0x", " ", "\t\n", "\u00a0", "", 1],  # index, name, id, reason
    **dict.fromkeys(["lookback", "grace", "max_run_duration", "max_age", "max_gap"], DURATIONS),
    "restore_window": DURATIONS,
    **dict.fromkeys(["from", "until", "expires"], TIMESTAMPS),
}
BOUNDARY.update(dict.fromkeys(["index", "name", "id", "reason"], BOUNDARY["text"]))


def boundary(path: JsonPath) -> list[object] | None:
    """The boundary values for the scalar at `path`, by its key (or its map's key)."""
    keys = [step for step in path[-2:] if isinstance(step, str)]
    if len(keys) == 2 and keys[0] in ("tolerate", "severity"):
        return BOUNDARY[keys[0]]
    return BOUNDARY.get(keys[-1]) if keys else None


def nodes(data: object, path: JsonPath = ()) -> Iterator[JsonPath]:
    """The path of every value in `data`, the document itself included."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from nodes(value, (*path, key))
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from nodes(value, (*path, number))


def at(data: Any, path: JsonPath) -> Any:
    for step in path:
        data = data[step]
    return data


def replace(data: Any, path: JsonPath, value: object) -> Any:
    if not path:
        return value
    at(data, path[:-1])[path[-1]] = value
    return data


@st.composite
def mutated(draw: st.DrawFn, data: Any) -> Any:
    """`data` with one thing changed: a value moved to its boundary (half the time, when
    there is one), replaced by a near miss or wrapped in a list, or a key dropped or added."""
    paths = list(nodes(data))
    leaves = [path for path in paths if not isinstance(at(data, path), dict | list)]
    near_boundary = [path for path in leaves if boundary(path)]
    if near_boundary and draw(st.booleans()):
        path = draw(st.sampled_from(near_boundary))
        return replace(data, path, draw(st.sampled_from(boundary(path) or [])))
    path = draw(st.sampled_from(paths))
    node = at(data, path)
    how = draw(st.sampled_from(["replace", "drop", "add", "wrap"]))
    if how == "drop" and isinstance(node, dict) and node:
        del node[draw(st.sampled_from(sorted(node)))]
    elif how == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(KEYS))] = draw(NEAR_MISS)
    elif how == "wrap":
        data = replace(data, path, [node])
    else:
        data = replace(data, path, draw(NEAR_MISS))
    return data


@st.composite
def near_specs(draw: st.DrawFn) -> tuple[Any, int]:
    """A valid spec with 0 to 3 mutations, and the number of mutations."""
    data = copy.deepcopy(draw(VALID_SPEC))
    count = draw(st.integers(0, 3))
    for _ in range(count):
        data = draw(mutated(data))
    return data, count


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_specs())
def test_the_gate_agrees_with_jsonschema_on_near_specs(generated: tuple[Any, int]) -> None:
    data, mutations = generated
    accepted = jsonschema_accepts(data)
    if gate(data):
        assert accepted, "the gate vouched for data jsonschema refuses"
    if mutations == 0:
        assert accepted, "the generator made an invalid spec"  # the grammar, tested too
    # Exact, not only sound: on JSON data (all a spec can hold) the gate has no blind spot.
    assert gate(data) == accepted


# --------------------------------------------------------------------------- the compiler


def even(value: object) -> bool:
    """A format: raises for an odd int, returns False for a negative one, ignores the rest."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value % 2:
            raise ValueError(f"{value} is odd")
        return value >= 0
    return True


FORMATS = {"even": even}


def validator(schema: Any) -> Draft202012Validator:
    checker = FormatChecker(formats=())
    checker.checks("even", raises=ValueError)(even)
    return Draft202012Validator(schema, format_checker=checker)


TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "value": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["value"],
            "additionalProperties": False,
        }
    },
    "$ref": "#/$defs/node",
}
NAN, INF = float("nan"), float("inf")
SCALARS: list[object] = [None, True, False, 0, 1, -1, 1.0, 1.5, -0.0, 2, 10**100, NAN, INF]
SCALARS += ["", " ", "a", "1", "abc", "bca"]
VALUES: list[object] = [*SCALARS, [], [1], [True], [1, True], [1.0, True], {}, {"a": 1}]
VALUES += [{"a": 1.0}, {"a": True}, {"a": 1, "b": 2}, {"b": "x"}, {"a": "x"}, [[1]], [[2]]]
VALUES += [["a", 1], {"a": {"b": 1}}, -2, -3, 3, 4, 2.0]

SCHEMAS: dict[str, Any] = {
    "true": True,
    "false": False,
    "empty": {},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "null": {"type": "null"},
    "string": {"type": "string"},
    "array": {"type": "array"},
    "object": {"type": "object"},
    "string-or-null": {"type": ["string", "null"]},
    "integer-or-array": {"type": ["integer", "array"]},
    "const-1": {"const": 1},
    "const-true": {"const": True},
    "const-false": {"const": False},
    "const-0": {"const": 0},
    "const-null": {"const": None},
    "const-list": {"const": [1, True]},
    "const-object": {"const": {"a": 1}},
    "const-and-enum": {"const": 1, "enum": [1.0, True, "a"]},
    "enum-mixed": {"enum": ["a", 1, None, [True], {"a": 1}]},
    "enum-strings": {"enum": ["a", "abc"]},
    "pattern-anchored": {"pattern": "^a"},
    "pattern-unanchored": {"pattern": "b"},
    "pattern-not-blank": {"type": "string", "pattern": "\\S"},
    "minimum": {"minimum": 1},
    "maximum": {"maximum": 1},
    "bounds": {"type": "integer", "minimum": 0, "maximum": 2},
    "float-bounds": {"minimum": -0.5, "maximum": 1.5},
    "properties": {"properties": {"a": {"type": "integer"}}},
    "additional-false": {"properties": {"a": True}, "additionalProperties": False},
    "additional-only": {"additionalProperties": False},
    "additional-schema": {
        "properties": {"a": {"type": "integer"}},
        "additionalProperties": {"type": "string"},
    },
    "property-false": {"properties": {"a": False}},
    "required": {"required": ["a", "b"]},
    "required-one": {"type": "object", "required": ["a"]},
    "property-names-pattern": {"propertyNames": {"pattern": "^a"}},
    "property-names-enum": {"propertyNames": {"enum": ["a"]}},
    "items": {"items": {"type": "integer"}},
    "items-false": {"items": False},
    "items-true": {"type": "array", "items": True},
    "nested-items": {"items": {"items": {"const": 1}}},
    "any-of": {"anyOf": [{"type": "string"}, {"minimum": 3}]},
    "any-of-required": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]},
    "ref-with-siblings": {
        "$defs": {"text": {"type": "string"}},
        "$ref": "#/$defs/text",
        "pattern": "^a",
    },
    "format": {"format": "even"},
    "format-with-type": {"type": "integer", "format": "even", "minimum": -10},
    "annotations": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.com/s.json",
        "$comment": "c",
        "title": "t",
        "description": "d",
        "markdownDescription": "m",
        "examples": [1],
        "default": 1,
        "deprecated": True,
        "readOnly": False,
        "writeOnly": False,
        "type": "integer",
    },
    "tree": TREE,
}
TREES = [
    {"value": 1},
    {"value": 1, "children": []},
    {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]},
    {"value": 1, "children": [{"value": 2, "children": [{"value": "3"}]}]},
    {"value": 1, "children": [{"value": 2, "children": [{"valu": 3}]}]},
    {"value": 1, "children": [{"value": 2}, 7]},
    {"value": 1.0, "children": [{"value": True}]},
]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_compiler_agrees_with_jsonschema(name: str) -> None:
    schema = SCHEMAS[name]
    check, reference = compile_gate(schema, FORMATS), validator(schema)
    verdicts = set()
    for value in [*VALUES, *TREES]:
        expected = reference.is_valid(value)
        assert check(value) <= expected, f"unsound for {value!r}"
        assert check(value) == expected, f"needlessly conservative for {value!r}"
        verdicts.add(expected)
    if name not in ("true", "false", "empty"):
        assert verdicts == {True, False}, "the values do not exercise this schema"


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"enum": [1]}, True, False),  # jsonschema's equality: a bool is not a number
        ({"enum": [True]}, 1, False),
        ({"enum": [0]}, False, False),
        ({"const": [0, 1]}, [False, True], False),
        ({"const": {"a": [1]}}, {"a": [1.0]}, True),  # but 1 is 1.0
        ({"type": "integer"}, 7.0, True),  # so 7.0 is an integer ...
        ({"type": "integer"}, 7.5, False),
        ({"type": "integer"}, True, False),  # ... and true is not
        ({"type": "number"}, False, False),
        ({"minimum": 5}, True, True),  # a bound ignores what is not a number
        ({"minimum": 5}, NAN, True),  # and NaN is below nothing
        ({"properties": {"a": False}}, [1], True),  # `properties` ignores a list
        ({"pattern": "^a$"}, 1, True),  # `pattern` ignores a number
    ],
)
def test_the_semantics_the_gate_must_mirror(schema: Any, value: object, valid: bool) -> None:
    assert Draft202012Validator(schema).is_valid(value) is valid  # what jsonschema does
    assert compile_gate(schema, {})(value) is valid


def test_a_recursive_reference_checks_every_level() -> None:
    check = compile_gate(TREE, {})
    deep: dict[str, Any] = {"value": 0}
    for number in range(1, 40):
        deep = {"value": number, "children": [deep]}
    assert check(deep)
    at(deep, ("children", 0) * 30)["value"] = "thirty"
    assert not check(deep)
    assert not validator(TREE).is_valid(deep)


class CountedLookups(dict[str, Callable[[object], bool]]):
    lookups = 0

    def __getitem__(self, name: str) -> Callable[[object], bool]:
        self.lookups += 1
        return super().__getitem__(name)


def test_a_definition_is_compiled_once_however_often_it_is_referenced() -> None:
    formats = CountedLookups(FORMATS)
    schema = {
        "$defs": {"d": {"format": "even"}},
        "properties": {name: {"$ref": "#/$defs/d"} for name in "abcdef"},
    }
    check = compile_gate(schema, formats)
    assert formats.lookups == 1
    assert check({"a": 2, "f": 4})
    assert not check({"a": 2, "f": 3})


def test_a_format_is_what_the_formatchecker_says() -> None:
    check = compile_gate({"format": "even"}, FORMATS)
    assert [check(value) for value in (2, 3, -2, "x", True)] == [True, False, False, True, True]


def test_foreign_objects_are_left_to_jsonschema() -> None:
    """A Decimal is a number to jsonschema, a tuple equals a list: the gate says False."""
    assert not compile_gate({"minimum": 5}, {})(Decimal(1))
    assert not compile_gate({"const": [1]}, {})((1,))
    assert not Draft202012Validator({"minimum": 5}).is_valid(Decimal(1))


@pytest.mark.parametrize(
    "schema",
    [
        {"patternProperties": {"^a": {}}},
        {"oneOf": [{}]},
        {"allOf": [{}]},
        {"not": {}},
        {"if": {}, "then": {}},
        {"prefixItems": [{}]},
        {"contains": {}},
        {"unevaluatedProperties": False},
        {"unevaluatedItems": False},
        {"dependentRequired": {"a": ["b"]}},
        {"dependentSchemas": {"a": {}}},
        {"$dynamicRef": "#meta"},
        {"$anchor": "a"},
        {"minLength": 1},
        {"maxItems": 1},
        {"uniqueItems": True},
        {"exclusiveMinimum": 0},
        {"multipleOf": 2},
        {"minProperties": 1},
        {"additionalProperty": False},  # a typo is no annotation
        {"$ref": "other.json#/$defs/a", "$defs": {"a": {}}},
        {"$ref": "#/$defs/missing", "$defs": {}},
        {"$ref": "#/properties/a", "properties": {"a": {}}},
        {"$ref": "#/$defs/a~1b", "$defs": {"a/b": {}}},
        {"$ref": "#"},
        {"format": "email"},
        {"type": "any"},
        {"type": ["string", 1]},
        {"enum": "abc"},
        {"required": "a"},
        {"minimum": "1"},
        {"minimum": True},
        {"pattern": "("},
        {"anyOf": []},
        {"properties": {"a": 1}},
        {"properties": {"a": {"oneOf": [{}]}}},  # found however deep
        {"items": {"items": {"not": {}}}},
        {"$ref": "#/$defs/a", "$defs": {"a": {"properties": {"b": {"if": {}}}}}},
        {"$defs": {"a": {"$id": "https://example.com/a", "type": "string"}}, "$ref": "#/$defs/a"},
        {"properties": {"a": {"$defs": {}}}},
    ],
    ids=repr,
)
def test_anything_else_is_refused_at_compile_time(schema: Any) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_gate(schema, FORMATS)


def test_a_schema_the_gate_refuses_leaves_every_spec_to_jsonschema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> None:
        raise UnsupportedSchema("test")

    monkeypatch.setattr(spec_module, "compile_gate", refuse)
    spec_module._gate.cache_clear()
    try:
        assert not spec_module._gate()({"version": 1})
        assert spec_module.parse_spec(fleet_spec(2), "s.yaml").schedules
        with pytest.raises(SpecError, match="expected 1"):
            spec_module.parse_spec("version: 2\n", "s.yaml")
    finally:
        spec_module._gate.cache_clear()


# --------------------------------------------------------------------------- jsonschema unloaded

PROBE = """
import sys
from checker.errors import SpecError
from checker.spec import parse_spec
try:
    parse_spec(sys.stdin.read(), "s.yaml")
except SpecError as error:
    print(*error.problems, sep="\\n")
print("jsonschema" in sys.modules)
"""
CLI_PROBE = """
import sys
from checker import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
print("jsonschema" in sys.modules)
"""


def python(code: str, *args: str, stdin: str = "") -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", code, *args]
    done = subprocess.run(  # noqa: S603
        command, env=env, input=stdin, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.splitlines()


def test_a_valid_spec_is_parsed_without_importing_jsonschema() -> None:
    assert python(PROBE, stdin=fleet_spec(50)) == ["False"]


def test_an_invalid_spec_is_explained_by_jsonschema_as_before() -> None:
    text = fleet_spec(1).replace("daily", "dayly").replace("7}", "0}")
    assert python(PROBE, stdin=text) == [
        "s.yaml:5:16: schedules[0].frequency: "
        "'dayly' is not one of daily, weekly, monthly (did you mean 'daily'?)",
        "s.yaml:6:36: schedules[0].retention.expire_after_days: expected at least 1, got 0",
        "True",
    ]


def test_validate_and_check_of_a_valid_spec_do_not_import_jsonschema() -> None:
    spec = str(ROOT / "schedules.yaml")
    assert python(CLI_PROBE, "validate", spec)[-1] == "False"
    snapshot = ["--snapshot", str(ROOT / "examples" / "snapshot")]
    check = ["check", *snapshot, "--now", "2026-04-30T12:00:00Z", "-o", os.devnull, spec]
    assert python(CLI_PROBE, *check)[-1] == "False"
