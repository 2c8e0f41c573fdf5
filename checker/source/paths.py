"""Request paths of the four listings the checker reads, built so no name can escape its segment."""

from urllib.parse import quote


def quote_segment(value: str) -> str:
    """Percent-encode one path segment (an index name, a schedule id).

    A hostile name such as `../backups` or `a/b?x=1` stays inside its segment; `.` and `..`
    are encoded too, because HTTP stacks resolve them even when percent-free.
    """
    if not value:
        raise ValueError("a path segment cannot be empty")
    quoted = quote(value, safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


INDEXES = "/indexes"


def schedules_path(index: str) -> str:
    return f"/indexes/{quote_segment(index)}/backup-schedules"


def history_path(schedule_id: str) -> str:
    return f"/backup-schedules/{quote_segment(schedule_id)}/history"


def backups_path(index: str) -> str:
    return f"/indexes/{quote_segment(index)}/backups"
