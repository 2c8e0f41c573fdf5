"""PineconeHttp against the emulator over loopback: headers, pagination, retries, deadlines,
error messages, and the promise that the API key never appears in any of them.

Time is faked: `sleep` records the delays and advances a fake clock, so retries cost nothing;
only read-timeout tests wait for real, a fraction of a second each.
"""

from __future__ import annotations

import json
import random
import socket
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from checker import __version__
from checker.errors import AuthRejected, Unreadable, UsageError
from checker.source.http import (
    NotFound,
    PermissionDenied,
    PineconeHttp,
    backoff_delay,
    check_api_url,
    parse_retry_after,
    sanitize,
)
from checker.source.paths import quote_segment
from tests.emulator import (
    BadShape,
    Emulator,
    EmulatorState,
    Fault,
    Malformed,
    Overlap,
    Reset,
    Slow,
    Status,
    TokenLoop,
    make_index,
    make_run,
    make_schedule,
)

KEY = "pcsk_CANARY-d0n0tl3ak-7f3a9c"
SCHEDULES = "/indexes/prod/backup-schedules"


class FakeTime:
    """A monotonic clock that only moves when the client sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def state(schedules: int = 3) -> EmulatorState:
    rows = [make_schedule("prod", f"s{i}") for i in range(schedules)]
    runs = [make_run("s0", f"2026-04-{day:02d}T06:00:00Z", index="prod") for day in range(1, 6)]
    return EmulatorState(
        indexes=[make_index("prod"), make_index("legacy", "pod")],
        schedules={"prod": rows},
        history={rows[0]["schedule_id"]: runs} if rows else {},
    )


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(state(), api_key=KEY) as emulator:
        yield emulator


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


Factory = Callable[..., PineconeHttp]


@pytest.fixture
def make_client(emu: Emulator, fake_time: FakeTime) -> Iterator[Factory]:
    """PineconeHttp on the emulator with fake time; keyword arguments override the defaults."""
    clients: list[PineconeHttp] = []

    def build(**overrides: Any) -> PineconeHttp:
        settings: dict[str, Any] = {
            "api_url": emu.url,
            "api_key": KEY,
            "api_key_env": "MY_PINECONE_KEY",
            "api_version": "2026-07",
            "page_size": 2,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "rng": random.Random(7),
        }
        clients.append(PineconeHttp(**(settings | overrides)))
        return clients[-1]

    yield build
    for client in clients:
        client.close()


def rows(pages: tuple[bytes, ...], key: str = "data") -> list[list[str]]:
    return [[row["name"] for row in json.loads(page)[key]] for page in pages]


def fails(call: Callable[[], object], kind: type[Exception] = Unreadable) -> Exception:
    """The error `call` raises, after checking that neither it nor its causes hold the key."""
    with pytest.raises(kind) as caught:
        call()
    assert_no_key(caught.value)
    return caught.value


def assert_no_key(error: BaseException | None) -> None:
    while error is not None:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in "".join(str(arg) for arg in error.args)
        error = error.__cause__ or error.__context__


# --------------------------------------------------------------------------- headers and paging


@pytest.mark.parametrize("version", ["2026-07", "unstable"])
def test_sends_the_documented_headers(emu: Emulator, make_client: Factory, version: str) -> None:
    make_client(api_version=version).get_pages("/indexes")
    [request] = emu.requests
    assert request.header("Api-Key") == KEY
    assert request.header("X-Pinecone-Api-Version") == version
    assert request.header("Accept") == "application/json"
    assert request.header("User-Agent") == f"backup-drift/{__version__}"


def test_the_key_travels_only_in_its_header(emu: Emulator, make_client: Factory) -> None:
    make_client().get_pages(SCHEDULES)
    for request in emu.requests:
        others = {k: v for k, v in request.headers.items() if k != "api-key"}
        assert KEY not in json.dumps([request.path, dict(request.query), others])


def test_indexes_is_one_page_without_paging_parameters(emu: Emulator, make_client: Factory) -> None:
    pages = make_client().get_pages("/indexes")
    assert rows(pages, "indexes") == [["prod", "legacy"]]
    assert [dict(r.query) for r in emu.requests] == [{}]


def test_follows_tokens_through_the_trailing_empty_page(
    emu: Emulator, make_client: Factory
) -> None:
    emu.state.schedules["prod"].append(make_schedule("prod", "s3"))
    pages = make_client().get_pages(SCHEDULES)
    assert rows(pages) == [["s0", "s1"], ["s2", "s3"], []]
    queries = [dict(r.query) for r in emu.requests]
    assert queries[0] == {"limit": "2"}
    assert [set(q) for q in queries[1:]] == [{"limit", "paginationToken"}] * 2
    assert queries[1]["paginationToken"] != queries[2]["paginationToken"]


def test_a_short_last_page_ends_the_listing(make_client: Factory) -> None:
    assert rows(make_client().get_pages(SCHEDULES)) == [["s0", "s1"], ["s2"]]


def test_pages_are_returned_raw_and_not_deduplicated(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Overlap(1), times=None)
    pages = make_client().get_pages(SCHEDULES)
    assert rows(pages) == [["s0", "s1"], ["s1", "s2"], ["s2"]]
    headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
    served = httpx.get(emu.url + SCHEDULES, params={"limit": 2}, headers=headers).content
    assert pages[0] == served  # the very bytes, for snapshots


def test_a_repeated_token_is_unreadable(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, TokenLoop(), times=None)
    error = fails(lambda: make_client().get_pages(SCHEDULES))
    assert str(error) == f"pagination token repeated at page 2 of {SCHEDULES}"
    assert len(emu.requests) == 2


def test_hostile_names_stay_inside_their_segment(emu: Emulator, make_client: Factory) -> None:
    name = "../backups?limit=1#x y"
    emu.state.indexes.append(make_index(name))
    emu.state.schedules[name] = [make_schedule(name, "odd")]
    pages = make_client().get_pages(f"/indexes/{quote_segment(name)}/backup-schedules")
    assert rows(pages) == [["odd"]]
    assert emu.requests[0].path == "/indexes/..%2Fbackups%3Flimit%3D1%23x%20y/backup-schedules"


@pytest.mark.parametrize(
    "path", ["/indexes/../backups", "/indexes/a b", "/x?y=1", "indexes", "/a//b"]
)
def test_unencoded_paths_are_refused(make_client: Factory, path: str) -> None:
    with pytest.raises(ValueError, match="quote_segment"):
        make_client().get_pages(path)


def test_quote_segment_encodes_everything_but_unreserved() -> None:
    assert quote_segment("prod-1_a.b~") == "prod-1_a.b~"
    assert quote_segment("a/b?c#d%") == "a%2Fb%3Fc%23d%25"
    assert (quote_segment("."), quote_segment("..")) == ("%2E", "%2E%2E")
    with pytest.raises(ValueError, match="empty"):
        quote_segment("")


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(
    emu: Emulator, make_client: Factory, fake_time: FakeTime, status: int
) -> None:
    emu.add_fault(SCHEDULES, Status(status), times=2)
    assert rows(make_client().get_pages(SCHEDULES)) == [["s0", "s1"], ["s2"]]
    assert len(emu.requests) == 4
    assert len(fake_time.sleeps) == 2
    assert 0 <= fake_time.sleeps[0] <= 0.5
    assert 0 <= fake_time.sleeps[1] <= 1.0


def test_only_the_failed_page_is_retried(emu: Emulator, make_client: Factory) -> None:
    emu.state.schedules["prod"].append(make_schedule("prod", "s3"))
    emu.add_fault(SCHEDULES, Slow(0))  # a no-op that lets the first page through
    emu.add_fault(SCHEDULES, Status(503))
    assert rows(make_client().get_pages(SCHEDULES)) == [["s0", "s1"], ["s2", "s3"], []]
    tokens = [r.query.get("paginationToken") for r in emu.requests]
    assert len(tokens) == 4
    assert tokens[0] is None
    assert tokens[1] == tokens[2] is not None  # the failed page 2, then its retry


def test_retry_after_seconds_is_honoured(
    emu: Emulator, make_client: Factory, fake_time: FakeTime
) -> None:
    emu.add_fault(SCHEDULES, Status(429, retry_after="7"))
    make_client().get_pages(SCHEDULES)
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(
    emu: Emulator, make_client: Factory, fake_time: FakeTime
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    emu.add_fault(SCHEDULES, Status(503, retry_after=when))
    make_client().get_pages(SCHEDULES)
    [delay] = fake_time.sleeps
    assert 115 <= delay <= 121


def test_connection_reset_is_retried(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Reset())
    assert len(make_client().get_pages(SCHEDULES)) == 2
    assert len(emu.requests) == 3


def test_a_persistent_reset_names_it(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Reset(), times=None)
    error = fails(lambda: make_client(max_attempts=2).get_pages(SCHEDULES))
    assert str(error) in {
        f"GET {SCHEDULES}: connection reset, gave up after 2 attempts",
        f"GET {SCHEDULES}: connection closed without a complete answer, gave up after 2 attempts",
    }
    assert isinstance(error.__cause__, httpx.TransportError)


def test_a_slow_answer_times_out_and_is_retried(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Slow(2.0))
    assert len(make_client(read_timeout=0.2).get_pages(SCHEDULES)) == 2
    assert len(emu.requests) == 3


def test_a_persistently_slow_answer_is_unreadable(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Slow(2.0), times=None)
    client = make_client(read_timeout=0.2, max_attempts=2)
    error = fails(lambda: client.get_pages(SCHEDULES))
    assert str(error) == f"GET {SCHEDULES}: read timeout after 0.2s, gave up after 2 attempts"
    assert isinstance(error.__cause__, httpx.ReadTimeout)


def test_malformed_json_is_retried(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Malformed())
    assert len(make_client().get_pages(SCHEDULES)) == 2


def test_persistently_malformed_json_is_unreadable(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Malformed(), times=None)
    error = fails(lambda: make_client().get_pages(SCHEDULES))
    assert str(error) == f"GET {SCHEDULES}: body is not JSON, gave up after 5 attempts"
    assert len(emu.requests) == 5


def test_a_wrong_envelope_is_retried_then_unreadable(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault("/indexes", BadShape())
    assert rows(make_client().get_pages("/indexes"), "indexes") == [["prod", "legacy"]]
    emu.add_fault(SCHEDULES, BadShape(), times=None)
    error = fails(lambda: make_client(max_attempts=2).get_pages(SCHEDULES))
    assert "unexpected body: `data` is missing or not a list" in str(error)


def require_ids(page: object) -> None:
    """A stand-in for the parser's check: every schedule row needs its id."""
    assert isinstance(page, dict)
    if any("schedule_id" not in row for row in page["data"]):
        raise ValueError("a schedule has no schedule_id")


