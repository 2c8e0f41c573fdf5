"""frequency-drift: the schedule's actual frequency differs from the declared one.

What it checks: `frequency` of the live schedule equals the declaration's `frequency`.

Why it matters: a daily schedule switched to weekly quietly multiplies the data you can lose
by seven. The history is still judged against the declared frequency, so the slots the actual
schedule skips show up as missed runs too.

Parameters: `frequency`. `at` is null.

Passes:

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (the live schedule is `weekly`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import CONFIG, DeclarationContext, Hit, Rule


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    schedule = ctx.schedule
    if schedule is not None and schedule.frequency != ctx.decl.frequency:
        message = f"frequency is {schedule.frequency!r}, declared {ctx.decl.frequency!r}"
        yield Hit(None, message, {"actual": schedule.frequency, "declared": ctx.decl.frequency})


RULE = Rule(
    id="frequency-drift",
    default_severity="error",
    summary="the actual frequency differs from the declared one",
    needs=CONFIG,
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
