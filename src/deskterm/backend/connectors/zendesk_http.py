"""The HTTP side of deskterm's Zendesk client: auth, error mapping, cursor pagination.

Every failure becomes one of the domain errors of ``errors.py``:

- timeouts, dropped connections and 5xx → ``TransientError``
- 429 → ``RateLimited`` (``retry_after`` from ``Retry-After``, 60 s when absent or unreadable)
- a body ``{"errors": [...]}`` keeps the text of each error
- 401, and a 403 about authentication → ``AuthError``
- 409 and 412 → ``Conflict``
- any other 4xx → ``PermanentError`` with Zendesk's description on one line

Credentials never appear in messages, logs or ``repr``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import Any, Protocol, Self

import httpx

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
    RateLimited,
    RemoteError,
    TransientError,
    Unreachable,
)
from deskterm.backend.retry_after import retry_after

log = logging.getLogger(__name__)

#: One Zendesk record (ticket, comment, user, macro, view…) as its JSON object.
ZendeskRecord = dict[str, Any]

DEFAULT_RETRY_AFTER = 60.0
MAX_CURSOR_PAGE = 100
_SUBDOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
_AUTH_HINTS = ("authenticat", "invalid_token", "access token", "suspended")


def parse_retry_after(header: str | None, body: str = "", *, now: datetime | None = None) -> float:
    """Seconds to wait after a 429: ``Retry-After`` (seconds or an HTTP date), else a number
    of seconds in the answer's text (Zendesk sometimes answers in plain text), else
    ``DEFAULT_RETRY_AFTER`` (a rate limit window is a minute)."""
    seconds = retry_after(header, body=body, now=now)
    return DEFAULT_RETRY_AFTER if seconds is None else seconds


def describe_error(response: httpx.Response) -> str:
    """Zendesk's explanation of a failed answer, on one line (error, description, details)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    parts: list[str] = []
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            parts += [str(error.get("title") or ""), str(error.get("message") or "")]
        elif error:
            parts.append(str(error))
        parts += [str(data.get(k) or "") for k in ("description", "error_description", "message")]
        errors = data.get("errors")
        for item in errors if isinstance(errors, list) else []:
            if isinstance(item, dict):
                keys = ("code", "title", "detail", "message", "description")
                parts.append(" ".join(str(item[k]) for k in keys if item.get(k)))
            else:
                parts.append(str(item))
        details = data.get("details")
        if isinstance(details, dict):
            for items in details.values():
                for item in items if isinstance(items, list) else [items]:
                    parts.append(
                        str(item.get("description", "") if isinstance(item, dict) else item)
                    )
    elif response.text:
        parts.append(response.text)
    text = " ".join(": ".join(dict.fromkeys(p for p in parts if p.strip())).split())
    return text[:300] or response.reason_phrase or "no description"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(<hidden>)"


class AuthProvider(Protocol):
    """Gives the Authorization header and may renew it once after a 401 (OAuth sign-in).

    Both methods raise ``AuthError`` (one line for the user) when no usable header is left,
    and ``TransientError`` when the renewal could not reach the remote.
    """

    @property
    def secrets(self) -> list[str]: ...

    def authorization(self) -> str: ...

    def refresh_after_unauthorized(self, refused_header: str) -> str: ...


class _ProviderAuth(httpx.Auth):
    """Asks the provider for each request's header; after a 401, once more with a new one."""

    def __init__(self, provider: AuthProvider) -> None:
        self._provider = provider

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        header = self._provider.authorization()
        request.headers["Authorization"] = header
        response = yield request
        if response.status_code == 401:
            renewed = self._provider.refresh_after_unauthorized(header)
            if renewed != header:
                request.headers["Authorization"] = renewed
                yield request

    def __repr__(self) -> str:
        return "_ProviderAuth(<hidden>)"


