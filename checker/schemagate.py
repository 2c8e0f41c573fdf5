"""A fast, conservative gate in front of jsonschema: `compile_gate(schema, formats)(instance)`.

Validating a spec with jsonschema costs its import (~70 ms of start-up) and ~15 ms for a
200-declaration spec, mostly machinery for locating errors that a valid spec never needs.
The gate compiles the schema once into a tree of small closures that answer one question,
"is this instance certainly valid?", and promises only soundness: True only for an instance
that `Draft202012Validator(schema, format_checker=...)` accepts. False means "ask jsonschema",
which then reports the located errors (or finds none: False is always allowed).

Only the draft 2020-12 keywords the spec schema uses are compiled, each with jsonschema's
semantics: a keyword constrains instances of its own kind only (`properties` ignores a
string), and sibling keywords, `$ref` included, combine by AND. Annotations are ignored. Any
other keyword is an `UnsupportedSchema` at compile time, since skipping a constraint would
make the gate accept what jsonschema refuses. Where jsonschema's notions are wider than JSON
data (a `Decimal` is a number to it, a tuple equals a list), the gate says False instead of
reproducing them: a spec read from YAML holds JSON data only, so that costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[object], bool]
Format = Callable[[object], bool]  # False, or raises ValueError, for a bad value (FormatChecker)


class UnsupportedSchema(ValueError):
    """The schema asks for something the gate does not compile, so it cannot vouch for it."""


def compile_gate(schema: Mapping[str, Any] | bool, formats: Mapping[str, Format]) -> Check:
    """A predicate that is True only for instances valid under `schema` (draft 2020-12).

    `formats` maps each format name the schema uses to the check jsonschema's FormatChecker
    runs for it. `$ref`s must point into the root's `$defs`. Raises `UnsupportedSchema` for
    anything else.
    """
    return _Compiler(schema, formats).compile(schema, "#", root=True)


# --------------------------------------------------------------------------- the compiler

# Ignored: they say nothing about validity. (`$schema` too: the gate, like the validator it
# stands in front of, applies draft 2020-12 whatever the schema declares.)
_ANNOTATIONS = frozenset(
    {"title", "description", "markdownDescription", "examples", "default", "$comment"}
    | {"$schema", "deprecated", "readOnly", "writeOnly"}
)
# Understood at the root only: a nested `$id` would change what the `#/$defs/...` references
# below it point at, and references reach the root's `$defs` only.
_ROOT_ONLY = frozenset({"$id", "$defs"})
_OBJECT_KEYWORDS = frozenset({"properties", "additionalProperties", "propertyNames", "required"})
_COMPILED = _OBJECT_KEYWORDS | frozenset(
    {"type", "const", "enum", "pattern", "format", "minimum", "maximum", "items", "anyOf", "$ref"}
)
_REF = re.compile(r"#/\$defs/([A-Za-z0-9_.-]+)")  # no ~0, ~1 or %xx escapes to get wrong


class _Compiler:
    """Compiles one schema, each `$defs` entry once however often it is referenced."""

    def __init__(self, root: Mapping[str, Any] | bool, formats: Mapping[str, Format]) -> None:
        definitions = root.get("$defs", {}) if isinstance(root, Mapping) else {}
        if not isinstance(definitions, Mapping):
            raise UnsupportedSchema("#/$defs: expected an object")
        self._definitions: Mapping[str, Any] = definitions
        self._formats = formats
        self._compiled: dict[str, Check] = {}
        self._compiling: set[str] = set()

    def compile(self, schema: object, where: str, *, root: bool = False) -> Check:
        """The check of one (sub)schema; `where` is its JSON pointer, for messages."""
        if schema is True:
            return _accept
        if schema is False:
            return _reject
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"{where}: a schema is an object or a boolean")
        _refuse_unknown_keywords(schema, where, root=root)
        type_check, kind = _type(schema, where)
        return _all(  # the type check first: the kind-specific checks after it may rely on it
            type_check,
            _for_kind(dict, self._object(schema, where), kind),
            _for_kind(list, self._items(schema, where), kind),
            _for_kind(str, _pattern(schema, where), kind),
            _bounds(schema, where),
            _const(schema),
            _enum(schema, where),
            self._format(schema, where),
            self._ref(schema, where),
            self._any_of(schema, where),
        )

    def _object(self, schema: Mapping[str, Any], where: str) -> Check | None:
        if not _OBJECT_KEYWORDS & schema.keys():
            return None
        properties = _keyword(schema, "properties", Mapping, where, {})
        known = {
            key: self.compile(value, f"{where}/properties/{key}")
            for key, value in properties.items()
        }
        other = self.compile(
            schema.get("additionalProperties", True), f"{where}/additionalProperties"
        )
        names = self.compile(schema.get("propertyNames", True), f"{where}/propertyNames")
        required = _keyword(schema, "required", list, where, [])
        if not all(isinstance(key, str) for key in required):
            raise UnsupportedSchema(f"{where}/required: expected a list of strings")
        return _all(_values(known, other), _keys(names), _has_keys(tuple(required)))

    def _items(self, schema: Mapping[str, Any], where: str) -> Check | None:
        """`items` in its 2020-12 form: one schema for every element of an array."""
        if "items" not in schema:
            return None
        return _every(self.compile(schema["items"], f"{where}/items"))

    def _format(self, schema: Mapping[str, Any], where: str) -> Check | None:
        if "format" not in schema:
            return None
        name = _keyword(schema, "format", str, where, "")
        if name not in self._formats:
            raise UnsupportedSchema(f"{where}/format: no check was given for {name!r}")
        return _conforms(self._formats[name])

    def _ref(self, schema: Mapping[str, Any], where: str) -> Check | None:
        if "$ref" not in schema:
            return None
        reference = schema["$ref"]
        match = _REF.fullmatch(reference) if isinstance(reference, str) else None
        if match is None or match[1] not in self._definitions:
            message = f"only #/$defs/<name> of this schema is understood, not {reference!r}"
            raise UnsupportedSchema(f"{where}/$ref: {message}")
        return self._definition(match[1])

    def _definition(self, name: str) -> Check:
        if name in self._compiled:
            return self._compiled[name]
        if name in self._compiling:  # a recursive reference: look the check up when it runs
            compiled = self._compiled
            return lambda instance: compiled[name](instance)
        self._compiling.add(name)
        self._compiled[name] = self.compile(self._definitions[name], f"#/$defs/{name}")
        self._compiling.discard(name)
        return self._compiled[name]

    def _any_of(self, schema: Mapping[str, Any], where: str) -> Check | None:
        if "anyOf" not in schema:
            return None
        branches = _keyword(schema, "anyOf", list, where, [])
        if not branches:
            raise UnsupportedSchema(f"{where}/anyOf: expected a non-empty list")
        checks = tuple(
            self.compile(branch, f"{where}/anyOf/{number}")
            for number, branch in enumerate(branches)
        )
        return lambda instance: any(check(instance) for check in checks)


def _refuse_unknown_keywords(schema: Mapping[str, Any], where: str, *, root: bool) -> None:
    allowed = _COMPILED | _ANNOTATIONS | (_ROOT_ONLY if root else frozenset())
    unknown = sorted(str(key) for key in schema.keys() - allowed)
    if unknown:
        raise UnsupportedSchema(f"{where}: the gate does not compile {', '.join(unknown)}")


def _keyword(schema: Mapping[str, Any], key: str, kind: type, where: str, default: Any) -> Any:
    """`schema[key]` (or `default`), which must be a `kind`: a malformed keyword is no guess."""
    value = schema.get(key, default)
    if not isinstance(value, kind):
        raise UnsupportedSchema(f"{where}/{key}: expected {kind.__name__}, got {value!r}")
    return value


# --------------------------------------------------------------------------- combinators
#
# Closures that run after a kind check (`_for_kind` or `type`) take `instance: Any`: the
# check has made it a dict, a list or a str, which the Check signature cannot say.


def _accept(instance: object) -> bool:
    return True


def _reject(instance: object) -> bool:
    return False


def _all(*checks: Check | None) -> Check:
    """AND of the checks, in order: a chain of `and`s (no loop, no generator per call)."""
    present = [check for check in checks if check is not None and check is not _accept]
    if not present:
        return _accept
    first, rest = present[0], _all(*present[1:])
    if rest is _accept:
        return first
    return lambda instance: first(instance) and rest(instance)


def _for_kind(kind: type, check: Check | None, required_kind: type | None) -> Check | None:
    """`check` for instances of `kind`; others pass, since a keyword ignores other kinds.

    No guard when `type` already requires `kind`: `_all` runs the type check first.
    """
    if check is None or check is _accept or kind is required_kind:
        return check
    return lambda instance: not isinstance(instance, kind) or check(instance)


def _every(item: Check) -> Check | None:
    if item is _accept:
        return None

    def every(instance: Any) -> bool:
        return all(map(item, instance))  # `all` and `map` loop in C

    return every


def _values(known: Mapping[str, Check], other: Check) -> Check | None:
    """`properties` and `additionalProperties`: each value by its key's schema, or by
    `additionalProperties` if it has none. The loop is over the instance's keys, not the
    schema's, so the many optional properties a spec leaves out cost nothing."""
    if not known and other is _accept:
        return None

    def values(instance: Any) -> bool:
        # A loop, not all() of a generator: this runs for every mapping, and is 20% faster
        for key, value in instance.items():  # noqa: SIM110
            if not known.get(key, other)(value):
                return False
        return True

    return values


