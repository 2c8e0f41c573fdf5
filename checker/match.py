"""Which live schedules a declaration describes (RULES.md, "Configuration drift")."""

from collections.abc import Sequence

from checker.model import Declaration, Schedule


def matching_schedules(decl: Declaration, schedules: Sequence[Schedule]) -> tuple[Schedule, ...]:
    """By `id` alone when the declaration pins one (its name may differ), else by name."""
    if decl.id is not None:
        return tuple(s for s in schedules if s.schedule_id == decl.id)
    return tuple(s for s in schedules if s.name == decl.name)
