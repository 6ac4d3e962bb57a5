"""Local stand-ins for GitHub Issues and Jira Cloud, for tests (standard library only).

``FakeGitHub()`` and ``FakeJira()`` are context managers serving an in-memory tracker on
127.0.0.1 (a free port); ``server.url`` replaces ``https://api.github.com`` or the Jira site;
``server.issues`` holds what was created and ``server.requests`` every (method, path).

What they follow:

- GitHub (REST API 2022-11-28, https://docs.github.com/en/rest/issues/issues):
  ``Authorization: Bearer <token>`` else 401 ``{"message": "Bad credentials"}``;
  ``GET /repos/{owner}/{repo}/issues?labels=a,b&state=all`` lists the issues carrying every
  label named (an array of issues, each with ``number``, ``html_url``, ``labels``: objects
  with a ``name``); ``POST /repos/{owner}/{repo}/issues`` with ``title`` (required, else 422
  ``Validation Failed``), ``body``, ``labels`` answers 201 with the issue.
- Jira Cloud (REST API v3, https://developer.atlassian.com/cloud/jira/platform/rest/v3/):
  basic auth ``email:api_token`` else 401; ``GET /rest/api/3/search/jql?jql=...`` understands
  ``project = "K" AND labels = "x"`` and answers ``{"issues": [{"id", "key", "self"}],
  "isLast": true}``; ``POST /rest/api/3/issue`` with ``fields`` (project key, summary,
  issuetype name, labels, description as an Atlassian document of type ``doc``) answers 201
  ``{"id", "key", "self"}``; a missing summary is a 400 with ``errors``.

Faults, on the next creations: ``fail_next(status, retry_after=...)`` answers that status
without creating anything; ``lose_next()`` creates the issue, then drops the connection
without an answer (what a timeout or a cut network looks like to the client).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _Fake:
    """The server, the fault queue, what was asked and created."""

    def __init__(self) -> None:
        self.issues: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.faults: deque[tuple[str, int, float | None]] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> _Fake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, *, retry_after: float | None = None) -> None:
        self.faults.append(("fail", status, retry_after))

    def lose_next(self) -> None:
        self.faults.append(("lose", 0, None))

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append((method, parts.path))
            if not self.authorised(handler.headers.get("Authorization", "")):
                self._answer(handler, 401, self.unauthorised())
                return
            fault = self.faults.popleft() if method == "POST" and self.faults else None
            if fault is not None and fault[0] == "fail":
                headers = {"Retry-After": str(fault[2])} if fault[2] is not None else {}
                self._answer(handler, fault[1], {"message": "Server Error"}, headers)
                return
            status, body = self.route(method, parts.path, parse_qs(parts.query), raw)
            if fault is not None and fault[0] == "lose":
                handler.close_connection = True  # created, and no answer ever comes
                return
        self._answer(handler, status, body)

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    # Each fake fills these in.
    def authorised(self, header: str) -> bool:
        raise NotImplementedError

    def unauthorised(self) -> Any:
        raise NotImplementedError

    def route(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes
    ) -> tuple[int, Any]:
        raise NotImplementedError


class FakeGitHub(_Fake):
    def __init__(self, token: str = "gh-token", repository: str = "popote/app") -> None:
        super().__init__()
        self.token = token
        self.repository = repository

    def authorised(self, header: str) -> bool:
        return header == f"Bearer {self.token}"

    def unauthorised(self) -> Any:
        return {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}

    def route(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes
    ) -> tuple[int, Any]:
        if path != f"/repos/{self.repository}/issues":
            return 404, {"message": "Not Found"}
        if method == "GET":
            wanted = {w for w in (query.get("labels", [""])[0]).split(",") if w}
            found = [i for i in self.issues if wanted <= {label["name"] for label in i["labels"]}]
            return 200, list(reversed(found))
        payload = json.loads(raw or b"{}")
        if not payload.get("title"):
            return 422, {"message": "Validation Failed", "errors": [{"field": "title"}]}
        number = len(self.issues) + 1
        issue = {
            "id": 1000 + number,
            "number": number,
            "title": payload["title"],
            "body": payload.get("body"),
            "state": "open",
            "labels": [{"name": name} for name in payload.get("labels", [])],
            "html_url": f"https://github.com/{self.repository}/issues/{number}",
            "url": f"https://api.github.com/repos/{self.repository}/issues/{number}",
        }
        self.issues.append(issue)
        return 201, issue


class FakeJira(_Fake):
    def __init__(self, email: str = "ana@popote.example", token: str = "jira-token") -> None:
        super().__init__()
        self.credentials = base64.b64encode(f"{email}:{token}".encode()).decode()

    def authorised(self, header: str) -> bool:
        return header == f"Basic {self.credentials}"

    def unauthorised(self) -> Any:
        return {"errorMessages": ["You are not authenticated."], "errors": {}}

    def route(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes
    ) -> tuple[int, Any]:
        if method == "GET" and path == "/rest/api/3/search/jql":
            jql = query.get("jql", [""])[0]
            project = re.search(r'project = "([^"]+)"', jql)
            label = re.search(r'labels = "([^"]+)"', jql)
            found = [
                {"id": i["id"], "key": i["key"], "self": i["self"]}
                for i in self.issues
                if (project is None or i["project"] == project.group(1))
                and (label is None or label.group(1) in i["labels"])
            ]
            return 200, {"issues": found, "isLast": True}
        if method == "POST" and path == "/rest/api/3/issue":
            fields = json.loads(raw or b"{}").get("fields", {})
            if not fields.get("summary"):
                return 400, {
                    "errorMessages": [],
                    "errors": {"summary": "You must specify a summary"},
                }
            if fields.get("description", {}).get("type") != "doc":
                return 400, {
                    "errorMessages": [],
                    "errors": {"description": "Operation value must be an Atlassian Document"},
                }
            number = len(self.issues) + 1
            key = f"{fields['project']['key']}-{number}"
            issue = {
                "id": str(10000 + number),
                "key": key,
                "self": f"{self.url}/rest/api/3/issue/{10000 + number}",
                "project": fields["project"]["key"],
                "summary": fields["summary"],
                "labels": fields.get("labels", []),
                "description": fields["description"],
            }
            self.issues.append(issue)
            return 201, {"id": issue["id"], "key": key, "self": issue["self"]}
        return 404, {"errorMessages": ["Not found"], "errors": {}}
