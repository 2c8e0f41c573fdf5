"""Decoding JSON that comes from outside (API answers, snapshots, reports, baselines).

`json.loads` fails in two ways: ValueError for text that is not JSON (or not UTF-8), and
RecursionError for nesting deeper than the decoder's recursion allows. Callers turn a
ValueError into a clear message; a RecursionError would escape them as an internal error, so
this decoder turns it into a ValueError too.
"""

from __future__ import annotations

import json


def loads(data: bytes | str) -> object:
    """`json.loads(data)`; any input it cannot decode raises ValueError."""
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise ValueError("nested too deeply to decode") from exc
