"""The emulated API as a pure function: (state, request, faults) -> reply.

Kept apart from the socket code so that the routing, pagination and error shapes can be read
(and reasoned about) without any threading in the way.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.emulator.faults import ERROR_CODES, BadShape, Fault, Overlap, Status, TokenLoop
from tests.emulator.state import EmulatorState, to_unstable_index

VERSIONS = ("2026-07", "unstable")
DEFAULT_LIMIT = 100
PLAN_MESSAGE = "Scheduled backups are not available for your plan"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """A request as the emulator saw it.

    Header names are lower-case; a header sent twice appears once, its values joined by ", ".
    """

    method: str
    path: str  # as sent, percent-encoding intact, without the query
    query: Mapping[str, str]
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def json_reply(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(payload).encode(), headers=dict(headers or {}))


def error(status: int, message: str, code: str | None = None) -> Reply:
    """The API's ErrorResponse shape; 401 is the exception (plain text, like the real gateway)."""
    if status == 401:
        return Reply(401, b"Invalid API key", "text/plain")
    code = code or ERROR_CODES.get(status, "UNKNOWN")
    return json_reply(status, {"error": {"code": code, "message": message}, "status": status})


def status_reply(fault: Status) -> Reply:
    """The reply of a `Status` fault: the API's error shape unless the test gave a body."""
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    if fault.body is None:
        base = error(fault.code, f"Injected HTTP {fault.code}")
        return Reply(base.status, base.body, base.content_type, headers)
    if isinstance(fault.body, bytes | str):
        raw = fault.body.encode() if isinstance(fault.body, str) else fault.body
        return Reply(fault.code, raw, "text/plain", headers)
    return json_reply(fault.code, fault.body, headers)


# --------------------------------------------------------------------------- pagination tokens


def encode_token(limit: int, offset: int) -> str:
    raw = json.dumps({"limit": limit, "offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, int]:
    """(limit, offset) of a token; ValueError for anything this emulator did not issue."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("malformed pagination token") from exc
    limit, offset = (data.get("limit"), data.get("offset")) if isinstance(data, dict) else (0, 0)
    if not (type(limit) is int and type(offset) is int and limit >= 1 and offset >= 0):
        raise ValueError("malformed pagination token")
    return limit, offset


def _page_window(query: Mapping[str, str], cap: int) -> tuple[int, int]:
    """(limit, offset) from `paginationToken` if given, else from `limit` (default 100)."""
    token = query.get("paginationToken")
    if token is not None:
        limit, offset = decode_token(token)
        return min(limit, cap), offset
    try:
        limit = int(query.get("limit", DEFAULT_LIMIT))
    except ValueError as exc:
        raise ValueError("limit must be an integer") from exc
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return min(limit, cap), 0


def _next_token(
    query: Mapping[str, str], limit: int, offset: int, full: bool, faults: Sequence[Fault]
) -> str | None:
    if any(isinstance(f, TokenLoop) for f in faults):
        return query.get("paginationToken") or encode_token(limit, offset)
    if not full:
        return None
    back = sum(f.n for f in faults if isinstance(f, Overlap))
    return encode_token(limit, max(offset + limit - back, 0))


def _strip(rows: list[Any], faults: Sequence[Fault]) -> list[Any]:
    """Rows with the fields named by `BadShape(missing=...)` faults removed."""
    missing = {f.missing for f in faults if isinstance(f, BadShape) and f.missing}
    if not missing:
        return rows
    return [{k: v for k, v in row.items() if k not in missing} for row in rows]


def page(
    rows: list[Any], query: Mapping[str, str], cap: int, faults: Sequence[Fault] = ()
) -> Reply:
    """One page of a list endpoint: rows [offset, offset + limit) and the next token.

    A full page always carries a token, even when it holds the last rows, as the live API does.
    """
    try:
        limit, offset = _page_window(query, cap)
    except ValueError as exc:
        return error(400, str(exc).capitalize() + ".")
    chunk = rows[offset : offset + limit]
    token = _next_token(query, limit, offset, len(chunk) == limit, faults)
    pagination = {"next": token} if token is not None else None
    return json_reply(200, {"data": _strip(chunk, faults), "pagination": pagination})


# --------------------------------------------------------------------------- routing


def route(path: str) -> tuple[str, str] | None:
    """(endpoint, decoded path parameter) for the four GET endpoints, or None."""
    parts = path.split("/")
    if parts == ["", "indexes"]:
        return ("indexes", "")
    if len(parts) == 4 and parts[0] == "" and parts[1] == "indexes" and parts[2]:
        endpoint = {"backup-schedules": "schedules", "backups": "backups"}.get(parts[3])
        return (endpoint, unquote(parts[2])) if endpoint else None
    if len(parts) == 4 and parts[:2] == ["", "backup-schedules"] and parts[3] == "history":
        return ("history", unquote(parts[2])) if parts[2] else None
    return None


def _indexes(state: EmulatorState, version: str, faults: Sequence[Fault]) -> Reply:
    indexes = [to_unstable_index(i) if version == "unstable" else i for i in state.indexes]
    return json_reply(200, {"indexes": _strip(indexes, faults)})


def _listing(
    state: EmulatorState,
    endpoint: str,
    param: str,
    query: Mapping[str, str],
    cap: int,
    faults: Sequence[Fault],
) -> Reply:
    if endpoint in ("schedules", "history") and not state.plan_allows_backups:
        return error(403, PLAN_MESSAGE)
    if endpoint == "history":
        if param not in state.schedule_ids():
            return error(404, "Backup schedule not found.")
        return page(state.history.get(param, []), query, cap, faults)
    if param not in state.index_names():
        return error(404, f"Index {param} not found.")
    source = state.schedules if endpoint == "schedules" else state.backups
    return page(source.get(param, []), query, cap, faults)


def answer(
    state: EmulatorState,
    request: Request,
    *,
    api_key: str,
    cap: int,
    faults: Sequence[Fault] = (),
) -> Reply:
    """The API's answer: auth first (401 before anything else), then version, method, route."""
    if request.header("api-key") != api_key:  # a repeated header arrives joined: also refused
        return error(401, "")
    version = request.header("x-pinecone-api-version")
    if version not in VERSIONS:
        message = f"Unsupported or missing X-Pinecone-Api-Version header: {version!r}."
        return error(400, message)
    if request.method != "GET":
        return error(405, f"Method {request.method} not allowed.", "INVALID_ARGUMENT")
    found = route(request.path)
    if found is None:
        return error(404, f"Path {request.path} not found.")
    endpoint, param = found
    if endpoint == "indexes":
        return _indexes(state, version, faults)
    return _listing(state, endpoint, param, request.query, cap, faults)