def _keys(names: Check) -> Check | None:
    """`propertyNames`: every key is an instance of the names' schema."""
    if names is _accept:
        return None

    def keys(instance: Any) -> bool:
        return all(map(names, instance))

    return keys


def _has_keys(required: tuple[str, ...]) -> Check | None:
    if not required:
        return None

    def has_keys(instance: Any) -> bool:
        return all(map(instance.__contains__, required))

    return has_keys


# --------------------------------------------------------------------------- keywords


def _is_number(instance: object) -> bool:
    """A JSON number; jsonschema also counts any other numbers.Number (a Decimal) in."""
    return isinstance(instance, int | float) and not isinstance(instance, bool)


def _is_integer(instance: object) -> bool:
    """jsonschema's draft 2020-12 "integer": an int that is no bool, or a whole float (1.0)."""
    if isinstance(instance, float):
        return instance.is_integer()
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_json(instance: object) -> bool:
    return instance is None or isinstance(instance, bool | int | float | str | list | dict)


# Each type's check, and the container the type requires (which `_for_kind` can then trust).
_TYPES: Mapping[str, tuple[Check, type | None]] = {
    "null": (lambda instance: instance is None, None),
    "boolean": (lambda instance: isinstance(instance, bool), None),
    "integer": (_is_integer, None),
    "number": (_is_number, None),
    "string": (lambda instance: isinstance(instance, str), str),
    "array": (lambda instance: isinstance(instance, list), list),
    "object": (lambda instance: isinstance(instance, dict), dict),
}


