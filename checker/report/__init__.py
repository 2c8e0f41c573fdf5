"""Report formats: each a pure function from a `Report` to text, named in one literal registry.

The registry is the single list of formats: the CLI builds its `--format` choices from it, and a
test checks that it holds exactly the formats the CONTRACT names, so a format cannot be added
in one place and forgotten in another. `auto` is not a format but a CLI choice between two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from checker.errors import UsageError
from checker.model import Report
from checker.report import github, json_report, junit, markdown, prometheus, sarif
from checker.report.text import render_text

RENDERERS: Mapping[str, Callable[[Report], str]] = MappingProxyType(
    {
        "text": render_text,  # colourless; the CLI calls render_text(color=...) itself
        "json": json_report.render,
        "github": github.render,
        "markdown": markdown.render,
        "junit": junit.render,
        "sarif": sarif.render,
        "prometheus": prometheus.render,
    }
)

__all__ = ["RENDERERS", "render", "render_text"]


def render(report: Report, fmt: str) -> str:
    """`report` in format `fmt`; an unknown name is the user's mistake (exit 2), not a crash."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        choices = ", ".join(RENDERERS)
        raise UsageError(f"unknown report format {fmt!r}; choose one of: {choices}")
    return renderer(report)
