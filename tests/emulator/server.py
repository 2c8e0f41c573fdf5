"""The emulator's sockets: a ThreadingHTTPServer on 127.0.0.1 that serves `api.answer`.

Real sockets (not a mock transport) so that the client's timeouts, resets, keep-alive and
header handling are exercised exactly as they will be against the live API. Shutdown wakes
every sleeping handler and closes every open connection, so tests leave no thread or socket
behind (pytest turns ResourceWarning into an error).

Opt-in TLS: `Emulator(state, tls=(certfile, keyfile))` serves HTTPS (the URL says `https://`),
so that tests can show the client verifies certificates. The handshake runs in the handler's
thread, so a client that refuses the certificate never stalls the accept loop.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import struct
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.emulator.api import Reply, Request, answer, json_reply, status_reply
from tests.emulator.faults import (
    BadShape,
    Echo,
    Fault,
    Malformed,
    Redirect,
    Reset,
    Slow,
    Status,
    is_terminal,
)
from tests.emulator.state import EmulatorState


class _Rule:
    """`times` more requests whose path fully matches `pattern` get `faults` (None: forever)."""

    def __init__(self, pattern: str, faults: tuple[Fault, ...], times: int | None) -> None:
        self.pattern = re.compile(pattern)
        self.faults = faults
        self.remaining = times

    def take(self, path: str) -> tuple[Fault, ...] | None:
        if self.remaining == 0 or not self.pattern.fullmatch(path):
            return None
        if self.remaining is not None:
            self.remaining -= 1
        return self.faults


class _Server(ThreadingHTTPServer):
    """Tracks its handler threads and open connections so that `close` can end them all."""

    daemon_threads = True

    def __init__(self, emulator: Emulator, port: int, tls: ssl.SSLContext | None) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.workers: set[threading.Thread] = set()
        self.guard = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)
        if tls is not None:  # accepted sockets inherit it; each handshakes in its own thread
            self.socket = tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        with self.guard:
            self.connections.add(conn)
        return conn, address

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self.guard:
            self.workers = {w for w in self.workers if w.is_alive()} | {worker}
        worker.start()

    def shutdown_request(self, request: Any) -> None:
        with self.guard:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up mid-answer (timeouts, resets) are expected here: stay quiet."""

    def end_connections(self, timeout: float) -> None:
        """Wake handlers blocked on idle keep-alive connections, then wait for them to finish."""
        with self.guard:
            connections, workers = list(self.connections), list(self.workers)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                conn.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx uses it against the live API
    server: _Server

    def setup(self) -> None:
        """No Nagle delay: headers and body go out in two writes, which would otherwise cost
        a delayed-ACK round (~40 ms) per answer and distort timings. Over TLS, the handshake
        happens here; a client that refuses the certificate ends it (quietly, see
        `handle_error`)."""
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(5.0)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line: tests run with captured, quiet output."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _request(self) -> Request:
        parts = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        return Request(self.command, parts.path, query, headers)

    def _serve(self) -> None:
        emulator = self.server.emulator
        request = self._request()
        if self.command != "GET":
            self.close_connection = True  # the body (if any) is never read
        emulator._record(request)
        try:
            reply = _prepare(emulator, request)
        finally:
            emulator._answered()  # before writing: see Emulator.max_in_flight
        if reply is None:
            self._reset()
        else:
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)

    def _reset(self) -> None:
        """Abort the connection: SO_LINGER 0 makes close() send RST instead of FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _prepare(emulator: Emulator, request: Request) -> Reply | None:
    """The answer to `request` after its latency and faults; None for a connection reset."""
    emulator._pause(emulator.latency)
    faults = emulator._take_faults(request.path)
    for fault in faults:
        if isinstance(fault, Slow):
            emulator._pause(fault.seconds)
    terminal = next((f for f in faults if is_terminal(f)), None)
    if isinstance(terminal, Reset):
        return None
    if terminal is not None:
        return _fault_reply(terminal, request)
    return emulator._answer(request, faults)


def _fault_reply(fault: Fault, request: Request) -> Reply:
    if isinstance(fault, Status):
        return status_reply(fault)
    if isinstance(fault, Malformed):
        return Reply(200, fault.body)
    if isinstance(fault, BadShape):
        return json_reply(200, fault.replacement())
    if isinstance(fault, Echo):
        return _echo_reply(fault, request)
    if isinstance(fault, Redirect):
        return Reply(fault.code, b"", "text/plain", {"Location": fault.location})
    raise TypeError(f"not a terminal fault: {fault!r}")


def _echo_reply(fault: Echo, request: Request) -> Reply:
    """The request's key quoted back: raw in a text body, or in the message of an error."""
    key = request.header("api-key") or ""
    if fault.plain:
        return Reply(fault.code, f"Invalid API key {key}".encode(), "text/plain")
    message = f"API key {key} is not valid for {request.path} (Api-Key: {key})"
    body = {"error": {"code": "INVALID_ARGUMENT", "message": message}, "status": fault.code}
    return Reply(fault.code, json.dumps(body).encode())


