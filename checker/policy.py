"""Severity overrides, waivers and budgets (RULES.md, "Severity, waivers and budgets").

Applied to one declaration's findings at a time, in this order: severity (`off` drops the
finding), waivers, then `tolerate` budgets on what is left unwaived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from checker.model import (
    FailOn,
    Finding,
    FindingIdentity,
    Severity,
    SeveritySetting,
    Waiver,
    severity_rank,
)


def effective_severity(
    rule: str, default: Severity, *overrides: Mapping[str, SeveritySetting]
) -> SeveritySetting:
    """The default, overridden by each mapping in turn (later ones win)."""
    setting: SeveritySetting = default
    for mapping in overrides:
        setting = mapping.get(rule, setting)
    return setting


def waiver_applies(waiver: Waiver, finding: Finding, now: datetime) -> bool:
    if waiver.rule != finding.rule or now >= waiver.expires:
        return False
    if finding.at is None:
        return waiver.start is None and waiver.until is None
    after_start = waiver.start is None or finding.at >= waiver.start
    before_end = waiver.until is None or finding.at < waiver.until
    return after_start and before_end


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], now: datetime
) -> tuple[list[Finding], frozenset[int]]:
    """Mark findings that a live waiver covers (the first matching waiver gives the reason);
    also return the positions of the waivers that matched something."""
    marked, used = [], set()
    for finding in findings:
        hit = next((i for i, w in enumerate(waivers) if waiver_applies(w, finding, now)), None)
        if hit is None:
            marked.append(finding)
            continue
        used.add(hit)
        marked.append(replace(finding, waived=True, waiver_reason=waivers[hit].reason))
    return marked, frozenset(used)


def _budget_order(finding: Finding) -> tuple[bool, str]:
    """Earliest first, findings with no `at` last."""
    return (finding.at is None, finding.at.isoformat() if finding.at else "")


def apply_budgets(findings: Sequence[Finding], tolerate: Mapping[str, int]) -> list[Finding]:
    """Turn the N earliest unwaived findings of each tolerated rule into notices."""
    demoted: set[int] = set()
    for rule, budget in tolerate.items():
        candidates = [i for i, f in enumerate(findings) if f.rule == rule and not f.waived]
        candidates.sort(key=lambda i: _budget_order(findings[i]))
        demoted.update(candidates[:budget])
    return [replace(f, severity="notice") if i in demoted else f for i, f in enumerate(findings)]


def mark_baseline(
    findings: Iterable[Finding], known: frozenset[FindingIdentity] | None
) -> list[Finding]:
    """With a baseline, tag each finding new or known; known ones no longer fail the run."""
    if known is None:
        return list(findings)
    return [replace(f, baseline="known" if f.identity in known else "new") for f in findings]


def counts_towards_exit(finding: Finding, fail_on: FailOn) -> bool:
    if finding.waived or finding.baseline == "known" or fail_on == "never":
        return False
    return severity_rank(finding.severity) <= severity_rank(fail_on)
