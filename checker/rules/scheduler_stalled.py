"""scheduler-stalled: an enabled schedule has no upcoming run, or its next run is overdue.

What it checks: when the live schedule is enabled, `next_scheduled_run` must be set and not
earlier than `now - grace`. `at` is `next_scheduled_run`, or null when it is missing.

Why it matters: a scheduler that stopped advancing produces no rows at all, failed or
otherwise; this rule sees it even before a slot is missed. It needs only the schedule object,
so it still runs when the history could not be read.

Parameters: `grace` (2h).

Passes (`next_scheduled_run` is tomorrow 06:00Z):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (`next_scheduled_run` is three days in the past):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import CONFIG, DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    schedule = ctx.schedule
    if schedule is None or not schedule.enabled:
        return
    upcoming = schedule.next_scheduled_run
    if upcoming is None:
        yield Hit(None, "the schedule is enabled but has no next scheduled run")
    elif upcoming < ctx.now - ctx.decl.grace:
        yield Hit(upcoming, f"the next scheduled run, {format_utc(upcoming)}, is in the past")


RULE = Rule(
    id="scheduler-stalled",
    default_severity="error",
    summary="an enabled schedule's next run is missing or in the past",
    needs=CONFIG,
    check=check,
    doc=__doc__ or "",
)
