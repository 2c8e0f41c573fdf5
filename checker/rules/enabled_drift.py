"""enabled-drift: the schedule is paused when it should run, or runs when it should be paused.

What it checks: `enabled` of the live schedule equals the declaration's `enabled`
(default `true`).

Why it matters: a schedule paused during an incident and never resumed is the classic way to
lose weeks of backups. A schedule declared enabled but paused keeps being judged: the slots it
skipped while paused are reported as missed runs as well.

Parameters: `enabled`. `at` is null.

Passes:

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (someone paused the schedule):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import CONFIG, DeclarationContext, Hit, Rule


def _word(enabled: bool) -> str:
    return "enabled" if enabled else "disabled"


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    schedule = ctx.schedule
    if schedule is not None and schedule.enabled != ctx.decl.enabled:
        message = f"schedule is {_word(schedule.enabled)}, declared {_word(ctx.decl.enabled)}"
        yield Hit(None, message, {"actual": schedule.enabled, "declared": ctx.decl.enabled})


RULE = Rule(
    id="enabled-drift",
    default_severity="error",
    summary="actual enabled state differs from the declared one",
    needs=CONFIG,
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
