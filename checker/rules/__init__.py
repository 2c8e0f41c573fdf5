"""The rule registry: every rule id, in catalogue order, mapped to its implementation.

The registry is literal on purpose: adding a rule means adding one line here, and a test
checks that every rule is registered, documented, in the spec schema's rule-id enum and
covered by passing and failing cases.
"""

from collections.abc import Mapping

from checker.rules import (
    enabled_drift,
    failed_run,
    frequency_drift,
    gap,
    index_missing,
    index_uncovered,
    missed_run,
    retention_drift,
    retention_overdue,
    retention_short,
    schedule_ambiguous,
    schedule_missing,
    schedule_unmanaged,
    scheduler_stalled,
    size_drop,
    stale,
    stuck_run,
    unknown_status,
    waiver_expired,
)
from checker.rules.base import FleetRule, Rule

DECLARATION_RULES: Mapping[str, Rule] = {
    rule.id: rule
    for rule in (
        index_missing.RULE,
        schedule_missing.RULE,
        schedule_ambiguous.RULE,
        frequency_drift.RULE,
        retention_drift.RULE,
        enabled_drift.RULE,
        missed_run.RULE,
        failed_run.RULE,
        stuck_run.RULE,
        unknown_status.RULE,
        gap.RULE,
        stale.RULE,
        scheduler_stalled.RULE,
        size_drop.RULE,
        retention_short.RULE,
        retention_overdue.RULE,
        waiver_expired.RULE,
    )
}

FLEET_RULES: Mapping[str, FleetRule] = {
    rule.id: rule for rule in (schedule_unmanaged.RULE, index_uncovered.RULE)
}

ALL_RULES: Mapping[str, Rule | FleetRule] = {**DECLARATION_RULES, **FLEET_RULES}

__all__ = ["ALL_RULES", "DECLARATION_RULES", "FLEET_RULES", "FleetRule", "Rule"]
