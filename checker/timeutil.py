"""Time arithmetic of the rules: API timestamps, UTC formatting and calendar periods.

Everything is UTC. The API sends `...Z` or `...+00:00` with 0, 6 or 9 fractional digits;
comparisons use microseconds, so digits beyond six are dropped (never rounded, which could
move an instant across a boundary).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from checker.model import Frequency

_FRACTION = re.compile(r"(\.\d{6})\d+")


# Instants outside these years are no backup's: refusing them keeps every period step and
# deadline (a year or so either side) inside what a datetime can hold.
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000


def parse_api_time(text: str) -> datetime:
    """Parse an API timestamp into an aware UTC datetime; raise ValueError if it is not one."""
    try:
        # Only a text with a fraction can have digits to drop: skip the regex for the others
        # (this runs for two fields of every row of every history).
        value = datetime.fromisoformat(_drop_extra_digits(text))
        if value.tzinfo is None or "T" not in text:
            raise ValueError(f"not a timestamp with a UTC offset: {text!r}")
        if value.tzinfo is not UTC:  # `Z` and `+00:00` already parse to UTC itself
            value = value.astimezone(UTC)
    except OverflowError as exc:  # an offset pushing 9999-12-31 past the end of time
        raise ValueError(f"timestamp out of range: {text!r}") from exc
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"timestamp out of range ({EARLIEST_YEAR}..{LATEST_YEAR}): {text!r}")
    return value


def _drop_extra_digits(text: str) -> str:
    """The text with its fraction cut to six digits (only a longer one runs the regex)."""
    dot = text.find(".")
    if dot < 0 or len(text) <= dot + 7 or not text[dot + 7].isdigit():
        return text
    return _FRACTION.sub(r"\1", text)


def time_from_run_name(name: str) -> datetime | None:
    """The planned time encoded in a run name `{schedule}-YYYYMMDDTHHMMSSZ`, if it has one."""
    # Runs for every row of every history, hence plain character tests rather than a regex,
    # and the C parser of ISO-8601's basic format for the date itself.
    suffix = name[-16:]
    if (
        len(name) < 17
        or name[-17] != "-"
        or suffix[8] != "T"
        or suffix[15] != "Z"
        or not suffix.isascii()
        or not (suffix[:8].isdigit() and suffix[9:15].isdigit())
    ):
        return None
    try:
        return datetime.fromisoformat(suffix)
    except ValueError:  # a suffix of the right shape that is no real date
        return None


def format_utc(value: datetime) -> str:
    """`2026-04-27T06:00:00Z`: UTC, whole seconds, `Z` suffix (the report format)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_duration(delta: timedelta) -> str:
    """A short human duration such as `3d 4h`, `26h`, `45m` (floored to minutes)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p) or "0m"


def _last_day(year: int, month: int) -> int:
    # Not `calendar.monthrange`, which works out the month's first weekday as well: this
    # runs for every schedule judged, and for every step of a monthly one.
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def is_last_day_of_month(t: datetime) -> bool:
    return t.day == _last_day(t.year, t.month)


def _shift_month(t: datetime, months: int, anchor_day: int) -> datetime:
    """Move `t` by whole calendar months as RULES.md defines the monthly period."""
    day = t.day
    if day == _last_day(t.year, t.month) and anchor_day > day:
        day = anchor_day  # a schedule on the 31st that ran on 30 April returns to the 31st
    index = t.year * 12 + (t.month - 1) + months
    year, month = divmod(index, 12)
    return t.replace(year=year, month=month + 1, day=min(day, _last_day(year, month + 1)))


@dataclass(frozen=True)
class Cadence:
    """A frequency with the day of month its monthly steps aim for (the anchor's day)."""

    frequency: Frequency
    anchor_day: int = 0  # 0: no anchor, a monthly step keeps t's own day

    @property
    def half_period(self) -> timedelta:
        return _HALF_PERIODS[self.frequency]

    def step_forward(self, t: datetime) -> datetime:
        if self.frequency == "monthly":
            return _shift_month(t, 1, self.anchor_day)
        return t + _PERIODS[self.frequency]

    def step_back(self, t: datetime) -> datetime:
        if self.frequency == "monthly":
            return _shift_month(t, -1, self.anchor_day)
        return t - _PERIODS[self.frequency]

    def latest_step_until(self, t: datetime, limit: datetime) -> datetime:
        """The last of `t`'s steps (forward or back) that is not after `limit`.

        Equal to repeating `step_forward` while the next step is not after `limit` (or
        `step_back` while after it) from a slot on the cadence (for monthly: a day that is the
        anchor day, clamped), in constant time, so a far-away anchor costs nothing.
        """
        if self.frequency == "monthly":
            months = (limit.year - t.year) * 12 + (limit.month - t.month)
            candidate = _shift_month(t, months, self.anchor_day)
            return candidate if candidate <= limit else self.step_back(candidate)
        period = _PERIODS[self.frequency]
        return t + period * ((limit - t) // period)


_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
_HALF_PERIODS = {
    "daily": timedelta(hours=12),
    "weekly": timedelta(days=3, hours=12),
    "monthly": timedelta(days=14),
}
