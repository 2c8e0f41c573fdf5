"""Spec reading through libyaml, with PyYAML's pure-Python parser as the reference.

`checker.yamlsafe` composes a spec from libyaml's events when libyaml is present and the text
has nothing libyaml is known to read differently; on any problem at all it reads the text
again with the pure-Python parser, which alone reports errors. These tests hold it to that:

- on generated YAML-ish text and on every file of the spec corpus, a document the libyaml
  path accepts is exactly the pure path's (data, value positions, key positions), and
  `read_yaml` answers exactly as the pure path does (the same document or the same problems);
- every difference found between the two parsers has an example here, which libyaml alone
  does read differently and which the guards send to the pure path;
- an ordinary spec really is read by libyaml alone, a problem really is reported by the pure
  path, and without libyaml (or without its binding) only the pure path runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import yamlsafe
from checker.errors import SpecError, SpecProblem
from checker.spec import parse_spec
from checker.yamlsafe import MAX_DEPTH, Document, read_yaml
from tests.fleet import fleet_spec

FILE = "s.yaml"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "spec_cases").rglob("*.yaml"))
GOOD = sorted((ROOT / "tests" / "spec_cases" / "good").glob("*.yaml"))

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

Outcome = tuple[object, ...]


def pure(data: str | bytes) -> Outcome:
    """What PyYAML's pure-Python parser alone makes of `data`: the reference."""
    with mock.patch.object(yaml, "__with_libyaml__", False):
        return public(data)


def public(data: str | bytes) -> Outcome:
    """What `read_yaml` makes of `data`, comparable with `==` (NaN included)."""
    try:
        return shown(read_yaml(data, FILE))
    except SpecError as error:
        return ("problems", *error.problems)


def shown(document: Document) -> Outcome:
    return ("document", repr(document.data), dict(document.values), dict(document.keys))


def libyaml_only(text: str) -> Outcome | None:
    """The libyaml path's document, or None where it declines the text or finds any problem."""
    loader = yamlsafe._libyaml_loader(text)
    if loader is None:
        return None
    try:
        return shown(yamlsafe._document(text, FILE, loader))
    except Exception:  # any problem at all is left to the pure path
        return None


def unguarded(text: str) -> Outcome | None:
    """libyaml's document without the text guards (`_flow_scalars_may_differ` still runs)."""
    from yaml._yaml import CParser  # only reached under @needs_libyaml

    try:
        return shown(
            yamlsafe._document(text, FILE, partial(yamlsafe._LibyamlLoader, events=CParser))
        )
    except Exception:
        return None


def assert_read_alike(data: str | bytes) -> None:
    """`read_yaml` answers as the pure path does; what libyaml alone accepts is the same."""
    expected = pure(data)
    assert public(data) == expected
    try:
        text = data if isinstance(data, str) else data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # refused before any parser sees it
    fast = libyaml_only(text.removeprefix("\ufeff"))
    assert fast is None or fast == expected, (fast, expected)


