"""Load `schedules.yaml` into the frozen `Spec` that every later stage works from.

Three passes, so that one run reports every problem of a file rather than the first:

1. `checker.yamlsafe` reads YAML 1.2 safely, keeping a position for every key and value
   (a YAML problem stops here: without a document there is nothing more to check);
2. the JSON Schema `schemas/schedules.schema.json` (the same file editors use) checks the
   shape, with format checkers for what a regular expression cannot decide (2026-02-30):
   first through `checker.schemagate`, a fast check that vouches for valid specs only, then,
   for a spec it does not vouch for, with jsonschema, which locates every error (imported
   only then: it costs ~70 ms of start-up);
3. semantic checks the schema cannot express: duplicate declarations, `from` not before
   `until`, a spec with nothing to check.

Every problem becomes a `SpecProblem` at the most precise line and column known (the key for
an unknown key, the value for a bad value, the mapping for a missing key) with a message that
says what was expected. Only a spec without problems is converted, so the conversion can
trust the shapes the schema guarantees.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from checker.errors import SpecError, SpecProblem
from checker.model import (
    DEFAULT_API_KEY_ENV,
    Coverage,
    Declaration,
    Frequency,
    Location,
    Retention,
    SeveritySetting,
    Spec,
    Waiver,
)
from checker.schemagate import Check, UnsupportedSchema, compile_gate
from checker.schemas_access import load_schema
from checker.yamlsafe import MAX_BYTES, Document, JsonPath, read_yaml, render_path

if TYPE_CHECKING:  # imported when the gate cannot vouch for a spec (see `_schema_problems`)
    from jsonschema import (  # type: ignore[import-untyped, unused-ignore]
        Draft202012Validator,
        FormatChecker,
    )
    from jsonschema.exceptions import (  # type: ignore[import-untyped, unused-ignore]
        ValidationError,
    )

SCHEMA_NAME = "schedules.schema.json"
MAX_DURATION = timedelta(days=36525)  # 100 years: later date arithmetic must not overflow

DEFAULT_LOOKBACK = timedelta(days=30)
DEFAULT_GRACE = timedelta(hours=2)
DEFAULT_MAX_RUN_DURATION = timedelta(hours=6)
DEFAULT_MAX_SHRINK = 50
DEFAULT_UNMANAGED: SeveritySetting = "warning"

_DURATION = re.compile(r"([1-9][0-9]*)([mhdw])")
_PERCENTAGE = re.compile(r"(100|[1-9][0-9]?)%")
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2}))?"
)
_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_EXPECTED = {
    "duration": "a duration such as 90m, 26h, 30d or 2w",
    "percentage": "a whole percentage from 1% to 100%, such as 50%",
    "timestamp": "a date such as 2026-06-01 or a timestamp with an offset such as "
    "2026-06-01T00:00:00Z",
    "env_name": "an environment variable name such as PINECONE_API_KEY",
    "text": "a non-empty string",
}
_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "null": "null",
}
_YAML11_BOOLEANS = frozenset(
    {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO"}
    | {"on", "On", "ON", "off", "Off", "OFF"}
)
_NOTHING_TO_CHECK = (
    "nothing to check: the spec declares no schedule and no coverage.indexes; "
    "add an entry under `schedules:` or `coverage: {indexes: [...]}`"
)


# --------------------------------------------------------------------------- public API


def load_spec(path: Path, display: str | None = None) -> Spec:
    """Read and check the spec at `path`; `display` is how messages name the file.

    A file that cannot be read is a `SpecError` located at 1:1 (as ruff reports E902), so
    that `validate` prints it like every other spec problem and exits 2.
    """
    file = display if display is not None else str(path)
    return parse_spec(_read_file(path, file), file)


def parse_spec(data: bytes | str, file: str) -> Spec:
    """Parse and check spec text; raise `SpecError` listing every problem found."""
    document = read_yaml(data, file)
    problems = [*_schema_problems(document, file), *_semantic_problems(document, file)]
    problems = problems or list(_emptiness_problems(document, file))
    if problems:
        raise SpecError(list(dict.fromkeys(problems)))
    return _build_spec(document, file)


def rule_ids() -> tuple[str, ...]:
    """Every rule id the spec format accepts, in the schema's order."""
    return tuple(load_schema(SCHEMA_NAME)["$defs"]["rule_id"]["enum"])


