"""`check --shard K/N`: a stable 1/N of the declared schedules, for CI matrices.

A declaration's shard is a hash of its index, name and id, so it does not move when other
declarations are added or removed. Shard 1 also runs the fleet rules (`schedule-unmanaged`,
`index-uncovered`) and the coverage summary, with every declaration of the spec counted as
declared; `backup-drift merge` joins the shards' JSON reports into the unsharded report.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from checker.errors import UsageError
from checker.model import Declaration

MAX_SHARDS = 256
_SHARD = re.compile(r"([0-9]+)/([0-9]+)")


@dataclass(frozen=True)
class Shard:
    number: int  # 1-based
    count: int

    @property
    def runs_fleet_rules(self) -> bool:
        return self.number == 1

    def selects(self, decl: Declaration) -> bool:
        key = "\0".join((decl.index, decl.name or "", decl.id or "")).encode()
        bucket = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % self.count
        return bucket == self.number - 1


def parse_shard(text: str) -> Shard:
    match = _SHARD.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--shard: expected K/N such as 1/4, got {text!r}")
    number, count = int(match[1]), int(match[2])
    if not 1 <= number <= count <= MAX_SHARDS:
        raise UsageError(f"--shard: need 1 <= K <= N <= {MAX_SHARDS}, got {text!r}")
    return Shard(number, count)
