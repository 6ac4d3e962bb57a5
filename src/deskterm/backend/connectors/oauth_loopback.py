"""The loopback redirect a native app's OAuth sign-in comes back to (RFC 8252 §7.3).

A one-shot HTTP server on 127.0.0.1 and a port the system picks; the browser is sent to
``http://127.0.0.1:<port>/callback?code=…&state=…`` once the user has granted access, and
the server hands the code to whoever waits for it. Only the first answer carrying the
expected ``state`` counts; anything else is refused (RFC 6749 §10.12: a forged redirect).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/callback"
_PAGE = (
    "<!doctype html><meta charset=utf-8><title>deskterm</title>"
    "<p style='font-family:sans-serif'>{}</p>"
)


@dataclass(frozen=True)
class Redirect:
    """What the browser brought back: a code, or Zendesk's error."""

    code: str | None
    error: str | None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # a connection the browser opens ahead and never uses is dropped

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        receiver = self.server.receiver
        if parts.path != CALLBACK_PATH or query.get("state") != receiver.state:
            self._answer(400, "This is not the answer deskterm is waiting for.")
            return
        if query.get("code"):
            receiver.deliver(Redirect(query["code"], None))
            self._answer(200, "Signed in. You can close this window and go back to deskterm.")
        else:
            error = query.get("error_description") or query.get("error") or "no code"
            receiver.deliver(Redirect(None, error[:200]))
            self._answer(200, "The sign-in did not go through; deskterm says why.")

    def _answer(self, status: int, text: str) -> None:
        body = _PAGE.format(text).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request line holds the code."""


class _Server(ThreadingHTTPServer):
    # Threads: a browser's speculative connection, idle, must not hold up the real redirect.
    daemon_threads = True
    receiver: LoopbackReceiver


class LoopbackReceiver:
    """Serve the redirect URI until a code (or an error) arrives; a context manager."""

    def __init__(self, state: str, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host``:``port`` (0: a free port the system picks).

        Raises:
            OSError: the port is taken.
        """
        self.state = state
        self._server = _Server((host, port), _Handler)
        self._server.receiver = self
        self._arrived = threading.Event()
        self._redirect: Redirect | None = None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.redirect_uri = f"http://{host}:{self._server.server_address[1]}{CALLBACK_PATH}"

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def deliver(self, redirect: Redirect) -> None:
        if not self._arrived.is_set():
            self._redirect = redirect
            self._arrived.set()

    def wait(self, timeout: float) -> Redirect | None:
        """The redirect, or None when none came within ``timeout`` seconds."""
        return self._redirect if self._arrived.wait(timeout) else None
