"""Faults the emulator can inject, as small frozen values.

`Emulator.add_fault(pattern, fault_or_faults, times=1)` attaches one fault, or several that act
on the same request (e.g. `(Slow(0.5), Status(503))`). Within one request:

- `Slow` delays the answer, whatever else happens;
- `Status`, `Reset`, `Malformed`, `Echo`, `Redirect` and a `BadShape` with a `body` *replace*
  the answer (the first one listed wins); they apply before authentication, like a load
  balancer in front of the API;
- `TokenLoop`, `Overlap` and a `BadShape` with `missing` *modify* the normal answer (which is
  still authenticated and versioned as usual).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The error codes the API uses for each status, for `Status` faults without a body.
ERROR_CODES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    422: "UNPROCESSABLE_ENTITY",
    429: "RESOURCE_EXHAUSTED",
    500: "UNKNOWN",
    501: "INTERNAL",
    502: "SERVICE_UNAVAILABLE",
    503: "SERVICE_UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass(frozen=True)
class Status:
    """Answer with HTTP `code` instead of the real answer.

    `body=None` gives the API's own error shape for that code (plain `Invalid API key` for 401);
    a `str` or `bytes` body is sent as is, anything else as JSON. `retry_after` sets the
    `Retry-After` header verbatim (seconds or an HTTP-date).
    """

    code: int
    body: Any = None
    retry_after: str | None = None


@dataclass(frozen=True)
class Reset:
    """Close the connection without answering, with a TCP reset (SO_LINGER 0)."""


@dataclass(frozen=True)
class Slow:
    """Wait `seconds` before answering (interrupted when the emulator shuts down)."""

    seconds: float


@dataclass(frozen=True)
class Malformed:
    """Answer 200 with a body that is not valid JSON (truncated in the middle of a row)."""

    body: bytes = b'{"data": [{"backup_id": "a1b2c3d4-e5f6-7890-abcd-ef12345'


_OOPS: dict[str, Any] = {"data": "oops"}


@dataclass(frozen=True)
class BadShape:
    """Answer 200 with valid JSON of the wrong shape.

    With `missing`, the normal answer is sent with that field removed from every row (e.g.
    `BadShape(missing="schedule_id")`); otherwise `body` (default `{"data": "oops"}`) replaces it.
    """

    body: Any = None
    missing: str | None = None

    def replacement(self) -> Any:
        return _OOPS if self.body is None else self.body


@dataclass(frozen=True)
class TokenLoop:
    """The answer's `pagination.next` is the request's own token (a fixed offset-0 token on a
    first page), so a client that follows it blindly never ends. Use `times=None` to keep it up."""


@dataclass(frozen=True)
class Overlap:
    """The answer's `pagination.next` points `n` rows back, so rows repeat on the next page.

    Keep `n` below the page size: otherwise the listing makes no progress (which a client
    sees as a repeated token, since tokens encode the offset)."""

    n: int


@dataclass(frozen=True)
class Echo:
    """Answer `code` with the request's own `Api-Key` header in the body: a careless gateway
    that quotes what it refused. JSON in the API's error shape (the key inside the message),
    or with `plain=True` a text/plain body, as the real 401 is. For tests that prove the key
    never reaches any output, whichever error path the answer takes."""

    code: int = 400
    plain: bool = False


@dataclass(frozen=True)
class Redirect:
    """Answer `code` (a 3xx) with `Location: location`; a client must not follow it, since it
    would carry the `Api-Key` header to wherever the location points."""

    location: str
    code: int = 302


Fault = Status | Reset | Slow | Malformed | BadShape | TokenLoop | Overlap | Echo | Redirect
TERMINAL = (Status, Reset, Malformed, Echo, Redirect)


def is_terminal(fault: Fault) -> bool:
    """True for faults that replace the answer rather than delay or modify it."""
    if isinstance(fault, BadShape):
        return fault.missing is None
    return isinstance(fault, TERMINAL)
