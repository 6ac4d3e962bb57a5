"""A loopback HTTP proxy that injects faults between a client under test and a real server.

Each request is handled on its own connection: the proxy answers with ``Connection: close``
and asks the upstream for the same, so keep-alive clients simply reconnect and no answer is
ever mixed up with another. Faults are programmed ahead (``fail_next``) or drawn from a
seeded random generator (``chaos``), so a failing test can be replayed exactly.

Modes:
    drop        read the request, then close the connection without answering (never forwarded)
    drop_after  forward the request, read the answer, then close without returning it
    500         answer 500 without forwarding
    429         answer 429 with ``Retry-After: 1`` without forwarding
    delay       wait ``seconds``, then forward (to trip a client's timeout)
"""

from __future__ import annotations

import collections
import random
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

Mode = Literal["drop", "drop_after", "500", "429", "delay"]
MODES: tuple[Mode, ...] = ("drop", "drop_after", "500", "429", "delay")
# Delay is left out of chaos by default: it slows a test down by its length every time.
CHAOS_MODES: tuple[Mode, ...] = ("drop", "drop_after", "500", "429")

_HOP_HEADERS = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"upgrade"}
_MAX_HEAD = 64 * 1024


@dataclass(frozen=True)
class Fault:
    """One programmed fault: the mode and, for ``delay``, how long to wait."""

    mode: Mode
    seconds: float = 0.0


@dataclass(frozen=True)
class Seen:
    """What the proxy did with one request: ``outcome`` is a mode or ``"ok"``."""

    method: str
    path: str
    outcome: str
    forwarded: bool


