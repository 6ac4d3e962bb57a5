"""A local stand-in for the Zendesk Support API, for tests (standard library only).

``FakeZendesk()`` is a context manager serving an in-memory account on 127.0.0.1 (a free
port); ``server.url`` replaces ``https://{subdomain}.zendesk.com``. Seed it from Python with
``add_user`` (role end-user, agent or admin), ``add_organization``, ``add_group``,
``add_ticket``, ``add_comment``, ``delete_ticket`` and ``add_macro``; every request is kept in
``server.requests``. Its signed-in user (``server.agent``) is an admin unless
``agent_role="agent"`` is given.

It serves the endpoints deskterm's client calls, and only those; the README next to this file
ties each behaviour to its source. In short:

- Auth: basic ``{email}/token:{api_token}`` for an existing user, or ``Authorization: Bearer``
  with a token from ``server.oauth_tokens``; anything else is a 401
  ``{"error": "Couldn't authenticate you"}`` (OAuth: ``invalid_token``).
- ``GET/PUT /api/v2/tickets/{id}``: updates take status, priority, type, subject,
  assignee_id, group_id, tags, additional_tags, remove_tags, custom_fields, due_at and a
  comment (body or html_body, public, author_id). ``safe_update`` with a stale
  ``updated_stamp`` is a 409 ``UpdateConflict``; an invalid value is a 422 ``RecordInvalid``
  with ``details``; a closed ticket cannot be updated (422); the requester's comment on a
  pending or solved ticket sets it back to open; an end user's comment is always public;
  solving an unassigned ticket assigns the solving agent. Answers carry the ``audit``.
- ``GET /api/v2/tickets/{id}/comments`` (cursor pages); ``/users/me``, ``/users/show_many``.
- A deleted ticket answers 404 ``RecordNotFound`` (itself and its comments), leaves search,
  and comes in the ticket export with ``"status": "deleted"``.
- ``GET /api/v2/incremental/tickets/cursor.json`` (``start_time`` then ``cursor``;
  ``per_page`` ≤ 1000; ordered by updated_at; ``after_cursor`` is given even at the end of the
  stream); it leaves out the last minute, refuses a ``start_time`` within it (422), and is
  for admins only: an agent gets 403 ``Forbidden``.
- ``GET /api/v2/deleted_tickets`` (open to agents; ``sort_by`` id, subject or deleted_at).
- ``GET /api/v2/search/export`` (``query``, ``filter[type]``, cursor pages up to 1000; see
  ``query`` for the syntax), open to agents; newest first.
- ``GET /api/v2/macros`` (cursor or offset pages, ``active=true|false``) and
  ``/macros/active`` (offset pages only); ``POST /api/v2/macros`` and ``PUT
  /api/v2/macros/{id}`` (see ``macros``: a shared macro is an admin's to create or change,
  or an agent's with ``agents_manage_shared_macros``; anyone else gets 403 ``Forbidden``).
- Cursor pagination (``page[size]`` ≤ 100, else 400; ``page[after]``; ``meta``/``links``) and
  offset pagination (``page``, ``per_page`` ≤ 100, ``next_page``, ``count``; 400 past 10,000).
- Rate limits per minute of the fake's clock: ``X-Rate-Limit`` and ``X-Rate-Limit-Remaining``
  on every answer; over ``rate_limit`` (700), or over ``incremental_rate_limit`` (10) on the
  export, a 429 with ``Retry-After`` (seconds to the next minute) and a plain-text body.
- Faults: ``fail_next(n, status, body, retry_after=...)`` and ``delay_next(n, seconds)``.

Files: ``attach_file(comment, …)``; a comment lists them, and their ``content_url`` answers a
302 to the bytes (see ``files``).

What it simplifies: one brand, side conversations, custom statuses or ticket
forms; every agent sees every ticket; ``updated_at`` moves forward by at least a second on
every change, so ``safe_update`` works with a frozen clock.

The clock is ``server.clock`` (real time by default); set ``server.now = datetime(...)`` to
freeze it and ``server.advance(seconds)`` to move it.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.zendesk.account import ZendeskAccount
from tests.fakes.zendesk.records import ApiError, to_epoch
from tests.fakes.zendesk.routes import Call, dispatch

_RATE_LIMITED_BODY = "Number of allowed API requests per minute exceeded"
_DEFAULT_FAULT_BODIES: dict[int, dict[str, Any] | str] = {
    429: "Too Many Requests",
    500: {"error": "InternalServerError", "description": "Something went wrong"},
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass
class RecordedRequest:
    """One request as the fake received it (the Authorization header is left out)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    user_id: int | None = None


