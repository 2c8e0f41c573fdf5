"""Which live schedules a declaration describes (RULES.md, "Configuration drift")."""

from collections.abc import Sequence

from checker.model import Declaration, Missing, Schedule


def matching_schedules(decl: Declaration, schedules: Sequence[Schedule]) -> tuple[Schedule, ...]:
    """By `id` alone when the declaration pins one (its name may differ), else by name."""
    if decl.id is not None:
        return tuple(s for s in schedules if s.schedule_id == decl.id)
    return tuple(s for s in schedules if s.name == decl.name)


def judged_schedule(decl: Declaration, listing: Sequence[Schedule] | Missing) -> Schedule | None:
    """The schedule whose history the declaration judges: declared enabled, matched once."""
    if isinstance(listing, Missing) or not decl.enabled:
        return None
    matches = matching_schedules(decl, listing)
    return matches[0] if len(matches) == 1 else None