def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which loaders `read_yaml` builds, in order: "libyaml" and/or "pure"."""
    used: list[str] = []
    real_pure, real_libyaml = yamlsafe._Loader, yamlsafe._LibyamlLoader

    def pure_loader(text: str) -> yamlsafe._Loader:
        used.append("pure")
        return real_pure(text)

    def libyaml_loader(text: str, events: Callable[[str], yamlsafe._Events]) -> object:
        used.append("libyaml")
        return real_libyaml(text, events)

    monkeypatch.setattr(yamlsafe, "_Loader", pure_loader)
    monkeypatch.setattr(yamlsafe, "_LibyamlLoader", libyaml_loader)
    return used


# --------------------------------------------------------------------------- generated text

# Pieces of YAML syntax, including what the two parsers are known to disagree on.
PIECES = (
    *"abc01 :-?,[]{}#&*!|>'\"%@`\\.~",
    *("\n", "\n  ", "\n- ", ": ", "- ", "? ", "  ", "    ", "\t", "\r", "\r\n"),
    *("\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x07", "\x7f", "\x9f", "\ud800", "\ufffe"),
    *("é", "😀", "\u00a0", "\u3000", "---", "...", "--- ", "...\n", "---\n", "# c\n"),
    *("%YAML 1.1\n", "%YAML 1.2\n---\n", "%YAML 1.3\n---\n", "%TAG !e! tag:x,1:\n---\n"),
    *("%FOO\n---\n", "&a ", "*a", "!!str ", "!x ", "! ", "!e!x ", "a!", "x?", "[?"),
    *("|", "|-", ">+", "|2", '"\\t"', '"\\x41\\u00e9"', "''", "'a''b'", "a" * 1030),
    *("null", "true", "yes", "1", "0x1F", ".inf", "1e3", "1:30", "key"),
)
INDENTS = ("", "", "  ", "    ", " ")
LEADS = ("", "- ", "? ", ": ", "key: ", "a b: ", "'q': ", '"d": ', "&a k: ", "*a : ", "- k: ")
SCALARS = (
    *("a", "1", "-2", "0o7", "0x1F", "1.5", ".inf", ".NaN", "null", "~", "true", "yes", "off"),
    *("2026-06-01", "1:30", "'s'", "''", '"d\\x41\\N"', '""', "é", "😀", "x y", "a#b", "a:b"),
    *("http://x/y?q", "-x", "%x", "@x", "x!", "! a", "!!str 1", "!!int 0x1F", "*a", "&a x"),
    *("'multi\n  line'", '"esc\\\n  aped"', "x\n  continued", "a\u00a0b", "'it''s'", ""),
)
VALUES = (
    *SCALARS,
    *("[a, b]", "{a: b}", "[a, [b], {c: d}]", "{a, b: c}", "[a: b]", "{a: }", "[a?]", "[? a]"),
    *("['x?', \"y-?\"]", "{? a: b}", "[a,\n  b]", "{a: b,\n c: d}", "|", ">-", "|2", "|#"),
)
KEYS = ("a", "key", "k k", "é", "😀x", "'q'", '"d"', "a#b", "x?", "x!", "&k k", "'2'", "1", "k:x")
TRAILS = ("", "", "", " # c", " #", "#c", " ", "\t")
BREAKS = ("\n", "\n", "\n", "\r\n", "\r", "\x85", "\u2028")
BLOCK_SCALAR = "|"  # a leaf drawn as this becomes a literal block scalar of two lines

TREES = st.recursive(
    st.sampled_from((*SCALARS, BLOCK_SCALAR)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=10,
)


def flow(node: object) -> str:
    """`node` in flow style (a block scalar leaf becomes a quoted string)."""
    if isinstance(node, list):
        return "[" + ", ".join(flow(item) for item in node) + "]"
    if isinstance(node, dict):
        return "{" + ", ".join(f"{key}: {flow(value)}" for key, value in node.items()) + "}"
    return "'|'" if node == BLOCK_SCALAR else str(node)


def block(draw: st.DrawFn, node: object, indent: int) -> str:
    """`node` as the text after `key:` or `-`: inline, or lines indented by `indent`."""
    pad, brk = " " * indent, draw(st.sampled_from(BREAKS))
    if node == BLOCK_SCALAR:
        return f" |{brk}{pad}  x{brk}{pad}  y"
    if not isinstance(node, list | dict) or not node or draw(st.booleans()):
        return " " + flow(node) + draw(st.sampled_from(TRAILS))
    step = draw(st.sampled_from((1, 2, 2, 4)))
    if isinstance(node, list):
        lead = pad if draw(st.booleans()) else " " * max(indent - step, 0)  # indentless too
        return "".join(f"{brk}{lead}-{block(draw, item, indent + 2)}" for item in node)
    return "".join(f"{brk}{pad}{key}:{block(draw, v, indent + step)}" for key, v in node.items())


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A spec-like mapping in mixed block and flow styles, mostly valid YAML."""
    tree = draw(st.dictionaries(st.sampled_from(KEYS), TREES, min_size=1, max_size=4))
    start = draw(st.sampled_from(("", "", "---\n", "%YAML 1.1\n---\n", "# c\n")))
    return start + block(draw, tree, 0).removeprefix(" ") + draw(st.sampled_from(BREAKS))


@st.composite
def injected(draw: st.DrawFn) -> str:
    """A document with a piece or two of YAML syntax injected anywhere."""
    text = draw(documents())
    for piece, where in draw(st.lists(st.tuples(st.sampled_from(PIECES), st.floats(0, 1)))):
        at = int(where * len(text))
        text = text[:at] + piece + text[at:]
    return text


