"""Find the JSON Schemas that ship with backup-drift, installed or in a source checkout.

An installed wheel carries `schemas/` as the package `checker.schemas` (see pyproject.toml),
so `importlib.resources` finds the files even inside a zip. A plain source checkout run
without installing has no `checker.schemas` package, only the `schemas/` folder beside
`checker/`, so that is the fallback.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import checker


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema `name` (e.g. "schedules.schema.json"); cached, so do not mutate it."""
    loaded: dict[str, Any] = json.loads(_schema_file(name).read_text(encoding="utf-8"))
    return loaded


def _schema_file(name: str) -> Traversable:
    source_tree = Path(checker.__file__).parent.parent / "schemas" / name
    try:
        packaged = resources.files("checker.schemas") / name
    except ModuleNotFoundError:
        return source_tree
    return packaged if packaged.is_file() else source_tree
