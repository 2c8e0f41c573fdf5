"""`python -m checker.ci_outputs REPORT.json`: step outputs (`name=value` lines) for action.yml.

Prints the summary counts of a JSON report as GitHub Actions outputs; prints nothing when the
report is missing or unreadable (exit 2 writes no report), so the action never fails here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from checker import jsonsafe

OUTPUTS = {"errors": "error", "warnings": "warning", "notices": "notice", "unknown": "unknown"}


def output_lines(document: object) -> list[str]:
    summary = document.get("summary") if isinstance(document, Mapping) else None
    if not isinstance(summary, Mapping):
        return []
    return [
        f"{name}={summary[key]}"
        for name, key in OUTPUTS.items()
        if isinstance(summary.get(key), int)
    ]


def main(argv: list[str]) -> int:
    try:
        with open(argv[1], "rb") as report:
            document = jsonsafe.loads(report.read())
    except (IndexError, OSError, ValueError):
        return 0
    for line in output_lines(document):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
