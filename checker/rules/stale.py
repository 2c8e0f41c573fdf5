"""stale: the newest good backup is too old (the recovery point objective is broken).

What it checks: the newest `Ready` run in the whole history. With `max_age`, it fails when
`now > last + max_age`; without, when `now > step_forward(last) + grace + max_run_duration`
(the next run should have finished by then). With no good backup at all, it fails once
`now > step_forward(window start) + grace + max_run_duration`. `at` is the newest good
backup's planned time, or null when there is none.

Why it matters: this is the number an incident asks first: how much data would we lose now?

Parameters: `max_age` (RPO), `frequency`, `grace` (2h), `max_run_duration` (6h).

Passes (last Ready backup 6h ago):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_age: 30h,
         retention: {expire_after_days: 7}}

Fails (last Ready backup 3 days ago):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_age: 30h,
         retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator
from datetime import datetime

from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeline import Timeline
from checker.timeutil import format_duration, format_utc


def _deadline(ctx: DeclarationContext, timeline: Timeline, last: datetime | None) -> datetime:
    if last is not None and ctx.decl.max_age is not None:
        return last + ctx.decl.max_age
    base = last if last is not None else timeline.window_start
    return timeline.cadence.step_forward(base) + ctx.decl.grace + ctx.decl.max_run_duration


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    timeline = ctx.timeline
    if timeline is None:
        return
    last = timeline.last_success
    if ctx.now <= _deadline(ctx, timeline, last):
        return
    if last is None:
        yield Hit(None, "no good backup exists in the schedule's history")
    else:
        age = format_duration(ctx.now - last)
        yield Hit(last, f"the newest good backup, planned at {format_utc(last)}, is {age} old")


RULE = Rule(
    id="stale",
    default_severity="error",
    summary="the newest good backup is older than max_age (or one period and its slack)",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
