"""missed-run: a due slot in the judged window has no run at all.

What it checks: the slot walk of RULES.md lays the declared frequency over the window
`[max(now - lookback, created_at), now]`, anchored on the schedule's `next_scheduled_run`
(or its latest run). Every slot at least `grace` old must be matched by a run (of any status)
planned within half a period of it. `at` is the slot.

Why it matters: a run that never happened leaves no failed row to alert on; only comparing the
history with the expected cadence shows it. A schedule re-enabled at another time of day is
followed (the walk re-anchors on the runs it finds), and a schedule paused while declared
enabled misses every slot it skipped.

Parameters: `frequency`, `lookback` (30d), `grace` (2h).

Passes (a Ready run for every day of the window):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (no run exists for 2026-04-27T06:00Z although the slot is past its grace):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, grace: 2h,
         retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.timeline is None:
        return
    for slot in ctx.timeline.missed:
        yield Hit(slot, f"no backup ran for the slot planned at {format_utc(slot)}")


RULE = Rule(
    id="missed-run",
    default_severity="error",
    summary="a due slot in the window has no matching run",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
