"""schedule-missing: the index exists but has no schedule matching the declaration.

What it checks: a declaration with `id` needs a schedule with that `schedule_id` on the
index; one without `id` needs a schedule with that `name`.

Why it matters: a deleted or renamed schedule silently stops all backups of the index.
No history rule runs for a missing schedule: there is no history to judge.

Parameters: `name`, `id`. `at` is null.

Passes (the index has a schedule named `nightly`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (the schedule was renamed to `daily` in the console):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import CONFIG, DeclarationContext, Hit, Rule


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if ctx.index_exists and not ctx.matches:
        decl = ctx.decl
        wanted = f"id {decl.id!r}" if decl.id else f"name {decl.name!r}"
        yield Hit(None, f"index {decl.index!r} has no backup schedule with {wanted}")


RULE = Rule(
    id="schedule-missing",
    default_severity="error",
    summary="the index exists but no schedule matches the declaration",
    needs=CONFIG,
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
