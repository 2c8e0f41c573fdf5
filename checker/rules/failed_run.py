"""failed-run: a run in the judged window ended in failure.

What it checks: every history row whose planned time lies in the window and whose status is
`InitializationFailed` or `Failed`. `at` is the run's planned time.

Why it matters: a failed run is a restore point you believe you have and do not. It fills its
slot (it is not also a missed run) but is reported on its own.

Parameters: `lookback` (30d).

Passes (every run in the window is `Ready`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (the run planned at 2026-04-28T06:00Z has status `InitializationFailed`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.model import FAILURE_STATUSES
from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.timeline is None:
        return
    for run in ctx.timeline.runs_in_window():
        if run.status in FAILURE_STATUSES:
            message = f"the backup planned at {format_utc(run.planned)} has status {run.status}"
            yield Hit(run.planned, message, {"backup_id": run.backup_id, "status": run.status})


RULE = Rule(
    id="failed-run",
    default_severity="error",
    summary="a run in the window has a failure status",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
