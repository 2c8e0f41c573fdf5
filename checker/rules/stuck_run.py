"""stuck-run: a run is still pending long after its planned time.

What it checks: every history row in the window whose status is `Scheduled`, `Initializing`
or `Pending` and whose planned time plus `max_run_duration` is before now. `at` is the run's
planned time. The next planned run, listed ahead of time as `Scheduled` or `Initializing`
with a planned time in the future, is not a problem.

Why it matters: a backup that never finishes protects nothing, and a wedged run can block the
schedule's following runs.

Parameters: `max_run_duration` (6h), `lookback` (30d).

Passes (the only pending row is the next run, planned tomorrow):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (a run planned 2026-04-29T06:00Z is still `Initializing` at 2026-04-30T12:00Z):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, max_run_duration: 6h,
         retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.model import PENDING_STATUSES
from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeutil import format_duration, format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.timeline is None:
        return
    limit = ctx.decl.max_run_duration
    for run in ctx.timeline.runs_in_window():
        if run.status in PENDING_STATUSES and run.planned + limit < ctx.now:
            age = format_duration(ctx.now - run.planned)
            message = (
                f"the backup planned at {format_utc(run.planned)} is still {run.status} "
                f"after {age} (limit {format_duration(limit)})"
            )
            yield Hit(run.planned, message, {"backup_id": run.backup_id, "status": run.status})


RULE = Rule(
    id="stuck-run",
    default_severity="error",
    summary="a run in the window is still pending after max_run_duration",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
