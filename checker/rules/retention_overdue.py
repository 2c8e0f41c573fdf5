"""retention-overdue: a backup still exists long after it should have expired.

What it checks: every backup that exists now (a history run whose `backup_id` is still in the
index's backup list) whose planned time is older than
`now - retention.expire_after_days - grace`. `at` is that backup's planned time.

Why it matters: retention that is not enforced costs money and can break a promise to delete
data (GDPR erasure, contractual limits).

Parameters: `retention.expire_after_days`, `grace` (2h).

Passes (the oldest existing backup is 6 days old, retention 7 days):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (a 12-day-old backup still exists with retention 7 days):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator
from datetime import timedelta

from checker.rules.base import RETENTION, DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    days = ctx.decl.retention.expire_after_days
    limit = ctx.now - timedelta(days=days) - ctx.decl.grace
    for run in ctx.existing_runs:
        if run.planned < limit:
            message = (
                f"the backup planned at {format_utc(run.planned)} still exists, "
                f"past its {days}-day retention"
            )
            yield Hit(run.planned, message, {"backup_id": run.backup_id})


RULE = Rule(
    id="retention-overdue",
    default_severity="warning",
    summary="an existing backup is older than the retention period",
    needs=RETENTION,
    check=check,
    doc=__doc__ or "",
)
