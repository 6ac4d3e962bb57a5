"""A loopback HTTP server that replays recorded answers (``tests/fixtures/``) to a real client.

``Replay()`` is a context manager; ``replay.url`` replaces the remote's address. ``on(path,
answers, query=...)`` says what a request for ``path`` gets: the recorded answers one after the
other (the last one again once they run out). A request nothing was said for is a test
failure, kept in ``replay.unexpected``; every request is kept in ``replay.requests``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

#: Headers of a recording that describe the original transfer, not the answer.
_TRANSFER_HEADERS = {"content-length", "content-encoding", "transfer-encoding", "connection"}


def recorded(name: str) -> list[dict[str, Any]]:
    """The recorded answers of ``tests/fixtures/<name>`` (see the README beside them)."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return list(data["answers"])


@dataclass
class _Rule:
    path: str
    query: dict[str, str]
    answers: list[dict[str, Any]]
    served: int = 0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]


@dataclass
class _State:
    rules: list[_Rule] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    unexpected: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, dict(parse_qsl(parts.query)))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        answer = self.server.state_answer(request)
        if answer is None:
            answer = {"status": 599, "headers": {}, "body": "nothing recorded for this request"}
        body = answer["body"]
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(int(answer["status"]))
        for name, value in answer.get("headers", {}).items():
            if name.lower() not in _TRANSFER_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``replay.requests``."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def state_answer(self, request: Request) -> dict[str, Any] | None:
        with self.state.lock:
            self.state.requests.append(request)
            for rule in self.state.rules:
                if rule.path == request.path and rule.query.items() <= request.query.items():
                    answer = rule.answers[min(rule.served, len(rule.answers) - 1)]
                    rule.served += 1
                    return answer
            self.state.unexpected.append(request)
            return None


class Replay:
    """Recorded answers served on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        self._state = _State()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.state = self._state
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def requests(self) -> list[Request]:
        return self._state.requests

    @property
    def unexpected(self) -> list[Request]:
        return self._state.unexpected

    def on(
        self, path: str, answers: list[dict[str, Any]], query: dict[str, str] | None = None
    ) -> None:
        """Answer requests for ``path`` (whose query holds ``query``) with ``answers``; the
        rules said first are tried first."""
        with self._state.lock:
            self._state.rules.append(_Rule(path, dict(query or {}), list(answers)))

    def __enter__(self) -> Replay:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd.server_close()
