"""retention-short: too few restore points exist now, or none reaches back far enough.

What it checks: the backups that exist now (history runs whose `backup_id` is still in the
index's backup list) that are `Ready`. There must be at least `retention.min_ready` of them,
and, when `retention.restore_window` is set, the oldest must be at least that old. One finding
for the schedule; `details.failed` names the limits that failed. `at` is null. Nothing is
checked when neither limit is set.

Why it matters: auditors ask "can you restore to any day of the last week?". Runs that
succeeded once do not answer that; backups that still exist do.

Parameters: `retention.min_ready`, `retention.restore_window`.

Passes (seven Ready backups exist, the oldest 7 days old):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily,
         retention: {expire_after_days: 7, min_ready: 5, restore_window: 6d}}

Fails (only two backups exist after someone deleted the rest):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily,
         retention: {expire_after_days: 7, min_ready: 5, restore_window: 6d}}
"""

from collections.abc import Iterator

from checker.model import SUCCESS_STATUSES, Run
from checker.rules.base import RETENTION, DeclarationContext, Hit, Rule
from checker.timeline import with_status
from checker.timeutil import format_duration


def _failed_limits(ctx: DeclarationContext, ready: list[Run]) -> list[str]:
    retention, failed = ctx.decl.retention, []
    if retention.min_ready is not None and len(ready) < retention.min_ready:
        failed.append(f"{len(ready)} Ready backups exist, at least {retention.min_ready} required")
    window = retention.restore_window
    if window is not None and (not ready or ready[0].planned > ctx.now - window):
        reach = format_duration(ctx.now - ready[0].planned) if ready else "nothing"
        failed.append(f"restore points reach back {reach}, {format_duration(window)} required")
    return failed


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.timeline is None or ctx.backups is None:
        return
    ready = with_status(ctx.existing_runs, SUCCESS_STATUSES)
    failed = _failed_limits(ctx, ready)
    if failed:
        yield Hit(None, "; ".join(failed), {"failed": failed, "ready": len(ready)})


RULE = Rule(
    id="retention-short",
    default_severity="error",
    summary="fewer than min_ready backups exist, or none is as old as restore_window",
    needs=RETENTION,
    check=check,
    doc=__doc__ or "",
)
