"""Signing in to Zendesk with OAuth: PKCE, the token endpoint, and a session that refreshes.

Zendesk's documented flow for a native app (a *public* OAuth client, which must use PKCE):

1. Send the user's browser to ``https://{subdomain}.zendesk.com/oauth/authorizations/new``
   with ``response_type=code``, ``client_id``, ``redirect_uri``, ``scope``, ``state``,
   ``code_challenge`` and ``code_challenge_method=S256`` ("Using PKCE to make Zendesk OAuth
   access tokens more secure", developer.zendesk.com/documentation/api-basics/authentication/
   oauth-pkce; "Using OAuth authentication with your application", support.zendesk.com
   article 4408845965210: a redirect URL may be plain http only on localhost or 127.0.0.1).
2. Zendesk redirects to ``redirect_uri?code=…&state=…`` (or ``error=access_denied``); the code
   is valid for 120 seconds.
3. ``POST /oauth/tokens`` with ``grant_type=authorization_code``, ``code``, ``client_id``,
   ``redirect_uri`` and ``code_verifier`` answers ``access_token``, ``token_type``,
   ``scope``, ``expires_in``, ``refresh_token`` and ``refresh_token_expires_in`` ("OAuth
   Tokens for Grant Types", developer.zendesk.com/api-reference/ticketing/oauth/
   grant_type_tokens).
4. Before the access token expires, ``POST /oauth/tokens`` with ``grant_type=refresh_token``,
   ``refresh_token`` and ``client_id`` gives a new access token *and a new refresh token*,
   invalidating both old ones ("Working with OAuth refresh tokens", developer.zendesk.com/
   documentation/api-basics/authentication/refresh-token). Access tokens of new clients
   expire after 30 minutes by default (48 hours at most), refresh tokens after 30 days.

No token ever goes into a message, a log line or a ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from deskterm.backend.connectors.errors import AuthError, TransientError

log = logging.getLogger(__name__)

#: Refresh this many seconds before the access token's expiry, not at the last moment.
REFRESH_MARGIN = 60.0
#: What deskterm asks for: it reads tickets, users and macros and writes tickets.
DEFAULT_SCOPE = "read write"
LOGIN_AGAIN = "the sign-in has expired: run `deskterm --remote zendesk login` again"


@dataclass(frozen=True)
class OAuthTokens:
    """One sign-in's tokens. ``expires_at`` is the access token's expiry (epoch seconds)."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float | None
    client_id: str = ""

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at is not None and now + seconds >= self.expires_at

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "client_id": self.client_id,
        }

    @classmethod
    def from_json(cls, data: Any) -> OAuthTokens | None:
        """The tokens a store kept, or None when what it kept is not readable."""
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        refresh = data.get("refresh_token")
        expires = data.get("expires_at")
        return cls(
            data["access_token"],
            refresh if isinstance(refresh, str) else None,
            float(expires) if isinstance(expires, int | float) and math.isfinite(expires) else None,
            str(data.get("client_id") or ""),
        )


class TokenKeeper(Protocol):
    """Where one account's tokens live between runs (see ``token_store``)."""

    def load(self) -> OAuthTokens | None: ...

    def save(self, tokens: OAuthTokens) -> None: ...


@dataclass(frozen=True)
class PKCE:
    """A code verifier and its S256 challenge (RFC 7636 §4.1–4.2)."""

    verifier: str = field(repr=False)
    challenge: str

    @classmethod
    def new(cls) -> PKCE:
        # 64 random bytes → 86 URL-safe characters, within RFC 7636's 43–128.
        verifier = secrets.token_urlsafe(64)
        return cls(verifier, s256(verifier))


