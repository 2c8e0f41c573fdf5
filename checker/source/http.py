"""The HTTP client for the Pinecone control plane: headers, retries, pagination, deadlines.

It returns raw page bodies (bytes), not parsed objects, so that a snapshot can record exactly
what the API said and the parser can stay a pure function of those bytes. Everything that can
go wrong on the wire ends as one of the project's own errors:

    Unreadable                 a listing could not be read completely (exit 3)
     ├── AuthRejected          HTTP 401: the key is wrong; every other request would fail too
     ├── PermissionDenied      HTTP 403: the key lacks a permission, or the plan lacks backups
     └── NotFound              HTTP 404: the caller decides whether that is a finding

Messages are one line, name the request (`GET /indexes/prod/backups (page 3)`), and never hold
the API key: the key is only ever written into the `Api-Key` header, every message is built
here (never from an httpx exception's text), and every message is scrubbed of the key as a last
line of defence in case the server echoes it back. Retries use exponential backoff with full
jitter (base 0.5 s, cap 30 s) and honour `Retry-After`; one request gets at most
`max_attempts` attempts, and the whole client never runs past `deadline` seconds.

Rate limits are the whole client's business (`limiter.py`): at most `max_in_flight` requests
are on the wire at once; a 429 halves that allowance (floor 1) and successes win it back one at
a time; a `Retry-After` (on a 429 or a 5xx) pauses every thread's next request, not only the
retry. Waiting for a slot or a pause counts against the deadline like any other wait.

Thread safety: one `PineconeHttp` may serve several threads calling `get_pages` at once.
"""

from __future__ import annotations

import email.utils
import ipaddress
import random
import re
import ssl
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from checker import __version__
from checker.errors import AuthRejected, Unreadable, UsageError
from checker.source.limiter import AdaptiveLimiter, Permit
from checker.source.parse import decode
from checker.source.paths import INDEXES

BACKOFF_BASE = 0.5  # seconds: the first retry waits up to this long
BACKOFF_CAP = 30.0  # seconds: no single backoff waits longer (Retry-After may ask for more)
MAX_PAGES = 10_000  # safety net against a server that pages forever with fresh tokens
MAX_BODY_BYTES = 64 * 1024 * 1024  # one page of 100 rows is ~100 KB; refuse absurd bodies
MESSAGE_LIMIT = 200  # characters of server-provided text quoted in a message

_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+"
_SAFE_PATH = re.compile(rf"(?:/{_PCHAR})+")
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what a key or version may hold
_LOOPBACK_NAMES = frozenset({"localhost"})
_SCRUB_MIN = 6  # shortest key that is scrubbed from messages
_URL = "the API URL (--api-url, $PINECONE_API_URL)"


class PermissionDenied(Unreadable):
    """HTTP 403: the key lacks a permission, or the project's plan has no scheduled backups."""


class NotFound(Unreadable):
    """HTTP 404 for the requested path; whether that is an error is the caller's decision."""


# --------------------------------------------------------------------------- pure helpers


def check_api_url(url: str) -> str:
    """The base URL, normalised (no trailing slash), if it is safe to send the key to.

    `https://` anywhere; plain `http://` only to loopback hosts, where nothing crosses a
    network. The URL itself is not echoed in errors: a pasted URL may carry credentials.
    """
    if not url or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        raise UsageError(f"{_URL} must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises ValueError when it is not a number
    except ValueError as exc:
        raise UsageError(f"{_URL} is not a valid URL (check the host and port)") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise UsageError(f"{_URL} must start with https:// and name a host")
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{_URL} must not contain credentials (the key comes from the env)")
    if parts.query or parts.fragment:
        raise UsageError(f"{_URL} must not have a query string or fragment")
    if scheme == "http" and not is_loopback(host):
        raise UsageError(
            f"{_URL} must use https:// for host {host!r}: plain http:// is allowed only for "
            "loopback hosts (127.0.0.0/8, ::1, localhost)"
        )
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: hosts whose traffic never leaves the machine."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def backoff_delay(
    attempt: int, rng: random.Random, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): full jitter.

    Uniform in [0, min(cap, base * 2**(attempt-1))], so that many clients retrying after the
    same outage spread out instead of hammering the API in lock-step.
    """
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or HTTP-date), or None.

    `now` is the reference for an HTTP-date (the response's own `Date` header when it has one,
    so that clock skew between client and server does not matter).
    """
    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return min(float(text), 1e9)
    when = _http_date(text)
    return None if when is None else max(0.0, (when - now).total_seconds())


