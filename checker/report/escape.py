"""Make untrusted strings inert before a report shows them.

Index names, schedule names, error texts and messages come from the Pinecone API or from the
spec, so a hostile or broken value can carry terminal escape sequences (recolour the screen,
rewrite the window title, move the cursor to hide a FAIL), carriage returns that overwrite a
line, newlines that forge extra report lines, or invisible bidi overrides that make one name
read as another. Each report format escapes for its own medium; this module holds the one for
terminals, and later formats (Markdown, GitHub annotations, XML) sit beside it with theirs,
sharing `is_unsafe`, the one definition of a character that must never be shown raw.

A terminal is often a CI log, and GitHub's runner still obeys its legacy `##[command]data`
workflow commands *anywhere* in a line that is not a `::command::` line (`##[add-mask]`,
`##[set-output ...]`, `##[stop-commands]` ...), so terminal text never holds `##[` either.
"""

from __future__ import annotations

import unicodedata

MAX_CHARS = 300
"""Longest escaped string a terminal report shows; longer ones end in `ELLIPSIS`."""

ELLIPSIS = "…"

RUNNER_COMMAND_ESCAPE = "\\x5b"
"""How terminal text shows the `[` of `##[`: GitHub's runner would read `##[name]data` as a
workflow command anywhere in a log line."""

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls (C0, DEL, C1), invisible format characters (bidi overrides, zero-width spaces),
lone surrogates (which cannot even be encoded to UTF-8), and the Unicode line/paragraph
separators that some terminals and editors treat as newlines."""


def terminal_safe(s: str, *, limit: int = MAX_CHARS) -> str:
    """Return `s` with every unsafe character shown as a Python-style escape such as `\\x1b`.

    The result is at most `limit` characters long, so one absurd value cannot flood a
    terminal; when cut, it ends in `ELLIPSIS`, and never in the middle of an escape. The walk
    stops at the limit, so a multi-megabyte value costs no more than a short one.
    """
    pieces: list[str] = []
    width = 0
    for position, ch in enumerate(s):
        piece = _escape_char(ch)
        if ch == "[" and s[position - 2 : position] == "##":
            piece = RUNNER_COMMAND_ESCAPE  # `##[` would be a workflow command in a CI log
        width += len(piece)
        if width > limit:
            return _cut(pieces, width - len(piece), limit)
        pieces.append(piece)
    return "".join(pieces)


def _escape_char(ch: str) -> str:
    """One character as it may appear on a terminal: itself, or a visible escape."""
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return named
    if not is_unsafe(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def is_unsafe(ch: str) -> bool:
    """Whether `ch` must never reach a reader raw, in any format: see `_UNSAFE_CATEGORIES`."""
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _cut(pieces: list[str], width: int, limit: int) -> str:
    """Drop whole pieces from the end until the ellipsis fits within `limit`."""
    while pieces and width + len(ELLIPSIS) > limit:
        width -= len(pieces.pop())
    return "".join(pieces) + ELLIPSIS


# --------------------------------------------------------------------------- GitHub Actions

_GITHUB_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_GITHUB_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def github_data(s: str, *, limit: int = MAX_CHARS) -> str:
    """`s` as the message (data) part of a `::error ...::data` workflow command.

    The Actions runner reads one command per output line and un-escapes `%0D`, `%0A` and `%25`
    in the data, so escaping exactly those keeps a hostile value on its own line (it cannot
    start a new `::set-output` or `::error` command) and lets it read back unchanged. Other
    unsafe characters (see `is_unsafe`) are removed first, as the log would show them raw; a
    tab becomes a space. At most `limit` characters survive, cut before escaping so that an
    escape is never split.
    """
    return _log_safe(s, limit).translate(_GITHUB_DATA)


def github_property(s: str, *, limit: int = MAX_CHARS) -> str:
    """`s` as a property value (`file=`, `title=`) of a workflow command.

    Like `github_data`, plus `:` and `,`: the runner splits properties on `,` and ends them at
    the first `::`, so either character raw would cut the value short or forge a property.
    """
    return _log_safe(s, limit).translate(_GITHUB_PROPERTY)


def _log_safe(s: str, limit: int) -> str:
    """`s` without the characters a CI log must not hold raw, at most `limit` characters long.

    CR and LF stay (the workflow-command escapes turn them into `%0D`/`%0A`); a tab becomes a
    space; every other unsafe character is dropped. The walk stops at the limit, so a huge
    value costs no more than a short one.
    """
    kept: list[str] = []
    for ch in s:
        if ch in "\r\n" or not is_unsafe(ch):
            kept.append(ch)
        elif ch == "\t":
            kept.append(" ")
        if len(kept) > limit:
            return "".join(kept[: limit - len(ELLIPSIS)]) + ELLIPSIS
    return "".join(kept)


# --------------------------------------------------------------------------- Markdown

_MARKDOWN_PUNCTUATION = "\\`*_{}[]()#+-.!|~$@"
_MARKDOWN = str.maketrans(
    {ch: "\\" + ch for ch in _MARKDOWN_PUNCTUATION} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def markdown_text(s: str, *, limit: int = MAX_CHARS) -> str:
    """`s` as literal text inside GitHub-flavoured Markdown, table cells and headings included.

    Unsafe characters first become visible escapes exactly as `terminal_safe` shows them (a
    newline reads `\\n`), so a value can never end a table row or a heading. Then every ASCII
    punctuation mark that Markdown could read as syntax gets a backslash: emphasis, links,
    headings, lists, code spans, strikethrough, `$` math and `@` mentions; `|` as `\\|` is the
    escape GitHub's table parser itself honours. `&`, `<` and `>` become entities, so no value
    can open an HTML tag or spell an entity, even inside a raw HTML block where backslash
    escapes do not apply. Cut at `limit` characters like `terminal_safe`.
    """
    shown = s if len(s) <= limit and s.isprintable() else terminal_safe(s, limit=limit)
    return shown.translate(_MARKDOWN)


# --------------------------------------------------------------------------- XML and Prometheus

_XML_KEPT = frozenset("\t\n")
_XML_NONCHARACTERS = frozenset("\ufffe\uffff")


def xml_safe(s: str) -> str:
    """Return `s` with every character an XML report must not hold raw shown as a visible escape.

    XML 1.0 forbids C0 controls other than TAB, LF and CR, U+FFFE/U+FFFF and lone surrogates:
    one of them in a schedule name would make the whole JUnit file unparsable, and CI would lose
    every verdict in it. CR is legal but parsers turn it into LF, and the rest of `is_unsafe`
    (DEL, C1, bidi overrides) is legal but deceives whoever reads the file, so those are shown
    as escapes too. TAB and LF stay: they are how multi-line messages read. Nothing is cut.
    """
    return "".join(_xml_char(ch) for ch in s)


def _xml_char(ch: str) -> str:
    if ch in _XML_KEPT:
        return ch
    if ch in _XML_NONCHARACTERS:  # not `is_unsafe`, so `_escape_char` would keep them
        return f"\\u{ord(ch):04x}"
    return _escape_char(ch) if is_unsafe(ch) else ch


_PROMETHEUS_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n"}


def prometheus_label_value(s: str) -> str:
    """Return `s` as the inside of a quoted label value of the Prometheus text format.

    The exposition format escapes only backslash, double quote and LF; any other control or
    invisible character is dropped, because node_exporter rejects a textfile that is not valid
    UTF-8 (a lone surrogate) and a dashboard would show the rest as garbage or hide it.
    """
    kept = (ch for ch in s if ch == "\n" or not is_unsafe(ch))
    return "".join(_PROMETHEUS_ESCAPES.get(ch, ch) for ch in kept)
