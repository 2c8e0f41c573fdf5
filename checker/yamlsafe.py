"""A small, safe YAML reader: YAML 1.2 core-schema values with their source positions.

Why not `yaml.safe_load`? It resolves scalars by YAML 1.1 rules, so `enabled: yes` becomes
True, `off` becomes False (which would break `severity: {gap: off}`), `2026-06-01` becomes a
`date` and `1:30` becomes 5400. It silently keeps the last of two duplicate keys, forgets
every line number, and expands alias bombs until memory runs out. A spec reader that names
`file:line:column` for every problem needs none of that, so this module only *composes* the
document into nodes (a YAML parser's events and our composer: no constructor ever runs, so no
tag can build an object) and converts the nodes itself:

- scalars resolve by the YAML 1.2 core schema only (null, bool, int, float, else string);
- only the core tags are accepted (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`,
  `!!seq`, `!!map`); any other tag is a located problem;
- mapping keys must be strings and must not repeat;
- input larger than `MAX_BYTES`, alias expansion past that size, and nesting deeper than
  `MAX_DEPTH` are refused before any value is built.

The result is plain JSON-like data plus two position maps keyed by JSON path tuples such as
`("schedules", 2, "frequency")`: where each value starts and where the key naming it starts.

Which parser: PyYAML's pure-Python scanner and parser are the reference. When PyYAML has
libyaml, a spec is first read from libyaml's events (several times faster) by the same
resolver and `_compose_events`, a loop that builds the very nodes PyYAML's composer builds,
so limits, aliases, tags and positions are handled as above. Text that
libyaml is known to read differently (see `_PURE_ONLY`, `_libyaml_reads_alike` and
`_flow_scalars_may_differ`) goes straight to the pure-Python parser, and any problem at all on
the libyaml path sends the text to it as well, so every error is reported in its words and at
its position: libyaml is only a faster way to the very same document.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import yaml
from yaml.composer import Composer
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from checker.errors import SpecError, SpecProblem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

PathKey = str | int
JsonPath = tuple[PathKey, ...]
Position = tuple[int, int]  # (line, column), both 1-based

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TAG_PREFIX = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT = _TAG_PREFIX + "str", _TAG_PREFIX + "int", _TAG_PREFIX + "float"
_BOOL, _NULL = _TAG_PREFIX + "bool", _TAG_PREFIX + "null"
_SEQ, _MAP = _TAG_PREFIX + "seq", _TAG_PREFIX + "map"

# The YAML 1.2.2 core schema (section 10.3.2), nothing more: null and bool are a few
# spellings each, and a number starts with a sign, a dot or a digit.
_NULL_SPELLINGS = frozenset({"~", "null", "Null", "NULL", ""})
_BOOL_SPELLINGS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_MAY_START_NUMBER = frozenset("-+.0123456789")
_INT_PATTERN = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_PATTERN = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


# Text that libyaml reads differently from PyYAML's pure-Python parser is left to the latter.
# Each alternative stands for differences that tests/test_yaml_libyaml.py finds without it,
# and each is broader than the difference it avoids: a needless match only costs speed.
_PURE_ONLY = re.compile(
    "|".join(
        (
            # PyYAML's own test of the characters it refuses (libyaml refuses the same set,
            # in its own words, and a lone surrogate cannot even be encoded for it)
            Reader.NON_PRINTABLE.pattern,
            # libyaml takes a tab as a blank where PyYAML refuses it (`a:\tb`, `a: b\tc`)
            "\t",
            # a BOM after the first character: libyaml skips it at the start of a line and
            # counts it as a column; PyYAML keeps it in a scalar and does not count it
            "\ufeff",
            # a `!` where a token may start, so possibly a tag: PyYAML reads `[!x, b]` as one
            # item tagged `!x,`, libyaml as two, and `a: !` is null to one, a string to the
            # other (a `!` inside a word, as in `urgent!`, is plain text to both)
            r"""(?<![^\s\[\]{},:?'"])!""",
            # `key: |#`: libyaml takes a comment right after a block scalar header
            r"[|>][-+0-9]*#",
        )
    )
)
_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: its top-level mapping and where every key and value starts."""

    data: dict[str, object]
    values: Mapping[JsonPath, Position]
    keys: Mapping[JsonPath, Position]

    def value_position(self, path: JsonPath) -> Position:
        """Where the value at `path` starts, else its nearest ancestor's; the document is 1:1."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return (1, 1)

    def key_position(self, path: JsonPath) -> Position:
        """Where the key naming `path` starts (the value's position for list items)."""
        return self.keys.get(path) or self.value_position(path)


