"""unknown-status: a run in the window has a status this tool does not know.

What it checks: every history row in the window whose status is none of `Ready`,
`InitializationFailed`, `Failed`, `Scheduled`, `Initializing`, `Pending`. `at` is the run's
planned time. Such a run fills its slot but never counts as a success.

Why it matters: a new status (say `Expired` or `Degraded`) may mean the backup is unusable;
the tool refuses to guess and asks a human to look.

Parameters: `lookback` (30d).

Passes (every run is `Ready`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (a run in the window reports status `Quarantined`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.model import KNOWN_STATUSES
from checker.rules.base import HISTORY, DeclarationContext, Hit, Rule
from checker.timeutil import format_utc


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.timeline is None:
        return
    for run in ctx.timeline.runs_in_window():
        if run.status not in KNOWN_STATUSES:
            message = (
                f"the backup planned at {format_utc(run.planned)} has unknown status {run.status!r}"
            )
            yield Hit(run.planned, message, {"backup_id": run.backup_id, "status": run.status})


RULE = Rule(
    id="unknown-status",
    default_severity="warning",
    summary="a run in the window has a status of no known class",
    needs=HISTORY,
    check=check,
    doc=__doc__ or "",
)