def parse_duration(text: str) -> timedelta:
    """`90m`, `26h`, `30d`, `2w` as a timedelta; ValueError says what was expected."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"expected {_EXPECTED['duration']}, got {text!r}")
    count, unit = match.groups()
    if len(count) > 9 or int(count) * _UNITS[unit] > MAX_DURATION:
        raise ValueError(f"{text!r} is longer than 100 years")
    return int(count) * _UNITS[unit]


def parse_percentage(text: str) -> int:
    """`1%`..`100%` as a whole number; ValueError says what was expected."""
    match = _PERCENTAGE.fullmatch(text)
    if match is None:
        raise ValueError(f"expected {_EXPECTED['percentage']}, got {text!r}")
    return int(match[1])


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 timestamp with `Z` or `±HH:MM`, or a bare date (00:00 UTC), in UTC.

    Fractional digits beyond microseconds are dropped, as for API timestamps.
    """
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"expected {_EXPECTED['timestamp']}, got {text!r}")
    try:
        return _moment(*match.groups()).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{text!r} is not a real date and time: {error}") from None


_FORMATS: Mapping[str, Callable[[str], object]] = {
    "duration": parse_duration,
    "percentage": parse_percentage,
    "timestamp": parse_timestamp,
}


# --------------------------------------------------------------------------- reading


def _read_file(path: Path, file: str) -> bytes:
    """At most one byte past the limit, so that a huge file is refused without reading it."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        message = f"cannot read the spec: {error.strerror or error}"
        raise SpecError([SpecProblem(file, 1, 1, "", message)]) from error


def _moment(*parts: str | None) -> datetime:
    """A datetime from `_TIMESTAMP`'s groups; the time of a bare date is 00:00 UTC."""
    year, month, day, hour, minute, second = (int(part or 0) for part in parts[:6])
    micro = int((parts[6] or "")[:6].ljust(6, "0"))
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=_zone(parts[7]))


def _zone(text: str | None) -> timezone:
    if text is None or text == "Z":
        return UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours >= 24 or minutes >= 60:
        raise ValueError(f"the offset {text} is not between -23:59 and +23:59")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


# --------------------------------------------------------------------------- schema pass


@cache
def _gate() -> Check:
    """True only for data the schema certainly accepts; then jsonschema is never imported.

    A schema the gate cannot compile leaves every spec to jsonschema (a test keeps the
    shipped schema compilable, so that is never silently the case).
    """
    try:
        return compile_gate(load_schema(SCHEMA_NAME), _format_checks())
    except UnsupportedSchema:
        return lambda data: False


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # ~70 ms of start-up: only when needed

    schema = load_schema(SCHEMA_NAME)
    return Draft202012Validator(schema, format_checker=_format_checker())


def _format_checker() -> FormatChecker:
    """The spec's own formats, for what a pattern cannot decide (`2026-02-30`, `99999999w`)."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in _format_checks().items():
        checker.checks(name, raises=ValueError)(check)
    return checker


@cache
def _format_checks() -> Mapping[str, Callable[[object], bool]]:
    """Each `backup-drift-*` format's check, for the gate and for jsonschema alike."""
    definitions = load_schema(SCHEMA_NAME)["$defs"]
    return {
        f"backup-drift-{name}": _format_check(parse, re.compile(definitions[name]["pattern"]))
        for name, parse in _FORMATS.items()
    }


def _format_check(
    parse: Callable[[str], object], pattern: re.Pattern[str]
) -> Callable[[object], bool]:
    """Parse what passes the schema's pattern; what fails it is the pattern's to report."""

    def check(instance: object) -> bool:
        if isinstance(instance, str) and pattern.search(instance):
            parse(instance)
        return True

    return check


def _schema_problems(document: Document, file: str) -> Iterator[SpecProblem]:
    """Every schema error, located; none at all when the gate vouches for the data."""
    if _gate()(document.data):
        return
    for error in _validator().iter_errors(document.data):
        for path, message, at_key in _explain(error):
            yield _problem(document, file, path, message, at_key=at_key)


def _problem(
    document: Document, file: str, path: JsonPath, message: str, *, at_key: bool = False
) -> SpecProblem:
    """A problem at the key naming `path` (`at_key`) or at its value."""
    line, column = document.key_position(path) if at_key else document.value_position(path)
    return SpecProblem(file, line, column, render_path(path), message)


Explained = tuple[JsonPath, str, bool]  # (path, message, located at the key rather than the value)