def s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding, as ``code_challenge_method=S256`` says."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    base_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    challenge: str,
    state: str,
    scope: str = DEFAULT_SCOPE,
) -> str:
    """The page of step 1, where the user signs in and grants deskterm access."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{base_url.rstrip('/')}/oauth/authorizations/new?{query}"


class TokenEndpoint:
    """``POST {base_url}/oauth/tokens`` for both grant types (steps 3 and 4)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/oauth/tokens"
        self.client_id = client_id
        self._timeout = timeout
        self._transport = transport
        self._clock = clock

    def exchange(self, code: str, verifier: str, redirect_uri: str) -> OAuthTokens:
        """Step 3: the authorization code and the PKCE verifier for tokens.

        Raises:
            AuthError: Zendesk refused the code or the verifier.
            TransientError: no answer, a 429 or a 5xx.
        """
        return self._post(
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "scope": DEFAULT_SCOPE,
            }
        )

    def refresh(self, refresh_token: str) -> OAuthTokens:
        """Step 4: a refresh token for new tokens (the old ones stop working).

        Raises:
            AuthError: the refresh token was refused (expired, revoked, already used).
            TransientError: no answer, a 429 or a 5xx: try again later.
        """
        return self._post(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.client_id,
            }
        )

    def _post(self, body: dict[str, str]) -> OAuthTokens:
        grant = body["grant_type"]
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport) as http:
                response = http.post(self.url, json=body, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            # Offline is not a refusal: the sign-in may still be good once the network is back.
            raise TransientError(f"POST /oauth/tokens ({grant}): {type(exc).__name__}") from None
        log.debug("POST /oauth/tokens (%s) -> %s", grant, response.status_code)
        try:
            data = response.json()
        except ValueError:
            data = None
        status = response.status_code
        if status != 200 or not isinstance(data, dict):
            reason = _oauth_error(data) or response.reason_phrase
            message = f"POST /oauth/tokens ({grant}): {status} {reason}"
            if status == 429 or status >= 500:
                raise TransientError(message, status=status)
            raise AuthError(message, status=status)
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            raise AuthError(f"POST /oauth/tokens ({grant}): no access_token in the answer")
        expires_in = data.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and math.isfinite(expires_in):
            expires_at = self._clock() + float(expires_in)
        refresh = data.get("refresh_token")
        return OAuthTokens(
            access, refresh if isinstance(refresh, str) else None, expires_at, self.client_id
        )


def _oauth_error(data: Any) -> str:
    """RFC 6749 §5.2's ``error`` and ``error_description``, on one short line."""
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get(k) or "") for k in ("error", "error_description", "description")]
    return ": ".join(p for p in parts if p)[:200]


class OAuthSession:
    """The auth provider ``ZendeskHTTP`` asks for its Authorization header.

    It refreshes the access token ``REFRESH_MARGIN`` seconds before it expires, and once more
    when Zendesk answers 401 to a token it thought valid. Every new pair of tokens is saved
    at once (refresh tokens rotate: the old one is dead). When a refresh is refused, the
    keeper is read again first: another deskterm process may have refreshed meanwhile.
    """

    def __init__(
        self,
        tokens: OAuthTokens,
        endpoint: TokenEndpoint,
        keeper: TokenKeeper,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tokens = tokens
        self._endpoint = endpoint
        self._keeper = keeper
        self._clock = clock
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<hidden>)"

    @property
    def tokens(self) -> OAuthTokens:
        """The tokens in use now (after any refresh)."""
        return self._tokens

    @property
    def secrets(self) -> list[str]:
        """What must never be shown (for the client's redaction)."""
        return [s for s in (self._tokens.access_token, self._tokens.refresh_token) if s]

    def authorization(self) -> str:
        """The ``Authorization`` header value, refreshed first when expiry is near.

        Raises:
            AuthError: the token expired and could not be refreshed (one line: log in again).
            TransientError: it expired and Zendesk could not be reached to refresh it.
        """
        with self._lock:
            tokens = self._tokens
            if tokens.expires_within(REFRESH_MARGIN, self._clock()):
                try:
                    self._refresh(tokens.access_token)
                except (AuthError, TransientError):
                    if tokens.expires_within(0, self._clock()):
                        raise
                    # Not expired yet: use it for its last seconds; the next call tries again.
            return f"Bearer {self._tokens.access_token}"

    def refresh_after_unauthorized(self, refused_header: str) -> str:
        """A new header after a 401 to ``refused_header``; the same refresh is never repeated.

        Raises:
            AuthError: no refresh token, or Zendesk refused it.
            TransientError: Zendesk could not be reached to refresh it.
        """
        with self._lock:
            if refused_header == f"Bearer {self._tokens.access_token}":
                self._refresh(self._tokens.access_token)
            return f"Bearer {self._tokens.access_token}"

    def _refresh(self, stale_access: str) -> None:
        stored = self._keeper.load()
        if (
            stored is not None
            and stored.access_token != stale_access
            and not stored.expires_within(REFRESH_MARGIN, self._clock())
        ):
            self._tokens = stored  # another process refreshed already
            return
        current = stored or self._tokens
        if not current.refresh_token:
            raise AuthError(LOGIN_AGAIN, status=401)
        try:
            fresh = self._endpoint.refresh(current.refresh_token)
        except AuthError as exc:
            log.warning("Zendesk refused the refresh token: %s", exc)
            raise AuthError(LOGIN_AGAIN, status=401) from None
        self._keeper.save(fresh)
        self._tokens = fresh
        log.info("Zendesk access token refreshed")