class _Marked(Protocol):
    """A PyYAML mark, from the pure-Python reader or from libyaml."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class _Refused(Exception):
    """The document cannot be read safely; carries where and why."""

    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


class _CoreResolver(BaseResolver):
    """Resolves plain scalars by the YAML 1.2 core schema; quoted scalars stay strings."""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            return core_tag(value)
        return {ScalarNode: _STR, SequenceNode: _SEQ}.get(kind, _MAP)


class _Composer(Composer):
    """PyYAML's composer with a nesting limit (its recursion would otherwise overflow)."""

    depth = 0
    first_alias: _Marked | None = None

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent) and self.first_alias is None:
            self.first_alias = event.start_mark
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(_position(event.start_mark), _too_deep())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Loader(Reader, Scanner, Parser, _Composer, _CoreResolver):
    """Composes nodes only: there is deliberately no constructor in this class."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _CoreResolver.__init__(self)


class _Events(Protocol):
    """The event half of a YAML parser, which is all that libyaml contributes."""

    def peek_event(self) -> yaml.Event | None: ...

    def get_event(self) -> yaml.Event | None: ...


class _LibyamlLoader(_CoreResolver):
    """`_Loader` with libyaml scanning and parsing, composed by `_compose_events`.

    libyaml's parser is held, not inherited from: `CParser` brings a composer of its own
    (`get_single_node` in C, without our nesting limit and alias bookkeeping), and holding
    it means that composer cannot be reached, whatever the method resolution order.
    """

    first_alias: _Marked | None = None

    def __init__(self, text: str, events: Callable[[str], _Events]) -> None:
        self._parser = events(text)
        _CoreResolver.__init__(self)

    def get_single_node(self) -> Node | None:
        root, self.first_alias = _compose_events(self._parser, self.resolve)
        if root is not None and _flow_scalars_may_differ(root):
            raise _ReadDifferently
        return root

    def dispose(self) -> None:
        """Nothing to release: libyaml's parser is freed with its Python object."""


_Resolve = Callable[[type[Node], Any, tuple[bool, bool]], str]  # value: None for a collection
_NO_KEY = object()  # a mapping on the stack waits for its next key


def _compose_events(parser: _Events, resolve: _Resolve) -> tuple[Node | None, _Marked | None]:
    """The one document of `parser`'s events as nodes, and the position of its first alias.

    The node graph of PyYAML's `Composer` (same nodes, tags, marks and styles, the same
    nesting limit as `_Composer`) built in one loop with a stack instead of a call per node:
    a spec of hundreds of schedules has thousands of nodes, and the calls cost more than
    libyaml's parsing. It only ever reads what libyaml could parse, and any error it raises
    sends the text to the pure-Python parser, which reports it in its own words.
    """
    get = parser.get_event
    get()  # the stream's start
    if isinstance(parser.peek_event(), yaml.StreamEndEvent):
        get()
        return None, None
    get()  # the document's start
    anchors: dict[str, Node] = {}
    first_alias: _Marked | None = None
    open_nodes: list[list[Any]] = []  # [collection node, pending key] from the root down
    while True:
        event: Any = get()  # one of the kinds tested below: libyaml parsed the text
        kind = type(event)
        if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            node: Node = open_nodes.pop()[0]
            node.end_mark = event.end_mark
        else:
            if len(open_nodes) >= MAX_DEPTH:
                raise _Refused(_position(event.start_mark), _too_deep())
            if kind is yaml.AliasEvent:
                first_alias = first_alias or event.start_mark
                node = anchors[event.anchor]  # KeyError: an undefined alias
            else:
                node = _node_of(event, resolve)
                if event.anchor is not None:
                    if event.anchor in anchors:
                        raise ValueError("a duplicate anchor")
                    anchors[event.anchor] = node
                if kind is not yaml.ScalarEvent:
                    open_nodes.append([node, _NO_KEY])
                    continue
        if not open_nodes:
            break
        _attach(open_nodes[-1], node)
    get()  # the document's end
    if not isinstance(get(), yaml.StreamEndEvent):
        raise ValueError("more than one document")
    return node, first_alias