def _explain(error: ValidationError) -> list[Explained]:
    """Turn one schema error into located, human problems."""
    path = cast(JsonPath, tuple(error.absolute_path))
    explain = _EXPLAINERS.get(str(error.validator), _explain_generic)
    return explain(error, path)


def _explain_generic(error: ValidationError, path: JsonPath) -> list[Explained]:
    return [(path, error.message, False)]


def _explain_unknown_keys(error: ValidationError, path: JsonPath) -> list[Explained]:
    known = sorted(cast(Mapping[str, Any], error.schema).get("properties", {}))
    extra = [key for key in cast(Mapping[str, object], error.instance) if key not in known]
    return [((*path, key), _unknown_key(key, known), True) for key in extra]


def _unknown_key(key: str, known: list[str]) -> str:
    if key == "<<":
        return "YAML merge keys (<<) are not supported: write the keys out"
    hint = _suggestion(key, known) or f"; expected one of {', '.join(known)}"
    return f"unknown key {key!r}{hint}"


def _explain_enum(error: ValidationError, path: JsonPath) -> list[Explained]:
    options = [str(option) for option in cast(list[object], error.validator_value)]
    if "propertyNames" in error.relative_schema_path:
        key = cast(str, error.instance)
        return [((*path, key), _unknown_rule(key, options), True)]
    if options == list(rule_ids()):
        return [(path, _unknown_rule(error.instance, options), False)]
    message = f"{_shown(error.instance)} is not one of {', '.join(options)}"
    return [(path, message + _suggestion(error.instance, options), False)]


def _unknown_rule(value: object, options: list[str]) -> str:
    hint = _suggestion(value, options) or "; `backup-drift explain` lists the rule ids"
    return f"unknown rule id {_shown(value)}{hint}"


def _explain_type(error: ValidationError, path: JsonPath) -> list[Explained]:
    expected = _def_name(error.schema)
    if expected in _EXPECTED:
        return [(path, f"expected {_EXPECTED[expected]}, got {_described(error.instance)}", False)]
    if error.validator_value == "boolean" and isinstance(error.instance, str):
        return [(path, _not_a_boolean(error.instance), False)]
    words = " or ".join(_TYPE_WORDS.get(kind, kind) for kind in _types(error.validator_value))
    return [(path, f"expected {words}, got {_described(error.instance)}", False)]


def _not_a_boolean(text: str) -> str:
    if text in _YAML11_BOOLEANS:
        return f"{text!r} is not a boolean in YAML 1.2: write true or false"
    if text.lower() in ("true", "false"):
        return f"{text!r} is quoted, so it is a string: write {text.lower()} without quotes"
    return f"expected true or false, got the string {text!r}"


def _types(value: object) -> list[str]:
    return [str(kind) for kind in value] if isinstance(value, list) else [str(value)]


def _explain_pattern(error: ValidationError, path: JsonPath) -> list[Explained]:
    name = _def_name(error.schema)
    if name == "text":
        return [(path, "must not be empty or blank", False)]
    expected = _EXPECTED.get(name or "", f"a string matching {error.validator_value}")
    return [(path, f"expected {expected}, got {_described(error.instance)}", False)]


def _explain_format(error: ValidationError, path: JsonPath) -> list[Explained]:
    return [(path, str(error.cause or error.message), False)]


def _explain_required(error: ValidationError, path: JsonPath) -> list[Explained]:
    present = cast(Mapping[str, object], error.instance)
    required = cast(list[str], error.validator_value)
    return [
        (path, f"missing required key {key!r}", False) for key in required if key not in present
    ]


def _explain_any_of(error: ValidationError, path: JsonPath) -> list[Explained]:
    """The only `anyOf` in the schema: a declaration needs `name` or `id`."""
    return [(path, "missing required key 'name' (or 'id', to pin the schedule by its id)", False)]


def _explain_const(error: ValidationError, path: JsonPath) -> list[Explained]:
    expected = json.dumps(error.validator_value)
    message = f"expected {expected}, got {_described(error.instance)}"
    if path == ("version",):
        message += ": this is spec format version 1, the only one this backup-drift reads"
    return [(path, message, False)]


def _explain_bound(error: ValidationError, path: JsonPath) -> list[Explained]:
    word = "at least" if error.validator == "minimum" else "at most"
    return [(path, f"expected {word} {error.validator_value}, got {error.instance}", False)]