def sanitize(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Server-provided text made safe to quote: one line, no control characters, bounded."""
    printable = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    single = " ".join(printable.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"


def seconds(value: float) -> str:
    """`30s`, `0.2s`: how durations appear in messages."""
    return f"{value:g}s"


def _check_path(path: str) -> None:
    """Refuse paths with a query, fragment, raw special characters or dot segments: they mean a
    caller forgot `quote_segment`, and could make a hostile name change the request."""
    dots = any(s in (".", "..") for s in path.split("/"))
    if not _SAFE_PATH.fullmatch(path) or dots:
        raise ValueError(f"unsafe request path {path!r}: build it with quote_segment()")


def _next_token(body: dict[str, object]) -> str | None:
    """The envelope's next-page token; None on the last page (null, absent or empty)."""
    pagination = body.get("pagination")
    if pagination is None:
        return None
    if not isinstance(pagination, dict):
        raise ValueError("`pagination` is not an object")
    token = pagination.get("next")
    if token is None or token == "":
        return None
    if not isinstance(token, str):
        raise ValueError("`pagination.next` is not a string")
    return token


def _envelope(body: object, paginated: bool) -> dict[str, object]:
    """`body`, once it has the shape every page must have before its rows are worth a look."""
    if not isinstance(body, dict):
        raise ValueError("the body is not a JSON object")
    key = "data" if paginated else "indexes"
    if not isinstance(body.get(key), list):
        raise ValueError(f"`{key}` is missing or not a list")
    if paginated:
        _next_token(body)
    return body


def _api_error(body: bytes, content_type: str) -> tuple[str, str]:
    """(code, message) of an ErrorResponse body, sanitised; a plain-text body is the message."""
    try:
        parsed = decode(body)
    except ValueError:
        text = sanitize(body.decode("utf-8", "replace")) if "text/plain" in content_type else ""
        return "", text
    error = parsed.get("error") if isinstance(parsed, dict) else None
    error = error if isinstance(error, dict) else {}
    code, message = error.get("code"), error.get("message")
    return (
        code if isinstance(code, str) else "",
        sanitize(message) if isinstance(message, str) else "",
    )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _http_date(text: str) -> datetime | None:
    """An HTTP-date (`Thu, 30 Apr 2026 12:00:00 GMT`) as an aware datetime, or None."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _response_date(response: httpx.Response) -> datetime:
    """The server's idea of now (its `Date` header), else ours: the reference for Retry-After."""
    return _http_date(response.headers.get("Date", "")) or datetime.now(UTC)


# --------------------------------------------------------------------------- the client


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may not (internal to this module)."""

    def __init__(
        self, reason: str, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status  # the HTTP status, when the server answered


def _client(
    api_url: str, headers: dict[str, str], transport: httpx.BaseTransport | None
) -> httpx.Client:
    """The httpx client, wrapped so that a bad CA bundle is the user's error, not a crash.

    Proxy and CA variables (`HTTPS_PROXY`, `SSL_CERT_FILE`) apply to `https://` only: a
    plain-http URL is a loopback one, and sending the key to a proxy in clear text would be
    the one way it could leave the machine unencrypted.
    """
    try:
        return httpx.Client(
            headers=headers,
            transport=transport,
            follow_redirects=False,  # a redirect could carry the Api-Key header to another host
            trust_env=api_url.startswith("https://"),
        )
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            "cannot load the CA bundle named by $SSL_CERT_FILE or $SSL_CERT_DIR "
            f"({exc.__class__.__name__}); point it at a PEM file of certificates"
        ) from exc


class PineconeHttp:
    """GETs control-plane listings with retries; see the module docstring for the policy."""

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        api_key_env: str,
        api_version: str,
        page_size: int = 100,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 5,
        deadline: float = 300.0,
        max_in_flight: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        _check_settings(page_size, connect_timeout, read_timeout, max_attempts, deadline)
        self.api_url = check_api_url(api_url)
        self.api_key_env = api_key_env
        self.api_version = api_version
        self._check_header_values(api_key, api_version)
        self._key = api_key
        self._page_size = page_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_attempts = max_attempts
        self._deadline = deadline
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 -- jitter needs no cryptographic randomness
        self._started = clock()
        self._limiter = AdaptiveLimiter(max_in_flight, clock=clock, sleep=sleep)
        self._client = _client(self.api_url, self._headers(api_key, api_version), transport)

    def __repr__(self) -> str:
        return (
            f"PineconeHttp(api_url={self.api_url!r}, api_version={self.api_version!r}, "
            f"api_key_env={self.api_key_env!r})"
        )

    def __enter__(self) -> PineconeHttp:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @property
    def limiter(self) -> AdaptiveLimiter:
        """The shared rate limiter (read it to see how a 429 storm slowed the client)."""
        return self._limiter

    # ----------------------------------------------------------------- public

    def get_pages(
        self,
        path: str,
        check: Callable[[object], None] | None = None,
        *,
        paginated: bool | None = None,
    ) -> tuple[bytes, ...]:
        """GET `path` and every following page; each page's raw body, in order.

        `paginated` defaults to "every path but /indexes" (which answers one `{"indexes": [...]}`
        page). `check(parsed_page)` may raise ValueError to call a page shape-breaking: that
        page is retried like a 503. Rows are not deduplicated here (the parser does that, so
        that snapshots keep the raw pages), but a repeated token ends the listing as Unreadable.
        """
        _check_path(path)
        is_paginated = path != INDEXES if paginated is None else paginated
        pages: list[bytes] = []
        seen: set[str] = set()
        token: str | None = None
        for number in range(1, MAX_PAGES + 1):
            params = self._params(token) if is_paginated else {}
            body, parsed = self._fetch(path, params, number, is_paginated, check)
            pages.append(body)
            token = _next_token(parsed) if is_paginated else None
            if token is None:
                return tuple(pages)
            if token in seen:
                raise self._error(f"pagination token repeated at page {number} of {path}")
            seen.add(token)
        raise self._error(f"GET {path}: more than {MAX_PAGES} pages, giving up")

    # ----------------------------------------------------------------- one request

    def _fetch(
        self,
        path: str,
        params: dict[str, str],
        number: int,
        paginated: bool,
        check: Callable[[object], None] | None,
    ) -> tuple[bytes, dict[str, object]]:
        """One page, retried: (raw body, parsed body) or an Unreadable naming the request."""
        where = f"GET {path}" + (f" (page {number})" if number > 1 else "")
        last: _Retryable | None = None
        for attempt in range(1, self._max_attempts + 1):
            permit = self._limiter.acquire(self._remaining())
            if permit is None:
                raise self._not_sent(where, last, attempt - 1)
            try:
                body = self._exchange(permit, path, params, where)
                return body, self._parse(body, paginated, check)
            except _Retryable as failure:
                last = failure
            if attempt < self._max_attempts:
                self._sleep(self._delay(where, last, attempt))
        raise self._gave_up(where, last, self._max_attempts, deadline=False)

    def _exchange(self, permit: Permit, path: str, params: dict[str, str], where: str) -> bytes:
        """One request on the wire, holding its slot; how it went tells the limiter how the API
        copes. The slot is given back before the body is parsed: parsing loads no server."""
        try:
            body = self._request(path, params, where)
        except _Retryable as failure:
            throttled = failure.status == 429
            self._limiter.release(permit, throttled=throttled, retry_after=failure.retry_after)
            raise
        except BaseException:
            self._limiter.release(permit)
            raise
        self._limiter.release(permit, ok=True)
        return body

    def _request(self, path: str, params: dict[str, str], where: str) -> bytes:
        """One GET: the body of a 2xx answer, else the error its status calls for."""
        timeout = self._timeout()
        try:
            with self._client.stream(
                "GET", self.api_url + path, params=params, timeout=timeout
            ) as response:
                body = self._read(response)
        except httpx.TimeoutException as exc:
            raise _Retryable(_timeout_reason(exc, timeout)) from exc
        except httpx.HTTPError as exc:
            raise self._transport_failure(exc, where) from exc
        self._judge_status(response, body, where)
        return body

    def _read(self, response: httpx.Response) -> bytes:
        """The body, refusing absurd sizes and stopping when the deadline passes mid-stream."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _Retryable(f"body larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")
            chunks.append(chunk)
            if self._remaining() <= 0:
                raise _Retryable("the deadline passed while the body was being read")
        return self._scrub(b"".join(chunks))

    def _scrub(self, body: bytes) -> bytes:
        """A body echoing the key (an error message, a hostile name) never carries it on: the
        key is cut here, before any parser, report or snapshot sees the text."""
        if len(self._key) < _SCRUB_MIN:
            return body
        return body.replace(self._key.encode(), b"[REDACTED]")

    def _judge_status(self, response: httpx.Response, body: bytes, where: str) -> None:
        """Raise for any status but 2xx: retryable (429, 5xx) or final (every other one)."""
        status = response.status_code
        if 200 <= status < 300:
            return
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), _response_date(response)
            )
            raise _Retryable(f"HTTP {status}", retry_after, status)
        code, message = _api_error(body, response.headers.get("Content-Type", ""))
        if status == 401:
            rejected = f"{where}: the API key in ${self.api_key_env} was rejected (HTTP 401)"
            raise self._error(rejected, AuthRejected)
        if status == 403:
            forbidden = _forbidden_message(where, code, message)
            raise self._error(forbidden, PermissionDenied)
        if status == 404:
            raise self._error(f"{where}: not found (HTTP 404)" + _quoted(message), NotFound)
        raise self._error(f"{where}: HTTP {status}" + _quoted(message))

    def _parse(
        self, body: bytes, paginated: bool, check: Callable[[object], None] | None
    ) -> dict[str, object]:
        try:
            parsed = decode(body)
        except ValueError as exc:
            raise _Retryable(str(exc)) from exc
        try:
            page = _envelope(parsed, paginated)
            if check is not None:
                check(page)
        except ValueError as exc:
            raise _Retryable(f"unexpected body: {sanitize(str(exc))}") from exc
        return page

    def _transport_failure(self, exc: httpx.HTTPError, where: str) -> Exception:
        """Retryable for network trouble; final (Unreadable) for what retrying cannot fix."""
        if _caused_by(exc, ssl.SSLCertVerificationError):
            return self._error(f"{where}: TLS certificate verification failed", cause=exc)
        if isinstance(exc, httpx.ConnectError):
            return _Retryable("could not connect")
        if isinstance(exc, httpx.RemoteProtocolError):
            return _Retryable("connection closed without a complete answer")
        if isinstance(exc, httpx.NetworkError | httpx.ProxyError):
            reset = _caused_by(exc, ConnectionResetError)
            return _Retryable("connection reset" if reset else "connection lost")
        if isinstance(exc, httpx.DecodingError):
            return _Retryable("body could not be decoded")
        return self._error(f"{where}: request failed ({type(exc).__name__})", cause=exc)

    # ----------------------------------------------------------------- time and retries

    def _remaining(self) -> float:
        return self._deadline - (self._clock() - self._started)

    def _timeout(self) -> httpx.Timeout:
        """This attempt's timeouts: the configured ones, cut short by the client's deadline."""
        left = max(self._remaining(), 0.001)
        connect, read = min(self._connect_timeout, left), min(self._read_timeout, left)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)

    def _delay(self, where: str, failure: _Retryable, attempt: int) -> float:
        """Seconds before the next attempt; gives up now if that wait would pass the deadline."""
        if failure.retry_after is not None:
            delay = failure.retry_after
        else:
            delay = backoff_delay(attempt, self._rng)
        if delay >= self._remaining():
            raise self._gave_up(where, failure, attempt, deadline=True)
        return delay

    def _not_sent(self, where: str, failure: _Retryable | None, attempts: int) -> Unreadable:
        """The error of a request the limiter could not send before the deadline."""
        pause = self._limiter.pause_left()
        if failure is not None or pause <= 0:
            return self._gave_up(where, failure, attempts, deadline=True)
        return self._error(
            f"{where}: not sent, the API asked for a pause (Retry-After) that ends "
            f"{seconds(round(pause, 1))} from now, past the {seconds(self._deadline)} deadline"
        )

    def _gave_up(
        self, where: str, failure: _Retryable | None, attempts: int, *, deadline: bool
    ) -> Unreadable:
        """The final error of a request, saying what the last attempt ran into."""
        limit = seconds(self._deadline)
        if failure is None:
            return self._error(f"{where}: not sent, the {limit} deadline had passed")
        tries = f"{attempts} attempt" + ("s" if attempts != 1 else "")
        if deadline:
            message = f"{where}: {failure.reason}, gave up after {tries} ({limit} deadline)"
        elif attempts > 1:
            message = f"{where}: {failure.reason}, gave up after {tries}"
        else:
            message = f"{where}: {failure.reason}"
        return self._error(message, cause=failure.__cause__)

    # ----------------------------------------------------------------- building blocks

    def _error(
        self,
        message: str,
        kind: type[Unreadable] = Unreadable,
        cause: BaseException | None = None,
    ) -> Unreadable:
        """An error of `kind` whose message is scrubbed of the key (the server may echo it).

        Keys shorter than 6 characters (test keys, not secrets) are left alone, so that
        scrubbing cannot garble a message. `cause` becomes `__cause__`, as `raise ... from
        cause` would make it.
        """
        if len(self._key) >= _SCRUB_MIN:
            message = message.replace(self._key, "[REDACTED]")
        error = kind(message)
        error.__cause__ = cause
        return error

    def _params(self, token: str | None) -> dict[str, str]:
        params = {"limit": str(self._page_size)}
        if token is not None:
            params["paginationToken"] = token
        return params

    def _check_header_values(self, api_key: str, api_version: str) -> None:
        """Refuse values httpx could not send (its error would quote them: the key!)."""
        if not api_key:
            raise UsageError(f"${self.api_key_env} is empty: set it to your Pinecone API key")
        if not _HEADER_VALUE.fullmatch(api_key):
            raise UsageError(
                f"the API key in ${self.api_key_env} contains spaces or non-ASCII characters"
            )
        if not _HEADER_VALUE.fullmatch(api_version):
            raise UsageError(f"invalid API version {sanitize(api_version)!r}")

    @staticmethod
    def _headers(api_key: str, api_version: str) -> dict[str, str]:
        return {
            "Api-Key": api_key,
            "X-Pinecone-Api-Version": api_version,
            "Accept": "application/json",
            "User-Agent": f"backup-drift/{__version__}",
        }


def _check_settings(
    page_size: int, connect_timeout: float, read_timeout: float, max_attempts: int, deadline: float
) -> None:
    """Settings come from code, not users: a bad one is a bug, hence ValueError (the limiter
    checks `max_in_flight` itself)."""
    if page_size < 1 or max_attempts < 1:
        raise ValueError("page_size and max_attempts must be at least 1")
    if min(connect_timeout, read_timeout, deadline) <= 0:
        raise ValueError("timeouts and deadline must be positive")


def _timeout_reason(exc: httpx.TimeoutException, timeout: httpx.Timeout) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout after {seconds(timeout.connect or 0)}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"read timeout after {seconds(timeout.read or 0)}"
    if isinstance(exc, httpx.WriteTimeout):
        return f"write timeout after {seconds(timeout.write or 0)}"
    return "timed out waiting for a free connection"


def _forbidden_message(where: str, code: str, message: str) -> str:
    if code != "PERMISSION_DENIED":
        return f"{where}: HTTP 403" + _quoted(message)
    return (
        f"{where}: permission denied (HTTP 403): the API key lacks the permission, or the "
        f"project's plan does not include scheduled backups" + _quoted(message)
    )


def _quoted(message: str) -> str:
    return f'; the API says: "{message}"' if message else ""
