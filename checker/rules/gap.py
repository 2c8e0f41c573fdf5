"""gap: two consecutive good backups are too far apart.

What it checks: take the successful (`Ready`) runs sorted by planned time; for each
consecutive pair `r1 < r2` where `r2` lies in the window (`r1` may lie before it), the
distance must not exceed `max_gap`. Without `max_gap` the limit is one period plus `grace`:
`r2 <= step_forward(r1) + grace`. `at` is `r1`, the last good backup before the gap.

Why it matters: the gap is the data you would have lost had the index died just before `r2`.
Failed and missed runs explain a gap; this rule measures its cost.

Parameters: `max_gap` (default: one period plus `grace`), `frequency`, `grace`.

Passes (a Ready backup every day):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_gap: 26h,
         retention: {expire_after_days: 7}}

Fails (Ready backups on 2026-04-25 and 2026-04-28 only, 72h apart):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_gap: 26h,
         retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator
from datetime import datetime

from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeline import Timeline
from checker.timeutil import format_duration, format_utc


def _too_far(ctx: DeclarationContext, timeline: Timeline, r1: datetime, r2: datetime) -> bool:
    if ctx.decl.max_gap is not None:
        return r2 - r1 > ctx.decl.max_gap
    return r2 > timeline.cadence.step_forward(r1) + ctx.decl.grace


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    timeline = ctx.timeline
    if timeline is None:
        return
    for before, after in timeline.successive_successes():
        r1, r2 = before.planned, after.planned
        if _too_far(ctx, timeline, r1, r2):
            message = (
                f"no good backup for {format_duration(r2 - r1)} between {format_utc(r1)} "
                f"and {format_utc(r2)}"
            )
            yield Hit(r1, message, {"from": r1, "to": r2})


RULE = Rule(
    id="gap",
    default_severity="error",
    summary="two consecutive good backups are further apart than max_gap",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