_EXPLAINERS: Mapping[str, Callable[[ValidationError, JsonPath], list[Explained]]] = {
    "additionalProperties": _explain_unknown_keys,
    "enum": _explain_enum,
    "type": _explain_type,
    "pattern": _explain_pattern,
    "format": _explain_format,
    "required": _explain_required,
    "anyOf": _explain_any_of,
    "const": _explain_const,
    "minimum": _explain_bound,
    "maximum": _explain_bound,
}


def _def_name(fragment: object) -> str | None:
    """Which `$defs` entry a failing schema fragment is, if any (its messages are known)."""
    definitions: Mapping[str, object] = load_schema(SCHEMA_NAME)["$defs"]
    return next((name for name, value in definitions.items() if value == fragment), None)


def _suggestion(word: object, options: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest option, or "" when none is close."""
    if not isinstance(word, str):
        return ""
    matches = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _shown(value: object) -> str:
    """A value as the user wrote it in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _described(value: object) -> str:
    """A value with its kind, for type errors: `the string 'yes'`, `a list`."""
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null (an empty value)" if value is None else _shown(value)


# --------------------------------------------------------------------------- semantic pass


def _semantic_problems(document: Document, file: str) -> Iterator[SpecProblem]:
    """What the schema cannot say; each check skips what the schema already reports."""
    for path, message, at_key in (
        *_duplicate_declarations(document),
        *_empty_waiver_windows(document.data),
    ):
        yield _problem(document, file, path, message, at_key=at_key)


def _emptiness_problems(document: Document, file: str) -> Iterator[SpecProblem]:
    """Checked only when all else is fine: `schedule:` misspelt would otherwise say it twice."""
    for path, message, at_key in _nothing_to_check(document.data):
        yield _problem(document, file, path, message, at_key=at_key)


def _declarations(data: Mapping[str, object]) -> Iterator[tuple[int, Mapping[str, object]]]:
    items = data.get("schedules")
    for number, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield number, item


def _duplicate_declarations(document: Document) -> Iterator[Explained]:
    """Two declarations of one (index, name), or of one id, would judge a schedule twice."""
    first: dict[tuple[str, ...], int] = {}
    for number, item in _declarations(document.data):
        path: JsonPath = ("schedules", number)
        for identity, what in _identities(item):
            if identity in first:
                yield path, f"{what} is already declared at line {first[identity]}", False
            else:
                first[identity] = document.value_position(path)[0]


def _identities(item: Mapping[str, object]) -> Iterator[tuple[tuple[str, ...], str]]:
    index, name, pinned = item.get("index"), item.get("name"), item.get("id")
    if isinstance(index, str) and isinstance(name, str):
        yield ("name", index, name), f"schedule {name!r} on index {index!r}"
    if isinstance(pinned, str):
        yield ("id", pinned), f"schedule id {pinned!r}"


def _empty_waiver_windows(data: Mapping[str, object]) -> Iterator[Explained]:
    for number, item in _declarations(data):
        waivers = item.get("waivers")
        for position, waiver in enumerate(waivers if isinstance(waivers, list) else []):
            start, until = _window(waiver)
            if start is not None and until is not None and start >= until:
                path: JsonPath = ("schedules", number, "waivers", position, "until")
                yield path, f"'until' must be later than 'from' ({waiver['from']})", False


def _window(waiver: object) -> tuple[datetime | None, datetime | None]:
    if not isinstance(waiver, dict):
        return None, None
    return _maybe_timestamp(waiver.get("from")), _maybe_timestamp(waiver.get("until"))


def _maybe_timestamp(value: object) -> datetime | None:
    try:
        return parse_timestamp(value) if isinstance(value, str) else None
    except ValueError:
        return None  # the schema pass reports it


def _nothing_to_check(data: Mapping[str, object]) -> Iterator[Explained]:
    """A spec that declares nothing and covers nothing would always pass: refuse it."""
    coverage = data.get("coverage", {})
    if data.get("schedules", []) != [] or not isinstance(coverage, dict):
        return
    if coverage.get("indexes", []) == []:
        present = [key for key in ("coverage", "schedules") if key in data]
        yield tuple(present[:1]), _NOTHING_TO_CHECK, True


# --------------------------------------------------------------------------- conversion


Section = Mapping[str, Any]  # a mapping the schema pass has already vouched for
Locate = Callable[[JsonPath], Location]


def _build_spec(document: Document, file: str) -> Spec:
    data: Section = document.data
    project, defaults = data.get("project", {}), data.get("defaults", {})
    coverage = _coverage(document, file)
    locate: Locate = partial(_location, document, file)
    return Spec(
        path=file,
        api_key_env=project.get("api_key_env", DEFAULT_API_KEY_ENV),
        api_version=project.get("api_version"),
        default_severity=_default_severity(data, coverage),
        coverage=coverage,
        schedules=tuple(
            _declaration(item, defaults, ("schedules", number), locate)
            for number, item in enumerate(data.get("schedules", []))
        ),
        location=Location(file, 1, 1),
    )


def _location(document: Document, file: str, path: JsonPath, *, at_key: bool = False) -> Location:
    line, column = document.key_position(path) if at_key else document.value_position(path)
    return Location(file, line, column)


def _coverage(document: Document, file: str) -> Coverage | None:
    """Coverage without globs is no coverage (CONTRACT); its `unmanaged` is kept elsewhere."""
    section = cast(Section, document.data.get("coverage", {}))
    if not section.get("indexes"):
        return None
    location = _location(document, file, ("coverage",), at_key=True)
    unmanaged = section.get("unmanaged", DEFAULT_UNMANAGED)
    return Coverage(tuple(section["indexes"]), unmanaged, location)


def _default_severity(data: Section, coverage: Coverage | None) -> dict[str, SeveritySetting]:
    """`defaults.severity`; plus `coverage.unmanaged` when coverage was dropped for no globs.

    `coverage.unmanaged` is where `schedule-unmanaged` starts and `defaults.severity` overrides
    it, so folding it in under the defaults' own entry keeps its meaning without a `Coverage`.
    """
    severity: dict[str, SeveritySetting] = dict(data.get("defaults", {}).get("severity", {}))
    unmanaged = data.get("coverage", {}).get("unmanaged")
    if coverage is None and unmanaged is not None:
        severity.setdefault("schedule-unmanaged", unmanaged)
    return severity


def _declaration(item: Section, defaults: Section, path: JsonPath, locate: Locate) -> Declaration:
    """One `schedules[]` entry; each setting from the entry, else `defaults`, else built in."""

    def setting(key: str) -> Any:
        return item.get(key, defaults.get(key))

    return Declaration(
        index=item["index"],
        name=item.get("name"),
        id=item.get("id"),
        frequency=cast(Frequency, item["frequency"]),
        enabled=item.get("enabled", True),
        retention=_retention(item["retention"]),
        lookback=_duration_or(setting("lookback"), DEFAULT_LOOKBACK),
        grace=_duration_or(setting("grace"), DEFAULT_GRACE),
        max_run_duration=_duration_or(setting("max_run_duration"), DEFAULT_MAX_RUN_DURATION),
        max_age=_optional_duration(setting("max_age")),
        max_gap=_optional_duration(setting("max_gap")),
        max_shrink=parse_percentage(setting("max_shrink") or f"{DEFAULT_MAX_SHRINK}%"),
        tolerate={rule: int(n) for rule, n in _merged(item, defaults, "tolerate").items()},
        severity=_merged(item, defaults, "severity"),
        waivers=_waivers(item, path, locate),
        location=locate(path),
    )


def _merged(item: Section, defaults: Section, key: str) -> dict[str, Any]:
    """A per-rule map of `defaults` with the schedule's entries winning (RULES.md, rule 0)."""
    return {**defaults.get(key, {}), **item.get(key, {})}


def _waivers(item: Section, path: JsonPath, locate: Locate) -> tuple[Waiver, ...]:
    waivers = enumerate(item.get("waivers", []))
    return tuple(_waiver(waiver, locate((*path, "waivers", k))) for k, waiver in waivers)


def _retention(section: Section) -> Retention:
    return Retention(
        expire_after_days=int(section["expire_after_days"]),
        min_ready=int(section["min_ready"]) if "min_ready" in section else None,
        restore_window=_optional_duration(section.get("restore_window")),
    )


def _duration_or(text: str | None, default: timedelta) -> timedelta:
    return parse_duration(text) if text is not None else default


def _optional_duration(text: str | None) -> timedelta | None:
    return parse_duration(text) if text is not None else None


def _waiver(section: Section, location: Location) -> Waiver:
    start, until = section.get("from"), section.get("until")
    return Waiver(
        rule=section["rule"],
        reason=section["reason"],
        expires=parse_timestamp(section["expires"]),
        start=parse_timestamp(start) if start is not None else None,
        until=parse_timestamp(until) if until is not None else None,
        location=location,
    )
