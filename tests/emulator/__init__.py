"""An emulator of the Pinecone control-plane API (versions 2026-07 and unstable) for tests.

    with Emulator(EmulatorState(indexes=[make_index("prod")])) as emu:
        emu.add_fault(r"/indexes/prod/backup-schedules", Status(503), times=2)
        ...  # talk to emu.url; inspect emu.requests, emu.arrivals, emu.max_in_flight

Modules: `state` (what is served, and builders for schema-valid objects), `faults` (what can go
wrong), `api` (the answers, as a pure function), `server` (the sockets).
"""

from tests.emulator.api import Reply, Request, decode_token, encode_token
from tests.emulator.faults import (
    BadShape,
    Echo,
    Fault,
    Malformed,
    Overlap,
    Redirect,
    Reset,
    Slow,
    Status,
    TokenLoop,
)
from tests.emulator.server import Emulator
from tests.emulator.state import (
    DEFAULT_INDEX,
    PROJECT_ID,
    EmulatorState,
    backups_from_history,
    index_id,
    load_state,
    make_id,
    make_index,
    make_run,
    make_schedule,
    to_unstable_index,
)

__all__ = [
    "DEFAULT_INDEX",
    "PROJECT_ID",
    "BadShape",
    "Echo",
    "Emulator",
    "EmulatorState",
    "Fault",
    "Malformed",
    "Overlap",
    "Redirect",
    "Reply",
    "Request",
    "Reset",
    "Slow",
    "Status",
    "TokenLoop",
    "backups_from_history",
    "decode_token",
    "encode_token",
    "index_id",
    "load_state",
    "make_id",
    "make_index",
    "make_run",
    "make_schedule",
    "to_unstable_index",
]
