"""index-uncovered: an index that coverage says must be backed up has no declared schedule.

What it checks: every schedulable index (serverless or BYOC; pod indexes cannot have
schedules and are never flagged) whose name matches a glob of `coverage.indexes` must appear
as `index` in at least one declaration. `at` and `schedule` are null.

Why it matters: new production indexes appear all the time; coverage turns "we back up
prod" from a habit into a check.

Parameters: `coverage.indexes` (globs: `*`, `?`, `[abc]`).

Passes:

    coverage: {indexes: ["prod-*"]}
    schedules:
      - {index: prod-search, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (the project also has a serverless index `prod-recs`):

    coverage: {indexes: ["prod-*"]}
    schedules:
      - {index: prod-search, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import FleetContext, FleetHit, FleetRule
from checker.rules.coverage import covered_indexes


def check(ctx: FleetContext) -> Iterator[FleetHit]:
    declared = {decl.index for decl in ctx.spec.schedules}
    for index in sorted(covered_indexes(ctx.spec, ctx.indexes) - declared):
        message = f"index {index!r} matches coverage but no schedule is declared for it"
        yield FleetHit(index, None, message)


RULE = FleetRule(
    id="index-uncovered",
    default_severity="error",
    summary="a schedulable index matching coverage.indexes has no declared schedule",
    check=check,
    doc=__doc__ or "",
)