LINES = st.lists(
    st.tuples(*(st.sampled_from(part) for part in (INDENTS, LEADS, VALUES, TRAILS, BREAKS))).map(
        "".join
    ),
    max_size=8,
).map("".join)
CHAOS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
YAMLISH = st.one_of(documents(), injected(), LINES, CHAOS)


@needs_libyaml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=YAMLISH, as_bytes=st.booleans())
def test_libyaml_accepts_only_what_the_pure_path_reads_alike(text: str, as_bytes: bool) -> None:
    assert_read_alike(text.encode("utf-8", "surrogatepass") if as_bytes else text)


@needs_libyaml
@pytest.mark.parametrize("case", CORPUS, ids=lambda case: f"{case.parent.name}/{case.stem}")
def test_every_corpus_file_reads_alike(case: Path) -> None:
    assert_read_alike(case.read_bytes())


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        *(case.read_text(encoding="utf-8") for case in GOOD),
        (ROOT / "schedules.yaml").read_text(encoding="utf-8"),
        fleet_spec(20),
    ],
    ids=[*(case.stem for case in GOOD), "schedules.yaml", "fleet"],
)
def test_good_specs_are_read_by_libyaml_alone_to_the_same_spec(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock.patch.object(yaml, "__with_libyaml__", False):
        expected = parse_spec(text, FILE)
    used = spy(monkeypatch)
    assert parse_spec(text, FILE) == expected
    assert used == ["libyaml"]


# --------------------------------------------------------------------------- known differences

# Text that libyaml alone reads otherwise than PyYAML's pure-Python parser: it accepts what
# PyYAML refuses, or gives other values or other positions. Each must go to the pure path.
DIFFERENCES = {
    "tab after a colon": "a:\tb\n",
    "tab inside a plain scalar": "a: b\tc\n",
    "tab before a comment": "a: b\t# c\n",
    "tab inside a flow sequence": "a: [\tb]\n",
    "tab after a document end": "a: b\n...\t\n",
    "BOM before an indentation": "a:\n\ufeff  b: c\n",  # libyaml skips it, PyYAML reads it
    "BOM at the start of a flow line": "a: [b,\n\ufeffc]\n",
    "BOM inside a key": "k\ufeff: x\n",  # PyYAML does not count it as a column
    "comma inside a tag": "a: [!!str, b]\n",
    "non-specific tag on nothing": "a: !\n",
    "comment right after a block scalar header": "a: |#\n",
    "question mark inside a flow plain scalar": "a: [b?]\n",
    "question mark after a flow plain scalar": "a: [b ?]\n",
    "empty value in a flow mapping": "a: {b: }\n",
    "empty value in a flow pair": "a: [b: ]\n",
    "empty value at the end of an unfinished last line": "a: b\n? c",
    "empty value at the end of an unfinished nested line": "a:\n  ? b",
}


@needs_libyaml
@pytest.mark.parametrize("text", DIFFERENCES.values(), ids=DIFFERENCES.keys())
def test_each_known_difference_is_left_to_the_pure_path(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert libyaml_only(text) is None
    assert_read_alike(text)
    # ... and the guard is needed: without it, libyaml accepts the text to something else
    monkeypatch.setattr(yamlsafe, "_flow_scalars_may_differ", lambda root: False)
    different = unguarded(text)
    assert different is not None
    assert different != pure(text)


# Where libyaml refuses what PyYAML accepts, the pure path reads the text and accepts it.
LIBYAML_STRICTER = {
    "YAML 1.3 directive": "%YAML 1.3\n---\na: b\n",
    "reserved directive": "%FOO bar\n---\na: b\n",
    "colon right before the end of a flow sequence": "a: [b:]\n",
    "tab inside a block scalar": "a: |\n \tx\n",
    "BOM at the start of a key": "a: b\n\ufeffc: d\n",
}


@needs_libyaml
@pytest.mark.parametrize("text", LIBYAML_STRICTER.values(), ids=LIBYAML_STRICTER.keys())
def test_what_libyaml_alone_refuses_the_pure_path_accepts(text: str) -> None:
    assert unguarded(text) is None
    assert public(text)[0] == "document"
    assert_read_alike(text)


# Text near a guard that libyaml still reads, to the same document.
ALIKE = {
    "exclamation mark inside a word": 'a: urgent!\nb: "don\'t page!"\n',
    "question marks in quoted globs": "indexes: [\"prod-?\", 'staging-??']\n",
    "question mark in block context": "a: why?\n? b\n: c?\n",
    "comment after a spaced block header": "a: | # c\n  x #y\n",
    "flow value right before its end": "a: {b: c}\nd: [e: f]\n",
    "every line break": "a: b\rc: d\r\ne: f\x85g: h\u2028i: j\u2029",
}


@needs_libyaml
@pytest.mark.parametrize("text", ALIKE.values(), ids=ALIKE.keys())
def test_text_near_a_guard_is_still_read_by_libyaml(text: str) -> None:
    fast = libyaml_only(text)
    assert fast is not None
    assert fast == pure(text)


# --------------------------------------------------------------------------- positions


@needs_libyaml
def test_positions_after_non_ascii_text_and_every_line_break_are_the_same() -> None:
    # libyaml counts columns in characters, as PyYAML does (the marks' `index` is not used)
    text = (
        "é😀: [ü, 😀x, {k: v}]\r\n"  # line 1
        "b: 'x\x85y'\x85"  # lines 2 and 3: NEL breaks lines, inside quotes too
        'c: "\u2028"\u2028'  # lines 4 and 5: so does LS
        "d: |\r  é\r  😀\r"  # lines 6 to 8: and a lone CR
        "e: 1\u2029f: 2\n"  # lines 9 and 10: and PS
    )
    fast = libyaml_only(text)
    assert fast is not None
    assert fast == pure(text)
    assert fast[2][("é😀", 1)] == (1, 9)
    assert fast[2][("f",)] == (10, 4)


@needs_libyaml
def test_the_longest_simple_key_is_the_same_for_both() -> None:
    for character in ("a", "é", "😀"):
        for length in (1024, 1025):
            assert_read_alike(character * length + ": b\n")


# --------------------------------------------------------------------------- problems


PROBLEMS = {
    "syntax error": "a: [b\n",  # libyaml words it otherwise
    "two documents": "a: b\n---\nc: d\n",
    "undefined alias": "a: *x\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "duplicate key": "a: 1\na: 2\n",  # found after composition
    "key not a string": "? [a]\n: b\n",
    "not a mapping": "[a]\n",
    "empty": "\n",
    "too deep": "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    "alias bomb": "l0: &l0 [x, x]\n"
    + "".join(f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}]\n" for n in range(1, 21)),  # 2**21 x's
}


@needs_libyaml
@pytest.mark.parametrize("text", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_every_problem_is_the_pure_paths(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = pure(text)
    assert expected[0] == "problems"
    used = spy(monkeypatch)
    assert public(text) == expected
    assert used == ["libyaml", "pure"]


@needs_libyaml
def test_a_syntax_error_is_worded_by_the_pure_path() -> None:
    (problem,) = public("a: [b, c\n")[1:]
    assert isinstance(problem, SpecProblem)
    assert "expected ',' or ']'" in problem.message
    assert "did not find expected" not in problem.message  # libyaml's words


@needs_libyaml
def test_the_libyaml_path_composes_with_our_composer_not_libyamls() -> None:
    # libyaml's own composer has no nesting limit and no alias bookkeeping
    deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    loader = yamlsafe._libyaml_loader(deep)
    assert loader is not None
    with pytest.raises(yamlsafe._Refused, match="nested deeper"):
        yamlsafe._compose(deep, loader)
    aliased = "a: &x 1\nb: [*x]\n"
    loader = yamlsafe._libyaml_loader(aliased)
    assert loader is not None
    composer = loader(aliased)
    composer.get_single_node()
    assert composer.first_alias is not None
    assert (composer.first_alias.line, composer.first_alias.column) == (1, 4)


# --------------------------------------------------------------------------- without libyaml


def test_without_libyaml_only_the_pure_path_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    text = fleet_spec(3)
    expected = public(text)
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    used = spy(monkeypatch)
    assert public(text) == expected
    assert used == ["pure"]


@pytest.mark.parametrize("missing", ["module", "name"])
def test_without_the_libyaml_binding_only_the_pure_path_runs(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = fleet_spec(3)
    expected = public(text)
    monkeypatch.setattr(yaml, "__with_libyaml__", True)
    if missing == "module":
        monkeypatch.setitem(sys.modules, "yaml._yaml", None)  # import fails
    elif "yaml._yaml" in sys.modules:
        monkeypatch.delattr(sys.modules["yaml._yaml"], "CParser")
    used = spy(monkeypatch)
    assert public(text) == expected
    assert used == ["pure"]