def _node_of(event: Any, resolve: _Resolve) -> Node:
    """The node that a scalar, or a collection's start, begins: its tag resolved as PyYAML's
    composer resolves it, the collection still empty."""
    tag, kind = event.tag, type(event)
    if kind is yaml.ScalarEvent:
        if tag is None or tag == "!":
            tag = resolve(ScalarNode, event.value, event.implicit)
        return ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    collection = SequenceNode if kind is yaml.SequenceStartEvent else MappingNode
    if tag is None or tag == "!":
        tag = resolve(collection, None, event.implicit)
    return collection(tag, [], event.start_mark, None, event.flow_style)


def _attach(parent: list[Any], node: Node) -> None:
    """Add a finished node to the open collection `parent` ([node, pending key]): an item of
    a sequence, else a mapping's key, then the value that pairs with it."""
    collection, key = parent
    if isinstance(collection, SequenceNode):
        collection.value.append(node)
    elif key is _NO_KEY:
        parent[1] = node
    else:
        collection.value.append((key, node))
        parent[1] = _NO_KEY


class _ReadDifferently(Exception):
    """libyaml's node graph may differ from PyYAML's: the pure-Python parser must read."""


def _flow_scalars_may_differ(root: Node) -> bool:
    """Whether a flow collection holds a plain scalar that libyaml may have read otherwise.

    Inside `[...]` and `{...}`, PyYAML ends a plain scalar at `?` (`[a?]` is an error to it,
    the string `a?` to libyaml), and it places an empty value (`{a: }`, `[a: ]`) right after
    the `:` where libyaml places it at the `,`, `]` or `}` that follows. Looking at the nodes
    rather than at the text keeps a quoted glob such as `indexes: ["prod-?"]` on libyaml.
    """
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, CollectionNode) or id(node) in seen:
            continue
        seen.add(id(node))
        children = _children(node)
        if node.flow_style and any(_plain_with_question_or_empty(c) for c in children):
            return True
        stack.extend(children)
    return False


def _plain_with_question_or_empty(node: Node) -> bool:
    # libyaml reports a plain scalar's style as "", PyYAML as None
    return isinstance(node, ScalarNode) and not node.style and ("?" in node.value or not node.value)


class _NodeLoader(Protocol):
    """What `_compose_checked` needs of either loader."""

    first_alias: _Marked | None

    def get_single_node(self) -> Node | None: ...

    def dispose(self) -> None: ...


_LoaderFactory = Callable[[str], _NodeLoader]


def render_path(path: JsonPath) -> str:
    """`("schedules", 2, "frequency")` as `schedules[2].frequency` (indexes count from 0)."""
    rendered = ""
    for part in path:
        if isinstance(part, int):
            rendered += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            rendered += f".{part}" if rendered else part
        else:
            rendered += f"[{json.dumps(part)}]"
    return rendered


def core_tag(value: str) -> str:
    """The YAML 1.2 core-schema tag of a plain scalar: `yes`, `1:30`, `2026-06-01` are strings."""
    if value in _NULL_SPELLINGS:
        return _NULL
    if value in _BOOL_SPELLINGS:
        return _BOOL
    if value[:1] not in _MAY_START_NUMBER:  # most scalars: no pattern to try
        return _STR
    if _INT_PATTERN.fullmatch(value):
        return _INT
    return _FLOAT if _FLOAT_PATTERN.fullmatch(value) else _STR