class Emulator:
    """The Pinecone control-plane API on 127.0.0.1, serving `state`. Use as a context manager.

    Fault patterns are regular expressions matched with `re.fullmatch` against the request path
    as sent (percent-encoding intact, no query string). Rules are tried in the order they were
    added; the first one with requests left serves the request.
    """

    def __init__(
        self,
        state: EmulatorState,
        api_key: str = "test-api-key",
        page_size_cap: int = 100,
        *,
        latency: float = 0.0,
        port: int = 0,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.state = state
        self.api_key = api_key
        self.page_size_cap = page_size_cap
        self.latency = latency
        self._port = port
        self._tls = _server_context(*tls) if tls is not None else None
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._served: list[tuple[str, tuple[Fault, ...]]] = []
        self._arrivals: list[tuple[float, str]] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._rules: list[_Rule] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> Emulator:
        self._server = _Server(self, self._port, self._tls)
        # A short poll interval keeps close() quick: shutdown() waits for the loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.end_connections(timeout=5.0)
        self._server.server_close()
        self._thread.join(5.0)
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running: use it as a context manager")
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    # ----------------------------------------------------------------- tests' controls

    @property
    def requests(self) -> list[Request]:
        """A copy of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def arrivals(self) -> list[tuple[float, str]]:
        """(`time.monotonic()` at arrival, path) of every request so far, in arrival order:
        for tests about when requests came, e.g. that none came during a Retry-After pause."""
        with self._lock:
            return list(self._arrivals)

    @property
    def max_in_flight(self) -> int:
        """The most requests in flight at once since the start (or `reset_max_in_flight`).

        A request counts from its arrival until its answer is about to be written (after the
        latency and any `Slow`), never after: a client cannot have the answer before then, so
        this count never exceeds what the client itself had in flight, and a test can assert
        an upper bound on it without races.
        """
        with self._lock:
            return self._max_in_flight

    def reset_max_in_flight(self) -> None:
        """Start a new measurement of `max_in_flight` from the requests in flight now."""
        with self._lock:
            self._max_in_flight = self._in_flight

    def add_fault(
        self, path_pattern: str, fault: Fault | Sequence[Fault], times: int | None = 1
    ) -> None:
        """The next `times` requests whose path fullmatches `path_pattern` get `fault`."""
        faults = tuple(fault) if isinstance(fault, Sequence) else (fault,)
        with self._lock:
            self._rules.append(_Rule(path_pattern, faults, times))

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def served_faults(self) -> list[tuple[str, tuple[Fault, ...]]]:
        """(path, faults) of every request a fault rule served, in arrival order: proof that
        a test's pattern matched what the client asked for."""
        with self._lock:
            return list(self._served)

    # ----------------------------------------------------------------- used by the handler

    def _record(self, request: Request) -> None:
        """Log an arriving request and count it in flight (until `_answered`)."""
        with self._lock:
            self._requests.append(request)
            self._arrivals.append((time.monotonic(), request.path))
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _answered(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _take_faults(self, path: str) -> tuple[Fault, ...]:
        with self._lock:
            for rule in self._rules:
                faults = rule.take(path)
                if faults is not None:
                    self._served.append((path, faults))
                    return faults
        return ()

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the emulator shuts down."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def _answer(self, request: Request, faults: Sequence[Fault]) -> Reply:
        return answer(
            self.state, request, api_key=self.api_key, cap=self.page_size_cap, faults=faults
        )


def _server_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """A server-side TLS context for the given certificate chain and key (TLS 1.2 or newer)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return context