@dataclass
class _Fault:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm meets the
    # client's delayed ACK and every keep-alive answer waits ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``server.requests`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeZendesk

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is not an error of the fake."""


class FakeZendesk(ZendeskAccount):
    """The fake Zendesk account and its HTTP server; use it as a context manager."""

    def __init__(
        self,
        *,
        now: datetime | float | None = None,
        rate_limit: int | None = 700,
        incremental_rate_limit: int | None = 10,
        api_token: str = "fake-api-token",
        oauth_token: str = "fake-oauth-token",
        agent_name: str = "Ada Admin",
        agent_email: str = "ada@example.com",
        agent_role: str = "admin",
    ) -> None:
        super().__init__(clock=time.time)
        if now is not None:
            self.now = now
        self.rate_limit = rate_limit
        self.incremental_rate_limit = incremental_rate_limit
        self.requests: list[RecordedRequest] = []
        #: Tracebacks of the fake's own crashes (answered as 500s); a test may assert it empty.
        self.errors: list[str] = []
        self._faults: deque[_Fault] = deque()
        self._path_faults: dict[str, _Fault] = {}
        self._delays: deque[float] = deque()
        self._windows: dict[tuple[str, int], int] = {}
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.agent = self.add_user(agent_name, agent_email, role=agent_role)
        self.api_token = api_token
        self.api_tokens = {api_token}
        self.oauth_token = oauth_token
        self.oauth_tokens = {oauth_token: self.agent["id"]}

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FakeZendesk:
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
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    # -- clock and faults --------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The fake's current time, as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), UTC)

    @now.setter
    def now(self, value: datetime | float) -> None:
        frozen = float(to_epoch(value, 0)) if isinstance(value, datetime) else float(value)
        self.clock = lambda: frozen

    def advance(self, seconds: float) -> None:
        """Move the clock forward (it stays frozen at the new time)."""
        self.now = self.clock() + seconds

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        body: dict[str, Any] | str | None = None,
        *,
        retry_after: int | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (plain text when ``body`` is a str)."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = str(retry_after)
        chosen = body if body is not None else _DEFAULT_FAULT_BODIES.get(status, {"error": "Error"})
        with self.lock:
            self._faults.extend(_Fault(status, chosen, extra) for _ in range(n))

    def fail_path(
        self, path: str, status: int | None, body: dict[str, Any] | str | None = None
    ) -> None:
        """Answer every request for ``path`` with ``status`` until called with None."""
        with self.lock:
            if status is None:
                self._path_faults.pop(path, None)
            else:
                chosen = body if body is not None else _DEFAULT_FAULT_BODIES.get(status, {})
                self._path_faults[path] = _Fault(status, chosen)

    def delay_next(self, n: int = 1, seconds: float = 1.0) -> None:
        """Hold the answers to the next ``n`` requests for ``seconds`` (real time)."""
        with self.lock:
            self._delays.extend(seconds for _ in range(n))

    # -- serving ---------------------------------------------------------------------------

    def _rate(self, path: str) -> tuple[dict[str, str], int | None]:
        """Count the request; return the rate headers and, when over a limit, Retry-After."""
        now = self.clock()
        window = int(now // 60)
        retry_after = max(1, math.ceil((window + 1) * 60 - now))
        limits = [("account", self.rate_limit)]
        if "/incremental/" in path:
            limits.append(("incremental", self.incremental_rate_limit))
        headers: dict[str, str] = {}
        limited = False
        with self.lock:
            for name, limit in limits:
                if limit is None:
                    continue
                used = self._windows.get((name, window), 0) + 1
                self._windows[(name, window)] = used
                if name == "account":
                    headers["X-Rate-Limit"] = str(limit)
                    headers["X-Rate-Limit-Remaining"] = str(max(0, limit - used))
                limited = limited or used > limit
        return headers, (retry_after if limited else None)

    def _authenticate(self, header: str | None) -> dict[str, Any]:
        refused = ApiError(401, {"error": "Couldn't authenticate you"})
        scheme, _, credentials = (header or "").partition(" ")
        if scheme.lower() == "bearer":
            user_id = self.oauth_tokens.get(credentials.strip())
            if user_id is None or user_id not in self.users:
                description = (
                    "The access token provided is expired, revoked, malformed or invalid "
                    "for other reasons."
                )
                raise ApiError(401, {"error": "invalid_token", "error_description": description})
            return self.users[user_id]
        if scheme.lower() != "basic":
            raise refused
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise refused from None
        login, _, secret = decoded.partition(":")
        if not login.endswith("/token") or secret not in self.api_tokens:
            raise refused
        email = login.removesuffix("/token").lower()
        for user in self.users.values():
            if str(user.get("email") or "").lower() == email and user["active"]:
                return user
        raise refused

    def _handle(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body: Any = None
        bad_json = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body, bad_json = raw.decode(errors="replace"), True
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(handler.command, parts.path, query, body, headers)
        with self.lock:
            self.requests.append(record)
            delay = self._delays.popleft() if self._delays else 0.0
            fault = self._faults.popleft() if self._faults else None
            fault = fault or self._path_faults.get(parts.path)
        if delay:
            self._stopping.wait(delay)
        if fault is not None:
            self._send(handler, fault.status, fault.body, fault.headers)
            return
        rate_headers, retry_after = self._rate(parts.path)
        if retry_after is not None:
            limited = rate_headers | {"Retry-After": str(retry_after)}
            self._send(handler, 429, _RATE_LIMITED_BODY, limited)
            return
        served = self.files.answer(parts.path, self.url)
        if served is not None:
            status, file_headers, data = served
            self._send_bytes(handler, status, data, rate_headers | file_headers)
            return
        try:
            actor = self._authenticate(handler.headers.get("Authorization"))
            record.user_id = actor["id"]
            if bad_json:
                raise ApiError(400, {"error": "InvalidJSON", "description": "Invalid JSON body"})
            call = Call(handler.command, parts.path, query, body, actor, self.url)
            status, payload = dispatch(self, call)
            extra: dict[str, str] = {}
        except ApiError as error:
            status, payload, extra = error.status, error.body, error.headers  # type: ignore[assignment]
        except Exception:
            self.errors.append(traceback.format_exc())
            status, payload, extra = 500, {"error": "InternalServerError"}, {}
        self._send(handler, status, payload, rate_headers | extra)

    @staticmethod
    def _send_bytes(handler: _Handler, status: int, data: bytes, headers: dict[str, str]) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _send(
        handler: _Handler, status: int, payload: dict[str, Any] | str, headers: dict[str, str]
    ) -> None:
        if isinstance(payload, str):
            data, kind = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, kind = json.dumps(payload).encode(), "application/json; charset=utf-8"
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)