def read_yaml(data: bytes | str, file: str) -> Document:
    """Parse one YAML document whose top level is a mapping, or raise `SpecError`."""
    try:
        return _read(data, file)
    except _Refused as refused:
        line, column = refused.position
        raise SpecError([SpecProblem(file, line, column, "", refused.message)]) from None


def _read(data: bytes | str, file: str) -> Document:
    text = _decode(data)
    libyaml = _libyaml_loader(text)
    if libyaml is not None:
        # Whatever goes wrong with libyaml (a syntax error, one of our refusals, a bad tag,
        # an exception of its own), the pure-Python parser reads the text again: it is the
        # reference, so every problem is reported in its words and at its position.
        with contextlib.suppress(Exception):
            return _document(text, file, libyaml)
    return _document(text, file, _Loader)


def _document(text: str, file: str, loader: _LoaderFactory) -> Document:
    root = _compose(text, loader)
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
        raise _Refused((1, 1), "the document is empty: a spec starts with `version: 1`")
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        message = f"the top level must be a mapping (`key: value` lines), not {kind}"
        raise _Refused(_position(root.start_mark), message)
    return _convert_document(root, file)


def _decode(data: bytes | str) -> str:
    """Enforce the size limit before anything is parsed, and insist on UTF-8."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise _Refused((1, 1), f"the file is larger than 1 MiB ({MAX_BYTES} bytes): refused")
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _Refused(_byte_position(data, error.start), _not_utf8(data, error.start)) from None


def _not_utf8(data: bytes, offset: int) -> str:
    return f"the file is not valid UTF-8 (byte 0x{data[offset]:02x}): save it as UTF-8"


def _byte_position(data: bytes, offset: int) -> Position:
    """Line and column (in characters) of a byte offset in not-quite-UTF-8 data."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return (data.count(b"\n", 0, offset) + 1, column)


def _libyaml_loader(text: str) -> _LoaderFactory | None:
    """A loader on libyaml's events, or None when only the pure-Python parser may read `text`."""
    events = _libyaml_events()
    if events is None or not _libyaml_reads_alike(text):
        return None
    return partial(_LibyamlLoader, events=events)


def _libyaml_reads_alike(text: str) -> bool:
    """False where libyaml is known to read `text` otherwise than the pure-Python parser."""
    # Without a final line break, libyaml puts the end of the stream on a line of its own,
    # and an empty value placed there (`? key` on the last line) moves with it.
    return text.endswith(_LINE_BREAKS) and _PURE_ONLY.search(text) is None


def _libyaml_events() -> Callable[[str], _Events] | None:
    """libyaml's parser, if this PyYAML has it (asked on each read: it costs nothing)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    try:
        from yaml._yaml import CParser  # the libyaml binding; `yaml.cyaml` imports it from here
    except ImportError:
        return None
    return CParser


def _compose(text: str, loader: _LoaderFactory) -> Node | None:
    """Build the node graph, turning PyYAML's errors into located refusals."""
    try:
        return _compose_checked(text, loader)
    except ReaderError as error:
        raise _Refused(_text_position(text, error.position), _reader_message(error)) from None
    except yaml.MarkedYAMLError as error:
        raise _Refused(_error_position(error), _yaml_message(error)) from None


def _compose_checked(text: str, make_loader: _LoaderFactory) -> Node | None:
    loader = make_loader(text)
    try:
        root = loader.get_single_node()
        # Without an alias the nodes form a tree that the size limit and the composer's
        # nesting limit have already bounded: only aliases can expand it.
        if root is not None and loader.first_alias is not None:
            _check_expansion(root, len(text.encode("utf-8", "surrogatepass")), loader.first_alias)
        return root
    except ValueError as error:  # PyYAML's scanner calls chr() on an escape like "\U00110000"
        raise _Refused(_mark_position(loader), _bad_escape()) from error
    finally:
        loader.dispose()


