"""How many requests one client may have on the wire: fewer when the API says "too many".

The fetch pool bounds how many listings are read at once, but Pinecone rate-limits the whole
project: when it answers 429, every thread of the client is part of the cause, not only the one
that got the answer. So the client slows down as a whole, in two ways:

- **Adaptive concurrency (AIMD, as TCP does it).** A 429 halves the number of requests
  allowed in flight (never below 1); each run of `limit` successes in a row adds one back, up
  to `max_in_flight`. One halving per round: a 429 to a request sent before the last halving
  is the congestion already answered, not news; without this, the burst of 429s that answers
  16 requests already in flight would cut 16 straight to 1.
- **A shared pause.** A `Retry-After` holds every thread's next request until it has elapsed,
  since the server asked the client, not one request, to wait.

A slot is held only while a request is on the wire, never during a backoff, so one listing's
retries never hold up the others; and every wait is bounded by the caller's budget (the
client's remaining deadline), after which the caller gives up instead of waiting. No thread
sleeps with the lock held: waiting for a slot uses the condition variable (whose `wait`
releases the lock), and waiting out a pause sleeps outside it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Permit:
    """One request's slot; `epoch` is the round it was sent in (see `AdaptiveLimiter.release`)."""

    epoch: int


class AdaptiveLimiter:
    """Slots for requests in flight, shrunk by 429s and shared `Retry-After` pauses.

    Thread-safe. `clock` and `sleep` are injected (the client's own), so that tests can run the
    pauses on fake time.
    """

    def __init__(
        self, max_in_flight: int, *, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.max_in_flight = max_in_flight
        self._clock, self._sleep = clock, sleep
        self._cond = threading.Condition()
        self._limit = max_in_flight
        self._in_flight = 0
        self._streak = 0  # successes since the limit last changed
        self._epoch = 0  # bumped by each halving
        self._resume_at = -math.inf  # on `clock`: no request is sent before this
        self._lowest = max_in_flight

    # ----------------------------------------------------------------- what tests look at

    @property
    def limit(self) -> int:
        """Requests currently allowed in flight."""
        with self._cond:
            return self._limit

    @property
    def lowest(self) -> int:
        """The lowest `limit` so far: how far a 429 storm pushed the client back."""
        with self._cond:
            return self._lowest

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    def pause_left(self) -> float:
        """Seconds until a shared pause ends (0 when there is none)."""
        with self._cond:
            return self._pause_left()

    # ----------------------------------------------------------------- the protocol

    def acquire(self, budget: float) -> Permit | None:
        """A slot for one request, after any pause and once one is free; None if that would take
        `budget` seconds or more (then the caller gives up rather than overstay its deadline)."""
        end = self._clock() + budget
        while (left := end - self._clock()) > 0:
            pause = self.pause_left()
            if pause >= left:
                return None
            if pause > 0:
                self._sleep(pause)  # without the lock: the others may release meanwhile
                continue
            permit = self._take_or_wait(left)
            if permit is not None:
                return permit
        return None

    def release(
        self,
        permit: Permit,
        *,
        ok: bool = False,
        throttled: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Give the slot back, telling how the request went: `ok` (a success, counts towards
        one more slot), `throttled` (a 429: halve, once per round), or neither (an error that
        says nothing about load). A `retry_after` pauses every thread that long."""
        with self._cond:
            self._in_flight -= 1
            if throttled:
                self._shrink(permit)
            elif ok:
                self._grow()
            if retry_after is not None and retry_after > 0:
                self._resume_at = max(self._resume_at, self._clock() + retry_after)
            self._cond.notify_all()

    # ----------------------------------------------------------------- under the lock

    def _take_or_wait(self, left: float) -> Permit | None:
        """A slot if one is free and no pause has begun; otherwise wait (the lock released) at
        most `left` seconds for a change, and return None so that the caller looks again."""
        with self._cond:
            if self._pause_left() > 0:
                return None
            if self._in_flight < self._limit:
                self._in_flight += 1
                return Permit(self._epoch)
            self._cond.wait(left)
            return None

    def _pause_left(self) -> float:
        return max(0.0, self._resume_at - self._clock())

    def _shrink(self, permit: Permit) -> None:
        self._streak = 0
        if permit.epoch != self._epoch:
            return  # sent before the last halving: that congestion was already answered
        self._limit = max(1, self._limit // 2)
        self._lowest = min(self._lowest, self._limit)
        self._epoch += 1

    def _grow(self) -> None:
        if self._limit >= self.max_in_flight:
            return
        self._streak += 1
        if self._streak >= self._limit:
            self._limit += 1
            self._streak = 0


__all__ = ["AdaptiveLimiter", "Permit"]
