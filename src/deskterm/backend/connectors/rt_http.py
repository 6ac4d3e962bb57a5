"""The HTTP side of deskterm's Request Tracker client: authentication, JSON, error mapping.

Every failure becomes one of the domain errors of ``errors.py``, so the sync engine can
decide from the class alone whether to retry, wait or give up:

- timeouts, dropped connections, 5xx and answers that are not JSON → ``TransientError``
- 429 → ``RateLimited`` (``retry_after`` from ``Retry-After``)
- 401, 403 and a refused login → ``AuthError``
- 409 and 412 → ``Conflict``
- any other 4xx, and an update RT answers 200 to but refuses → ``PermanentError``
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from deskterm.backend.connectors.rt_records import refusals, retry_after_seconds


class RTSession:
    """Requests to RT's REST 2 API, authenticated by a token, basic auth, or a web session
    it logs in to (again when it expires)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        web_session: bool = False,
    ) -> None:
        """See :class:`~deskterm.backend.connectors.rt_api.RTClient`."""
        headers = {"Accept": "application/json"}
        auth: httpx.Auth | None = None
        root = base_url.rstrip("/").removesuffix("/REST/2.0")
        self._login: dict[str, str] | None = None
        if token:
            headers["Authorization"] = f"token {token}"
        elif user and password and web_session:
            self._login = {"user": user, "pass": password}
            # RT refuses cookie-authenticated writes without a same-site Referer (CSRF).
            headers["Referer"] = f"{root}/"
        elif user and password:
            auth = httpx.BasicAuth(user, password)
        else:
            raise ValueError("RTClient needs a token, or a user and a password")
        self._root = root
        self._logged_in = False
        self._http = httpx.Client(
            base_url=f"{root}/REST/2.0/",
            headers=headers,
            auth=auth,
            timeout=timeout,
            transport=transport,
        )

    @property
    def base_url(self) -> httpx.URL:
        """The REST 2 root, ``http://host:port/REST/2.0/``."""
        return self._http.base_url

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def get_json(self, path: str, *, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` and return its JSON answer."""
        return json_of(self.request("GET", path, params=params))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request (``body`` as JSON); raise the connector error of any failure."""
        extra = dict(headers or {})
        content = None
        if method in ("POST", "PUT"):
            # RT answers 415 to a POST or PUT without this header, even with an empty body.
            extra["Content-Type"] = "application/json"
            content = json.dumps(body or {}).encode()
        try:
            if self._login is not None and not self._logged_in:
                self._log_in()
            response = self._http.request(
                method, path, params=params, content=content, headers=extra
            )
            if response.status_code in (302, 401) and self._login is not None:
                self._log_in()  # the session expired (RT redirects to its login form)
                response = self._http.request(
                    method, path, params=params, content=content, headers=extra
                )
                if response.status_code in (302, 401):
                    raise AuthError(f"RT refused the login of {self._login['user']!r}", status=401)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(f"cannot reach RT for {method} {path}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"RT did not answer {method} {path} in time: {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"connection to RT lost on {method} {path}: {exc}") from exc
        _raise_for_status(response, f"{method} {path}")
        return response

    def _log_in(self) -> None:
        """Open a web session with the user's password (RT's login form)."""
        assert self._login is not None
        self._http.cookies.clear()
        response = self._http.post(
            f"{self._root}/NoAuth/Login.html", data=self._login, follow_redirects=False
        )
        if response.status_code >= 500:
            raise TransientError(f"RT answered {response.status_code} to the login form")
        self._logged_in = True


def _raise_for_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"RT answered {status} to {what}: {_error_text(response)}"
    if status == 429:
        raise RateLimited(
            message, retry_after=retry_after_seconds(response.headers.get("Retry-After"))
        )
    if status >= 500:
        raise TransientError(message, status=status)
    if status in (401, 403):
        raise AuthError(message, status=status)
    if status in (409, 412):
        raise Conflict(message, status=status)
    raise PermanentError(message, status=status)


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(data, dict) and "message" in data:
        return str(data["message"])
    return str(data)[:200]


def json_of(response: httpx.Response) -> Any:
    """The JSON of an answer; a cut or garbled one is a TransientError."""
    try:
        return response.json()
    except ValueError as exc:
        # A cut or garbled answer (a proxy, a crashed worker): worth another try.
        raise TransientError(
            f"RT's answer to {response.request.method} {response.request.url.path} is not JSON",
            status=response.status_code,
        ) from exc


def raise_on_refusal(messages: list[str], what: str) -> None:
    """RT answers 200 to an update it refused, saying so in its messages: PermanentError."""
    refused = refusals(messages)
    if refused:
        raise PermanentError(f"RT refused the {what}: {'; '.join(refused)}", status=200)
