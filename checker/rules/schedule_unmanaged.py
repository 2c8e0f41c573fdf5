"""schedule-unmanaged: a schedule exists that no declaration describes.

What it checks: every live schedule on an index that the spec declares, or that matches a
glob of `coverage.indexes`, must be matched by a declaration (by `id`, else by name).
Schedules that an ambiguous declaration matches count as described. `at` is null; the
finding names the actual schedule.

Why it matters: an undeclared schedule is configuration nobody reviews: it may keep data
longer than allowed, or be the only thing that actually backs an index up. Declare it, or
delete it. Its severity is `coverage.unmanaged` (default `warning`); no `coverage` section
is needed for the indexes the spec declares.

Parameters: `coverage.unmanaged`, `coverage.indexes`.

Passes (the index's only schedule is declared):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (someone also created a schedule `hourly-test` on the index):

    coverage: {indexes: ["prod-*"], unmanaged: error}
    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import FleetContext, FleetHit, FleetRule
from checker.rules.coverage import relevant_indexes


def check(ctx: FleetContext) -> Iterator[FleetHit]:
    for index in sorted(relevant_indexes(ctx.spec, ctx.indexes)):
        for schedule in ctx.schedules.get(index, ()):
            if schedule.schedule_id not in ctx.claimed:
                message = (
                    f"schedule {schedule.name!r} ({schedule.schedule_id}) on index {index!r} "
                    "is not declared in the spec"
                )
                yield FleetHit(index, schedule, message)


RULE = FleetRule(
    id="schedule-unmanaged",
    default_severity="warning",
    summary="a schedule exists that no declaration matches",
    check=check,
    doc=__doc__ or "",
)