class FaultProxy:
    """Forward HTTP from ``127.0.0.1:<free port>`` to an upstream, failing where told.

    Use it as a context manager; ``url`` is the address to give the client under test.
    """

    def __init__(
        self, upstream_host: str, upstream_port: int, *, upstream_timeout: float = 30.0
    ) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.upstream_timeout = upstream_timeout
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._faults: collections.deque[Fault] = collections.deque()
        self._chaos: tuple[float, random.Random, tuple[Mode, ...], float] | None = None
        self._log: list[Seen] = []
        self._forwarded = 0
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._handlers: set[threading.Thread] = set()
        self._port = 0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Listen on a free loopback port and accept connections in a background thread."""
        return self._bind(0)

    def _bind(self, port: int) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, wake delayed requests and wait briefly for handlers to end."""
        self._stopping.set()
        if self._listener is not None:
            try:
                # Wakes the accept() at once on Linux instead of at its next timeout.
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            handler.join(timeout=5)

    def unplug(self) -> None:
        """The remote goes away: new connections are refused until :meth:`plug`."""
        port = self.port
        self.stop()
        self._port = port

    def plug(self) -> None:
        """The remote is back, on the same port."""
        self._stopping.clear()
        self._bind(self._port)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The loopback port the proxy listens on."""
        if self._port:
            return self._port
        if self._listener is None:
            raise RuntimeError("the proxy is not started")
        self._port = int(self._listener.getsockname()[1])
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, to use instead of the upstream's address."""
        return f"http://127.0.0.1:{self.port}"

    # -- programming faults ----------------------------------------------------------------

    def fail_next(self, n: int, mode: Mode, *, seconds: float = 3.0) -> None:
        """Apply ``mode`` to the next ``n`` requests (after any already programmed).

        ``seconds`` is the wait of the ``delay`` mode.
        """
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; choose from {MODES}")
        with self._lock:
            self._faults.extend(Fault(mode, seconds) for _ in range(n))

    def chaos(
        self,
        rate: float,
        seed: int,
        modes: Iterable[Mode] = CHAOS_MODES,
        *,
        seconds: float = 3.0,
    ) -> None:
        """Fail each request with probability ``rate``, the mode drawn from ``modes``.

        The draws come from ``random.Random(seed)`` in the order requests arrive, so one seed
        gives one sequence of outcomes. Programmed faults (``fail_next``) go first.
        """
        chosen = tuple(modes)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if not chosen or any(m not in MODES for m in chosen):
            raise ValueError(f"modes must be a non-empty choice from {MODES}")
        with self._lock:
            self._chaos = (rate, random.Random(seed), chosen, seconds)

    def calm(self) -> None:
        """Forget programmed faults and chaos: forward everything from now on."""
        with self._lock:
            self._faults.clear()
            self._chaos = None

    # -- counters ----------------------------------------------------------------------------

    @property
    def seen(self) -> int:
        """Requests received from clients (whatever happened to them)."""
        with self._lock:
            return len(self._log)

    @property
    def forwarded(self) -> int:
        """Requests sent on to the upstream (``drop_after`` and ``delay`` included)."""
        with self._lock:
            return self._forwarded

    @property
    def log(self) -> list[Seen]:
        """A copy of what happened to each request, in arrival order."""
        with self._lock:
            return list(self._log)

    def outcomes(self) -> list[str]:
        """The outcome of each request in arrival order: a mode name or ``"ok"``."""
        return [entry.outcome for entry in self.log]

    # -- the work ----------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handler = threading.Thread(target=self._handle, args=(client,), daemon=True)
            with self._lock:
                self._handlers.add(handler)
            handler.start()

    def _next_fault(self) -> Fault | None:
        # Called under the lock, so faults are dealt in arrival order.
        if self._faults:
            return self._faults.popleft()
        if self._chaos is not None:
            rate, rng, modes, seconds = self._chaos
            # Always draw both numbers so the sequence depends on the seed alone.
            roll, mode = rng.random(), rng.choice(modes)
            if roll < rate:
                return Fault(mode, seconds)
        return None

    def _handle(self, client: socket.socket) -> None:
        try:
            with client:
                client.settimeout(self.upstream_timeout)
                try:
                    request = _read_request(client)
                except (OSError, ValueError):
                    return
                if request is None:
                    return
                method, path, head, body = request
                with self._lock:
                    fault = self._next_fault()
                    outcome = fault.mode if fault else "ok"
                    forwards = outcome in ("ok", "drop_after", "delay")
                    self._log.append(Seen(method, path, outcome, forwards))
                if outcome == "drop":
                    return
                if outcome in ("500", "429"):
                    client.sendall(_canned(int(outcome)))
                    return
                if fault is not None and outcome == "delay" and self._stopping.wait(fault.seconds):
                    return
                with self._lock:
                    self._forwarded += 1
                try:
                    answer = self._forward(head, body)
                except OSError:
                    client.sendall(_canned(502))
                    return
                if outcome == "drop_after":
                    return
                client.sendall(answer)
        finally:
            with self._lock:
                self._handlers.discard(threading.current_thread())

    def _forward(self, head: list[bytes], body: bytes) -> bytes:
        """Send one request upstream and return its whole answer, marked ``Connection: close``."""
        request_line, *headers = head
        kept = [h for h in headers if h.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
        if body and not any(h.lower().startswith(b"content-length:") for h in kept):
            # A chunked request was read whole: send it on with a plain length.
            kept = [h for h in kept if not h.lower().startswith(b"transfer-encoding:")]
            kept.append(b"Content-Length: " + str(len(body)).encode())
        data = b"\r\n".join([request_line, *kept, b"Connection: close", b"", b""]) + body
        with socket.create_connection(
            (self.upstream_host, self.upstream_port), timeout=self.upstream_timeout
        ) as upstream:
            upstream.sendall(data)
            raw = _read_answer(upstream)
        head_end = raw.find(b"\r\n\r\n")
        status_line, *answer_headers = raw[:head_end].split(b"\r\n")
        kept_answer = [
            h for h in answer_headers if h.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS
        ]
        new_head = b"\r\n".join([status_line, *kept_answer, b"Connection: close"])
        return new_head + raw[head_end:]


def _canned(status: int) -> bytes:
    reasons = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}
    body = b'{"message":"injected by the fault proxy"}'
    extra = "Retry-After: 1\r\n" if status == 429 else ""
    head = (
        f"HTTP/1.1 {status} {reasons[status]}\r\n"
        f"Content-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _read_answer(sock: socket.socket) -> bytes:
    """Read one answer: up to its Content-Length if it has one, else until the upstream closes."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("the upstream closed before a complete answer")
        raw += chunk
    raw_head = raw.split(b"\r\n\r\n", 1)[0]
    length = None
    for line in raw_head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while length is None or len(raw) < len(raw_head) + 4 + length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        raw += chunk
    return raw


def _read_request(sock: socket.socket) -> tuple[str, str, list[bytes], bytes] | None:
    """Read one request: method, path, head lines and the whole body (``None`` on EOF)."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
        if len(buffer) > _MAX_HEAD:
            raise ValueError("request head too large")
    raw_head, rest = buffer.split(b"\r\n\r\n", 1)
    head = raw_head.split(b"\r\n")
    method, path, _version = head[0].decode("latin-1").split(" ", 2)
    fields = {}
    for line in head[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = _read_chunked(sock, rest)
    else:
        length = int(fields.get(b"content-length", b"0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ValueError("the client closed in the middle of the body")
            rest += chunk
        body = rest[:length]
    return method, path, head, body


def _read_chunked(sock: socket.socket, rest: bytes) -> bytes:
    """Decode a chunked body (trailers are read and ignored)."""
    body = b""
    buffer = rest

    def fill(minimum: int) -> None:
        nonlocal buffer
        while len(buffer) < minimum:
            chunk = sock.recv(65536)
            if not chunk:
                raise ValueError("the client closed in the middle of a chunked body")
            buffer += chunk

    while True:
        while b"\r\n" not in buffer:
            fill(len(buffer) + 1)
        size_line, buffer = buffer.split(b"\r\n", 1)
        size = int(size_line.split(b";", 1)[0], 16)
        if size == 0:
            while not (buffer.startswith(b"\r\n") or b"\r\n\r\n" in buffer):
                fill(len(buffer) + 1)
            return body
        fill(size + 2)
        body += buffer[:size]
        buffer = buffer[size + 2 :]