def test_check_failures_are_retried(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, BadShape(missing="schedule_id"))
    assert len(make_client().get_pages(SCHEDULES, require_ids)) == 2
    assert len(emu.requests) == 3


def test_persistent_check_failures_are_unreadable(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, BadShape(missing="schedule_id"), times=None)
    error = fails(lambda: make_client(max_attempts=3).get_pages(SCHEDULES, require_ids))
    expected = "unexpected body: a schedule has no schedule_id, gave up after 3 attempts"
    assert str(error) == f"GET {SCHEDULES}: {expected}"


def test_later_pages_are_named_in_errors(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Slow(0))
    emu.add_fault(SCHEDULES, Status(502))
    error = fails(lambda: make_client(max_attempts=1).get_pages(SCHEDULES))
    assert str(error) == f"GET {SCHEDULES} (page 2): HTTP 502"


# --------------------------------------------------------------------------- bounds


def test_attempts_are_bounded(emu: Emulator, make_client: Factory, fake_time: FakeTime) -> None:
    emu.add_fault(SCHEDULES, Status(503), times=None)
    error = fails(lambda: make_client(max_attempts=3).get_pages(SCHEDULES))
    assert str(error) == f"GET {SCHEDULES}: HTTP 503, gave up after 3 attempts"
    assert len(emu.requests) == 3
    assert len(fake_time.sleeps) == 2