class ZendeskHTTP:
    """The connection to one Zendesk account: auth, requests, errors, cursor pagination."""

    def __init__(
        self,
        *,
        subdomain: str | None = None,
        base_url: str | None = None,
        email: str | None = None,
        api_token: str | None = None,
        oauth_token: str | None = None,
        auth_provider: AuthProvider | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Args:
            subdomain: the account's subdomain (``acme`` for https://acme.zendesk.com).
            base_url: replaces the subdomain's URL (tests, proxies); wins over ``subdomain``.
            email, api_token: an API token and the email of the user it acts as.
            oauth_token: an OAuth access token, used instead of the API token when given.
            auth_provider: a signed-in OAuth session (refreshing its token), used before
                either of the above when given.
            timeout: seconds for each request (connect, read, write).
            transport: an httpx transport, for tests.

        Raises:
            ValueError: no address, a malformed subdomain, or no usable credentials.
        """
        if base_url:
            root = base_url.rstrip("/")
        elif subdomain and _SUBDOMAIN.match(subdomain):
            root = f"https://{subdomain.lower()}.zendesk.com"
        else:
            raise ValueError("give a Zendesk subdomain (letters, digits, dashes) or a base_url")
        auth: httpx.Auth
        if auth_provider is not None:
            auth, self._auth_kind = _ProviderAuth(auth_provider), "oauth"
        elif oauth_token:
            auth, self._auth_kind = _BearerAuth(oauth_token), "oauth"
        elif email and api_token:
            auth, self._auth_kind = httpx.BasicAuth(f"{email}/token", api_token), "api_token"
        else:
            raise ValueError("give an email and an api_token, or an oauth_token")
        self._secrets = [s for s in (api_token, oauth_token) if s]
        self._auth_provider = auth_provider
        self.base_url = root
        self._http = httpx.Client(
            base_url=f"{root}/api/v2/",
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "deskterm"},
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self._auth_kind!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        provided = self._auth_provider.secrets if self._auth_provider else []
        for secret in self._secrets + provided:
            text = text.replace(secret, "<hidden>")
        return text

    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> Any:
        where = f"{method} /api/v2/{path}"
        try:
            response = self._http.request(method, path, params=params, json=json)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(f"{where}: connection failed ({type(exc).__name__})") from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"{where}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{where}: connection failed ({type(exc).__name__})") from exc
        status = response.status_code
        log.debug("%s -> %s", where, status)
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return {}
            try:
                return response.json()
            except ValueError:
                raise TransientError(f"{where}: answer is not JSON", status=status) from None
        raise self._error(where, response)

    def _error(self, where: str, response: httpx.Response) -> RemoteError:
        status = response.status_code
        message = self._redact(f"{where}: {status} {describe_error(response)}")
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), response.text)
            return RateLimited(message, retry_after=retry_after, status=status)
        if status == 401:
            return AuthError(message, status=status)
        if status == 403:
            auth_failure = any(hint in message.lower() for hint in _AUTH_HINTS)
            return (AuthError if auth_failure else PermanentError)(message, status=status)
        if status in (409, 412):
            return Conflict(message, status=status)
        if status >= 500:
            return TransientError(message, status=status)
        return PermanentError(message, status=status)

    def get_file(self, url: str, *, credentials: bool, limit: int) -> bytes | str:
        """GET an absolute address, streamed: its bytes (at most ``limit``), or, when it
        redirects, the absolute address it points to (not followed: the caller checks it).

        Args:
            credentials: send the account's credentials (only ever to the account's host).

        Raises:
            PermanentError: more than ``limit`` bytes, or a 4xx.
            TransientError, RateLimited, AuthError: as every other call.
        """
        target = httpx.URL(url)
        where = f"GET a file on {target.host}"  # the path holds the file's token: not said
        auth: Any = httpx.USE_CLIENT_DEFAULT if credentials else None
        try:
            with self._http.stream("GET", target, auth=auth, headers={"Accept": "*/*"}) as response:
                status = response.status_code
                log.debug("%s -> %s", where, status)
                if status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                    return str(response.url.join(response.headers["Location"]))
                if not 200 <= status < 300:
                    response.read()
                    raise self._error(where, response)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise PermanentError(f"{where}: larger than {_megabytes(limit)}")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise PermanentError(f"{where}: larger than {_megabytes(limit)}")
                return bytes(data)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(f"{where}: connection failed ({type(exc).__name__})") from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"{where}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{where}: connection failed ({type(exc).__name__})") from exc

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        data = self._request("GET", path, params=params)
        return data if isinstance(data, dict) else {}

    def _iter_cursor(
        self,
        path: str,
        key: str,
        params: dict[str, Any] | None = None,
        page_size: int = MAX_CURSOR_PAGE,
    ) -> Iterator[ZendeskRecord]:
        query: dict[str, Any] = dict(params or {}) | {"page[size]": page_size}
        while True:
            data = self._get(path, query)
            yield from data.get(key) or []
            meta = data.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return
            query["page[after]"] = meta["after_cursor"]
