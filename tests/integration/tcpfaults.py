"""A loopback TCP proxy that cuts a connection where a byte pattern passes, for protocols
that are not HTTP (IMAP, SMTP). The HTTP fault proxy beside it works per request; here a
fault is a rule: in one direction, when ``pattern`` goes by, forward only what came before it
and close both sides (once). So a test can drop a connection in the middle of a FETCH's
literal, before the end of an SMTP DATA, or just before an answer that says "done".
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

Direction = Literal["up", "down"]  # up: client to server; down: server to client


@dataclass
class Cut:
    direction: Direction
    pattern: bytes
    fired: bool = False


class TcpFaultProxy:
    """Forward ``127.0.0.1:<port>`` to an upstream; cut connections where told."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._cuts: list[Cut] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self.cut_count = 0
        self.connections = 0

    def cut(self, direction: Direction, pattern: bytes) -> None:
        """Cut the next connection where ``pattern`` passes in ``direction``."""
        with self._lock:
            self._cuts.append(Cut(direction, pattern))

    def __enter__(self) -> TcpFaultProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._listener.close()
        for sock in list(self._sockets):
            _close(sock)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            self.connections += 1
            self._sockets += [client, server]
            for source, target, direction in ((client, server, "up"), (server, client, "down")):
                threading.Thread(
                    target=self._pump, args=(source, target, direction, client, server), daemon=True
                ).start()

    def _pump(
        self,
        source: socket.socket,
        target: socket.socket,
        direction: Direction,
        client: socket.socket,
        server: socket.socket,
    ) -> None:
        tail = b""
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                window = tail + chunk
                cut = self._match(direction, window)
                if cut is not None:
                    before = max(0, window.index(cut.pattern) - len(tail))
                    target.sendall(chunk[:before])
                    self.cut_count += 1
                    break
                target.sendall(chunk)
                tail = window[-256:]
        except OSError:
            pass
        _close(client)
        _close(server)

    def _match(self, direction: Direction, window: bytes) -> Cut | None:
        with self._lock:
            for cut in self._cuts:
                if not cut.fired and cut.direction == direction and cut.pattern in window:
                    cut.fired = True
                    return cut
        return None


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
