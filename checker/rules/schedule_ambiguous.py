"""schedule-ambiguous: several schedules on the index have the declared name.

What it checks: a declaration without `id` matches schedules by `name`; more than one match
means the spec cannot tell which schedule it describes.

Why it matters: judging one of them at random could hide a broken one. Declare the
`schedule_id` you mean with `id:`; the others then show up as unmanaged. No history rule runs
for an ambiguous declaration.

Parameters: `name`, `id`. `at` is null. `details.schedule_ids` lists the candidates.

Passes:

    schedules:
      - {index: products-prod, name: nightly, id: c688ed12-5a39-4254-9518-bd394b7f4886,
         frequency: daily, retention: {expire_after_days: 7}}

Fails (two schedules named `nightly` exist on the index):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import CONFIG, DeclarationContext, Hit, Rule


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if len(ctx.matches) > 1:
        ids = sorted(s.schedule_id for s in ctx.matches)
        message = (
            f"{len(ids)} schedules on index {ctx.decl.index!r} are named {ctx.decl.name!r}; "
            "declare `id` to pick one"
        )
        yield Hit(None, message, {"schedule_ids": ids})


RULE = Rule(
    id="schedule-ambiguous",
    default_severity="error",
    summary="more than one schedule on the index matches the declared name",
    needs=CONFIG,
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
