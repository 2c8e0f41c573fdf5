"""`--baseline REPORT.json`: the findings of an earlier run, so a gate fails only on new ones.

A finding's identity is (rule, index, schedule, at): stable across runs for the same event,
independent of wording, severity or waivers. The baseline is an earlier JSON report of this
tool (format_version 1); anything else is refused with a clear message (exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from checker import jsonsafe
from checker.errors import UsageError
from checker.model import FindingIdentity


def _identity(finding: object, position: int) -> FindingIdentity:
    if not isinstance(finding, Mapping):
        raise ValueError(f"findings[{position}] is not an object")
    rule, index, schedule, at = (finding.get(k) for k in ("rule", "index", "schedule", "at"))
    if not isinstance(rule, str) or not isinstance(index, str):
        raise ValueError(f"findings[{position}] lacks a string 'rule' or 'index'")
    if not isinstance(schedule, str | None) or not isinstance(at, str | None):
        raise ValueError(f"findings[{position}] has a 'schedule' or 'at' that is not a string")
    return (rule, index, schedule, at)


def identities(document: object) -> frozenset[FindingIdentity]:
    """The finding identities of a parsed JSON report; ValueError when it is not one."""
    if not isinstance(document, Mapping) or document.get("format_version") != 1:
        raise ValueError("not a backup-drift JSON report (format_version 1)")
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise ValueError("'findings' is not a list")
    return frozenset(_identity(f, i) for i, f in enumerate(findings))


def load_baseline(path: Path) -> frozenset[FindingIdentity]:
    try:
        return identities(jsonsafe.loads(path.read_bytes()))
    except OSError as exc:
        raise UsageError(f"--baseline {path}: cannot read it ({exc.strerror or exc})") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
        raise UsageError(f"--baseline {path}: {exc}") from exc
