"""Make untrusted strings inert before a report shows them.

Index names, schedule names, error texts and messages come from the Pinecone API or from the
spec, so a hostile or broken value can carry terminal escape sequences (recolour the screen,
rewrite the window title, move the cursor to hide a FAIL), carriage returns that overwrite a
line, newlines that forge extra report lines, or invisible bidi overrides that make one name
read as another. Each report format escapes for its own medium; this module holds the one for
terminals, and later formats (Markdown, GitHub annotations, XML) sit beside it with theirs,
sharing `is_unsafe`, the one definition of a character that must never be shown raw.
"""

from __future__ import annotations

import unicodedata

MAX_CHARS = 300
"""Longest escaped string a terminal report shows; longer ones end in `ELLIPSIS`."""

ELLIPSIS = "…"

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
    for ch in s:
        piece = _escape_char(ch)
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