def _mark_position(loader: _NodeLoader) -> Position:
    """Where the pure-Python reader stopped (libyaml's loader does not say: the pure one
    reads every text that fails)."""
    get_mark = getattr(loader, "get_mark", None)
    return _position(get_mark()) if get_mark is not None else (1, 1)


def _bad_escape() -> str:
    return "an escape sequence names no Unicode character (the largest is \\U0010FFFF)"


def _reader_message(error: ReaderError) -> str:
    return f"unacceptable character #x{error.character:04x}: {error.reason}"


def _error_position(error: yaml.MarkedYAMLError) -> Position:
    mark = error.problem_mark or error.context_mark
    return _position(mark) if mark is not None else (1, 1)


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's own words, with the line where its context started and a hint for tabs."""
    message = error.problem or error.context or "invalid YAML"
    if error.problem and error.context:
        line = f" at line {error.context_mark.line + 1}" if error.context_mark else ""
        if error.context.startswith("while"):
            started = f" started{line}" if line else ""
            message = f"{error.problem} ({error.context}{started})"
        else:
            message = f"{error.context}{line}, {error.problem}"
    if "'\\t'" in message:
        message += "; YAML does not allow tabs here: indent with spaces"
    return message


def _text_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return (text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _position(mark: _Marked) -> Position:
    return (mark.line + 1, mark.column + 1)


def _too_deep() -> str:
    return f"the document is nested deeper than {MAX_DEPTH} levels: refused"


# --------------------------------------------------------------------------- alias expansion


@dataclass
class _Measure:
    """Expanded size and height per node, memoised so that an alias bomb costs nothing."""

    sizes: dict[int, int] = field(default_factory=dict)
    heights: dict[int, int] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)
    unique: int = 0


def _check_expansion(root: Node, source_bytes: int, first_alias: _Marked | None) -> None:
    """Refuse a document whose aliases would make it larger than `MAX_BYTES` or too deep.

    The size of a node is its scalars' lengths plus one per node; what aliases add is the
    expanded size minus the size of each distinct node counted once.
    """
    measure = _Measure()
    expanded = _measure(root, 1, measure)
    if source_bytes + expanded - measure.unique > MAX_BYTES:
        where = _position(first_alias) if first_alias is not None else (1, 1)
        raise _Refused(where, "aliases expand the document past 1 MiB: refused")


def _measure(node: Node, depth: int, measure: _Measure) -> int:
    key = id(node)
    if key in measure.sizes:
        if depth + measure.heights[key] - 1 > MAX_DEPTH:
            raise _Refused(_position(node.start_mark), _too_deep())
        return measure.sizes[key]
    if key in measure.active:
        raise _Refused(_position(node.start_mark), "an alias refers to a node that contains it")
    if depth > MAX_DEPTH:
        raise _Refused(_position(node.start_mark), _too_deep())
    measure.active.add(key)
    size, height = _measure_children(node, depth, measure)
    measure.active.discard(key)
    measure.sizes[key], measure.heights[key] = size, height
    return size


def _measure_children(node: Node, depth: int, measure: _Measure) -> tuple[int, int]:
    own = len(node.value) + 1 if isinstance(node, ScalarNode) else 1
    measure.unique += own
    children = _children(node)
    size = own + sum(_measure(child, depth + 1, measure) for child in children)
    height = 1 + max((measure.heights[id(child)] for child in children), default=0)
    return size, height


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


# --------------------------------------------------------------------------- conversion


@dataclass
class _Builder:
    """Collects positions and problems while nodes become plain values."""

    file: str
    values: dict[JsonPath, Position] = field(default_factory=dict)
    keys: dict[JsonPath, Position] = field(default_factory=dict)
    problems: dict[SpecProblem, None] = field(default_factory=dict)  # ordered, without repeats

    def problem(self, node: Node, path: JsonPath, message: str) -> None:
        line, column = _position(node.start_mark)
        self.problems[SpecProblem(self.file, line, column, render_path(path), message)] = None