def _type(schema: Mapping[str, Any], where: str) -> tuple[Check | None, type | None]:
    if "type" not in schema:
        return None, None
    names = schema["type"]
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(name in _TYPES for name in names):
        raise UnsupportedSchema(f"{where}/type: unknown type in {schema['type']!r}")
    if len(names) == 1:
        return _TYPES[names[0]]
    checks = tuple(_TYPES[name][0] for name in names)
    return (lambda instance: any(check(instance) for check in checks)), None


def _pattern(schema: Mapping[str, Any], where: str) -> Check | None:
    """`pattern`: unanchored `re.search`, as jsonschema does (of strings only)."""
    if "pattern" not in schema:
        return None
    try:
        search = re.compile(_keyword(schema, "pattern", str, where, "")).search
    except re.error as error:
        raise UnsupportedSchema(f"{where}/pattern: {error}") from None

    def matches(instance: Any) -> bool:
        return search(instance) is not None

    return matches


def _bounds(schema: Mapping[str, Any], where: str) -> Check | None:
    """`minimum` and `maximum`: they constrain numbers only, and a bool is not a number."""
    low, high = _bound(schema, "minimum", where), _bound(schema, "maximum", where)
    if low is None and high is None:
        return None

    def within(instance: Any) -> bool:
        if not _is_number(instance):
            return _is_json(instance)  # a string passes; a Decimal is jsonschema's to judge
        # `not <` rather than `>=`: NaN is below no bound, and jsonschema lets it through
        return not (low is not None and instance < low) and not (
            high is not None and instance > high
        )

    return within


def _bound(schema: Mapping[str, Any], key: str, where: str) -> float | None:
    value = schema.get(key)
    if value is not None and not _is_number(value):
        raise UnsupportedSchema(f"{where}/{key}: expected a number, got {value!r}")
    return value


def _const(schema: Mapping[str, Any]) -> Check | None:
    if "const" not in schema:
        return None
    return _among([schema["const"]])


def _enum(schema: Mapping[str, Any], where: str) -> Check | None:
    if "enum" not in schema:
        return None
    return _among(_keyword(schema, "enum", list, where, []))


def _among(options: list[object]) -> Check:
    """Equal to one of `options`: a string by set membership (a string equals strings only),
    anything else against the other options one by one."""
    strings = frozenset(option for option in options if isinstance(option, str))
    others = tuple(option for option in options if not isinstance(option, str))

    def among(instance: object) -> bool:
        if isinstance(instance, str):
            return instance in strings
        return any(_equal(option, instance) for option in others)

    return among


def _equal(expected: object, instance: object) -> bool:
    """Equality as jsonschema's `equal` has it for JSON data: true is not 1 nor false 0, 1 is
    1.0, and lists and objects compare element by element by the same rules.

    Narrower where jsonschema is generic (a tuple, a bytes, any other Sequence or Mapping, a
    Decimal equal nothing here): that only makes the gate say False more often.
    """
    if expected is instance:
        return True
    if isinstance(expected, bool) or isinstance(instance, bool):
        return False  # two bools that are not the same object differ, and a bool equals no number
    if isinstance(expected, list) and isinstance(instance, list):
        return len(expected) == len(instance) and all(map(_equal, expected, instance))
    if isinstance(expected, dict) and isinstance(instance, dict):
        return len(expected) == len(instance) and all(
            key in instance and _equal(value, instance[key]) for key, value in expected.items()
        )
    if isinstance(expected, list | dict) or isinstance(instance, list | dict):
        return False
    return _is_json(instance) and expected == instance


def _conforms(check: Format) -> Check:
    """A FormatChecker check as a predicate: a false result or a ValueError means invalid."""

    def conforms(instance: object) -> bool:
        try:
            return bool(check(instance))
        except ValueError:
            return False

    return conforms
