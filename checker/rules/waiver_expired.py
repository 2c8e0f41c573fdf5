"""waiver-expired: a waiver in the spec has expired and no longer applies.

What it checks: every waiver of the declaration whose `expires` is at or before now. `at` is
the waiver's `expires`. It needs no API data, so it runs even when nothing could be read.

Why it matters: waivers are temporary by design; an expired one should be deleted or renewed
on purpose, not left to rot. The findings it used to hide are reported again.

Parameters: `waivers[].expires`.

Passes:

    waivers:
      - {rule: missed-run, reason: "INC-4521 us-east-1 outage", expires: "2099-01-01"}

Fails (at any time after 2026-06-01):

    waivers:
      - {rule: missed-run, reason: "INC-4521 us-east-1 outage", expires: "2026-06-01"}
"""

from collections.abc import Iterator

from checker.rules.base import DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    for waiver in ctx.decl.waivers:
        if waiver.expires <= ctx.now:
            message = (
                f"the waiver for {waiver.rule} ({waiver.reason}) expired at "
                f"{format_utc(waiver.expires)}"
            )
            details = {"waived_rule": waiver.rule, "reason": waiver.reason}
            yield Hit(waiver.expires, message, details, waiver.location)


RULE = Rule(
    id="waiver-expired",
    default_severity="warning",
    summary="a waiver's expires date has passed",
    needs=frozenset(),
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
