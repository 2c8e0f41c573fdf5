"""size-drop: a good backup is much smaller than the one before it.

What it checks: each `Ready` run in the window against the previous `Ready` run (which may lie
before the window): its `record_count` must not fall below `(1 - max_shrink)` times the
previous one. When either record count is null, `size_bytes` is compared the same way; when
those are null too, nothing is compared. `at` is the smaller run's planned time.

Why it matters: a backup of a half-empty index is a successful backup of the wrong data,
after a bad deploy or an accidental bulk delete. Restoring it would not bring the data back.

Parameters: `max_shrink` (50%).

Passes (1,000,000 records, then 990,000):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_shrink: 50%,
         retention: {expire_after_days: 7}}

Fails (1,000,000 records, then 120,000):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_shrink: 50%,
         retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.model import Run
from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def _measures(previous: Run, current: Run) -> tuple[str, int, int] | None:
    """The first measure both runs carry: records, else bytes."""
    if previous.record_count is not None and current.record_count is not None:
        return "records", previous.record_count, current.record_count
    if previous.size_bytes is not None and current.size_bytes is not None:
        return "bytes", previous.size_bytes, current.size_bytes
    return None


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.timeline is None:
        return
    keep = (100 - ctx.decl.max_shrink) / 100
    for before, after in ctx.timeline.successive_successes():
        measures = _measures(before, after)
        if measures is None:
            continue
        unit, old, new = measures
        if new < keep * old:
            message = (
                f"the backup planned at {format_utc(after.planned)} holds {new:,} {unit}, "
                f"down from {old:,} (more than {ctx.decl.max_shrink}% smaller)"
            )
            yield Hit(after.planned, message, {"unit": unit, "previous": old, "current": new})


RULE = Rule(
    id="size-drop",
    default_severity="warning",
    summary="a good backup is much smaller than the previous one",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