def test_the_deadline_bounds_all_retries(
    emu: Emulator, make_client: Factory, fake_time: FakeTime
) -> None:
    emu.add_fault(SCHEDULES, Status(503), times=None)
    client = make_client(max_attempts=1000, deadline=20.0)
    error = fails(lambda: client.get_pages(SCHEDULES))
    assert str(error).startswith(f"GET {SCHEDULES}: HTTP 503, gave up after ")
    assert str(error).endswith(" attempts (20s deadline)")
    assert sum(fake_time.sleeps) < 20.0
    assert len(emu.requests) < 1000


def test_a_retry_after_beyond_the_deadline_fails_at_once(
    emu: Emulator, make_client: Factory, fake_time: FakeTime
) -> None:
    emu.add_fault(SCHEDULES, Status(429, retry_after="600"), times=None)
    error = fails(lambda: make_client(deadline=300.0).get_pages(SCHEDULES))
    assert str(error) == f"GET {SCHEDULES}: HTTP 429, gave up after 1 attempt (300s deadline)"
    assert fake_time.sleeps == []


def test_no_request_is_sent_after_the_deadline(
    emu: Emulator, make_client: Factory, fake_time: FakeTime
) -> None:
    client = make_client(deadline=60.0)

    def slow_parser(page: object) -> None:
        fake_time.now += 61  # the first page took the whole budget

    error = fails(lambda: client.get_pages(SCHEDULES, slow_parser))
    assert str(error) == f"GET {SCHEDULES} (page 2): not sent, the 60s deadline had passed"
    assert len(emu.requests) == 1


