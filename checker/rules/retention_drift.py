"""retention-drift: the schedule keeps backups for another number of days than declared.

What it checks: `retention_expire_after_days` of the live schedule equals the declaration's
`retention.expire_after_days`.

Why it matters: shorter retention destroys the restore points an audit or an incident needs;
longer retention costs money and may break a data-deletion promise.

Parameters: `retention.expire_after_days`. `at` is null.

Passes:

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (the live schedule keeps backups for 3 days):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import CONFIG, DeclarationContext, Hit, Rule


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    schedule = ctx.schedule
    declared = ctx.decl.retention.expire_after_days
    if schedule is not None and schedule.retention_expire_after_days != declared:
        actual = schedule.retention_expire_after_days
        message = f"retention is {actual} days, declared {declared} days"
        yield Hit(None, message, {"actual": actual, "declared": declared})


RULE = Rule(
    id="retention-drift",
    default_severity="error",
    summary="actual retention_expire_after_days differs from the declared one",
    needs=CONFIG,
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