def _convert_document(root: MappingNode, file: str) -> Document:
    builder = _Builder(file)
    data = _mapping(root, (), builder)
    if builder.problems:
        raise SpecError(list(builder.problems))
    return Document(data, builder.values, builder.keys)


def _value(node: Node, path: JsonPath, builder: _Builder) -> object:
    builder.values[path] = _position(node.start_mark)
    if isinstance(node, MappingNode):
        return _mapping(node, path, builder) if _tag_is(node, path, _MAP, builder) else None
    if isinstance(node, SequenceNode):
        return _sequence(node, path, builder) if _tag_is(node, path, _SEQ, builder) else None
    return _scalar(node, path, builder) if isinstance(node, ScalarNode) else None


def _tag_is(node: Node, path: JsonPath, expected: str, builder: _Builder) -> bool:
    if node.tag == expected:
        return True
    builder.problem(node, path, _bad_tag(node.tag))
    return False


def _bad_tag(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag
    return (
        f"tag {shown} is not allowed: a spec holds only plain YAML values "
        "(strings, numbers, booleans, null, lists and mappings)"
    )


def _sequence(node: SequenceNode, path: JsonPath, builder: _Builder) -> list[object]:
    return [_value(item, (*path, index), builder) for index, item in enumerate(node.value)]


def _mapping(node: MappingNode, path: JsonPath, builder: _Builder) -> dict[str, object]:
    result: dict[str, object] = {}
    first_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = _key(key_node, path, builder)
        if key is None:
            continue
        if key in first_lines:
            builder.problem(key_node, (*path, key), _duplicate(key, first_lines[key]))
            continue
        first_lines[key] = key_node.start_mark.line + 1
        builder.keys[(*path, key)] = _position(key_node.start_mark)
        result[key] = _value(value_node, (*path, key), builder)
    return result


def _duplicate(key: str, first_line: int) -> str:
    return f"duplicate key {key!r} (first defined at line {first_line})"


def _key(node: Node, path: JsonPath, builder: _Builder) -> str | None:
    """Keys are strings, as in JSON: `1:` or `? [a]` would have no JSON path."""
    value = _scalar(node, path, builder) if isinstance(node, ScalarNode) else node
    if isinstance(value, str):
        return value
    if value is not None or node.tag == _NULL:  # None otherwise: `_scalar` said why
        builder.problem(node, path, f"mapping keys must be strings: quote {_shown(node)}")
    return None


def _shown(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return repr(node.value) if node.value else "the empty key"
    return "this key" if isinstance(node, MappingNode) else "this key (a list)"


def _scalar(node: ScalarNode, path: JsonPath, builder: _Builder) -> object:
    """Convert a scalar by its tag; an explicit tag must fit its value (`!!int yes` is not)."""
    if node.tag == _STR:
        return str(node.value)
    if node.tag not in (_NULL, _BOOL, _INT, _FLOAT):
        builder.problem(node, path, _bad_tag(node.tag))
        return None
    if not _fits(node.tag, node.value):
        builder.problem(node, path, f"{node.value!r} is not a valid {_tag_name(node.tag)}")
        return None
    try:
        return _core_value(node.tag, node.value)
    except ValueError:
        builder.problem(node, path, f"the number {node.value[:20]}... is too long")
        return None


def _fits(tag: str, text: str) -> bool:
    """Whether an explicitly tagged scalar is spelt as its tag requires (`!!float 1` is)."""
    resolved = core_tag(text)
    return resolved == tag or (tag == _FLOAT and resolved == _INT)


def _tag_name(tag: str) -> str:
    return {_NULL: "null", _BOOL: "boolean", _INT: "integer"}.get(tag, "float")


def _core_value(tag: str, text: str) -> object:
    """The Python value of a scalar that matches its core-schema tag."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        return _core_int(text)
    return _core_float(text)


def _core_int(text: str) -> int:
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _core_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".nan"):
        return math.nan
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    return float(text)