def test_timeouts_are_cut_to_the_deadline(emu: Emulator, make_client: Factory) -> None:
    emu.add_fault(SCHEDULES, Slow(2.0), times=None)
    client = make_client(read_timeout=30.0, deadline=0.3, max_attempts=1, clock=lambda: 0.0)
    error = fails(lambda: client.get_pages(SCHEDULES))
    assert str(error) == f"GET {SCHEDULES}: read timeout after 0.3s"


# --------------------------------------------------------------------------- final answers


def test_401_names_the_variable_and_is_not_retried(emu: Emulator, make_client: Factory) -> None:
    error = fails(lambda: make_client(api_key="pcsk_wrong").get_pages(SCHEDULES), AuthRejected)
    assert str(error) == (
        f"GET {SCHEDULES}: the API key in $MY_PINECONE_KEY was rejected (HTTP 401)"
    )
    assert "pcsk_wrong" not in str(error)
    assert len(emu.requests) == 1


def test_403_explains_the_plan(emu: Emulator, make_client: Factory) -> None:
    emu.state.plan_allows_backups = False
    error = fails(lambda: make_client().get_pages(SCHEDULES), PermissionDenied)
    message = str(error)
    assert "permission denied (HTTP 403)" in message
    assert "plan does not include scheduled backups" in message
    assert message.endswith('the API says: "Scheduled backups are not available for your plan"')
    assert len(emu.requests) == 1


def test_403_messages_are_sanitised(emu: Emulator, make_client: Factory) -> None:
    hostile = "Denied\n\x1b[31mFAKE: all good\r\n" + "x" * 500
    body = {"error": {"code": "PERMISSION_DENIED", "message": hostile}, "status": 403}
    emu.add_fault(SCHEDULES, Status(403, body=body))
    message = str(fails(lambda: make_client().get_pages(SCHEDULES), PermissionDenied))
    assert "\n" not in message
    assert "\x1b" not in message
    assert '"Denied [31mFAKE: all good xxx' in message
    assert len(message) < 450


def test_404_is_not_found_with_the_api_message(emu: Emulator, make_client: Factory) -> None:
    error = fails(lambda: make_client().get_pages("/indexes/gone/backups"), NotFound)
    assert (
        str(error)
        == 'GET /indexes/gone/backups: not found (HTTP 404); the API says: "Index gone not found."'
    )
    assert len(emu.requests) == 1


@pytest.mark.parametrize("status", [400, 409, 418])
def test_other_client_errors_are_not_retried(
    emu: Emulator, make_client: Factory, status: int
) -> None:
    emu.add_fault(SCHEDULES, Status(status), times=None)
    error = fails(lambda: make_client().get_pages(SCHEDULES))
    assert str(error).startswith(f"GET {SCHEDULES}: HTTP {status}")
    assert type(error) is Unreadable
    assert len(emu.requests) == 1


