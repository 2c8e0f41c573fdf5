"""index-missing: the declared index does not exist in the project.

What it checks: the index named by a declaration's `index` is in `GET /indexes`.

Why it matters: a schedule cannot protect an index that is gone or was never created under
that name; a typo in the spec or a deleted production index both need a human.

Parameters: none. `at` is null (the finding is about the present configuration).

Passes (the project has an index `products-prod`):

    schedules:
      - {index: products-prod, name: nightly, frequency: daily, retention: {expire_after_days: 7}}

Fails (no index of that name):

    schedules:
      - {index: products-prd, name: nightly, frequency: daily, retention: {expire_after_days: 7}}
"""

from collections.abc import Iterator

from checker.rules.base import DeclarationContext, Hit, Rule


def check(ctx: DeclarationContext) -> Iterator[Hit]:
    if not ctx.index_exists:
        yield Hit(None, f"index {ctx.decl.index!r} does not exist in the project")


RULE = Rule(
    id="index-missing",
    default_severity="error",
    summary="the declared index does not exist",
    needs=frozenset({"indexes"}),
    check=check,
    doc=__doc__ or "",
    for_disabled=True,
)