def test_a_refused_connection_is_retried_then_unreadable(fake_time: FakeTime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = PineconeHttp(
        api_url=f"http://127.0.0.1:{port}",
        api_key=KEY,
        api_key_env="K",
        api_version="2026-07",
        max_attempts=2,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )
    with client:
        error = fails(lambda: client.get_pages("/indexes"))
    assert str(error) == "GET /indexes: could not connect, gave up after 2 attempts"


def test_tls_verification_failures_are_final(fake_time: FakeTime) -> None:
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed: self-signed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("TLS failed", request=request) from exc

    client = PineconeHttp(
        api_url="https://api.example.test",
        api_key=KEY,
        api_key_env="K",
        api_version="2026-07",
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        transport=httpx.MockTransport(refuse),
    )
    with client:
        error = fails(lambda: client.get_pages("/indexes"))
    assert str(error) == "GET /indexes: TLS certificate verification failed"
    assert len(calls) == 1


def test_redirects_are_not_followed(fake_time: FakeTime) -> None:
    seen: list[str] = []

    def redirect(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://elsewhere.test/indexes"})

    client = PineconeHttp(
        api_url="https://api.example.test",
        api_key=KEY,
        api_key_env="K",
        api_version="2026-07",
        transport=httpx.MockTransport(redirect),
    )
    with client:
        error = fails(lambda: client.get_pages("/indexes"))
    assert str(error) == "GET /indexes: HTTP 302"
    assert seen == ["https://api.example.test/indexes"]


# --------------------------------------------------------------------------- the key stays secret


@pytest.mark.parametrize(
    "fault",
    [
        Status(500),
        Status(401),
        Status(403),
        Status(404),
        Status(400),
        Reset(),
        Malformed(),
        BadShape(),
    ],
)
def test_the_key_is_in_no_error(emu: Emulator, make_client: Factory, fault: Fault) -> None:
    emu.add_fault(SCHEDULES, fault, times=None)
    fails(lambda: make_client(max_attempts=2).get_pages(SCHEDULES))


def test_a_key_echoed_by_the_server_is_scrubbed(emu: Emulator, make_client: Factory) -> None:
    body = {"error": {"code": "INVALID_ARGUMENT", "message": f"bad key {KEY}"}, "status": 400}
    emu.add_fault(SCHEDULES, Status(400, body=body))
    error = fails(lambda: make_client().get_pages(SCHEDULES))
    assert 'the API says: "bad key [REDACTED]"' in str(error)


def test_repr_does_not_show_the_key(make_client: Factory) -> None:
    client = make_client()
    assert KEY not in repr(client)
    assert "MY_PINECONE_KEY" in repr(client)


@pytest.mark.parametrize("key", ["", "has space", "line\nbreak", "ключ"])
def test_unsendable_keys_are_usage_errors(emu: Emulator, key: str) -> None:
    with pytest.raises(UsageError) as caught:
        PineconeHttp(api_url=emu.url, api_key=key, api_key_env="K", api_version="2026-07")
    assert "$K" in str(caught.value)
    if key:
        assert key not in str(caught.value)


# --------------------------------------------------------------------------- URL policy


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.pinecone.io", "https://api.pinecone.io"),
        ("https://api.pinecone.io/", "https://api.pinecone.io"),
        ("HTTPS://proxy.example.com:8443/pinecone/", "https://proxy.example.com:8443/pinecone"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.10.0.3", "http://127.10.0.3"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://LocalHost:1", "http://LocalHost:1"),
    ],
)
def test_accepted_api_urls(url: str, expected: str) -> None:
    assert check_api_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://api.pinecone.io",
        "http://128.0.0.1",
        "http://localhost.evil.com",
        "http://[::2]",
        "ftp://127.0.0.1",
        "https://",
        "api.pinecone.io",
        "https://user:secret@api.pinecone.io",
        "https://api.pinecone.io?x=1",
        "https://api.pinecone.io:notaport",
        "https://api.pinecone.io/\n",
        "",
    ],
)
def test_refused_api_urls(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_api_url(url)
    assert "secret" not in str(caught.value)


def test_a_refused_url_stops_before_any_request(emu: Emulator) -> None:
    with pytest.raises(UsageError, match="https://"):
        PineconeHttp(
            api_url="http://example.com", api_key=KEY, api_key_env="K", api_version="2026-07"
        )
    assert emu.requests == []


# --------------------------------------------------------------------------- pure helpers


def test_backoff_is_full_jitter_with_a_cap() -> None:
    class Highest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    assert [backoff_delay(n, Highest()) for n in (1, 2, 3, 7, 8, 500)] == [0.5, 1, 2, 30, 30, 30]
    rng = random.Random(1)
    delays = [backoff_delay(4, rng) for _ in range(200)]
    assert all(0 <= d <= 4 for d in delays)
    assert len(set(delays)) > 100


def test_retry_after_parsing() -> None:
    now = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after("Thu, 30 Apr 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 30 Apr 2026 11:00:00 GMT", now) == 0
    for bad in (None, "", "-5", "soon", "1e3"):
        assert parse_retry_after(bad, now) is None


def test_sanitize_makes_one_bounded_line() -> None:
    assert sanitize("a\n\tb\x00c\u200bd") == "a b c d"
    assert sanitize("y" * 300) == "y" * 199 + "…"
