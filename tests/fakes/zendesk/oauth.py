"""Zendesk's OAuth sign-in for the fake account: ``ZendeskOAuthFake(fake_zendesk)``.

It serves, on the fake account's own address (as Zendesk serves them on the account's):

- ``GET /oauth/authorizations/new`` (``response_type=code``, ``client_id``, ``redirect_uri``,
  ``scope``, ``state``, ``code_challenge``, ``code_challenge_method=S256``): the user is
  taken as signed in and granting access, so the answer is the 302 to
  ``redirect_uri?code=…&state=…``; ``deny_next()`` makes it ``error=access_denied``. An
  unknown client or a redirect URI that is neither https nor loopback is a 400 page, as
  Zendesk does not redirect to an address it cannot trust. PKCE is required (a public client).
- ``POST /oauth/tokens`` (JSON or form): ``grant_type=authorization_code`` with ``code``
  (valid 120 s, used once), ``client_id``, ``redirect_uri`` (the same as in step 1) and
  ``code_verifier`` (``BASE64URL(SHA256(verifier))`` must equal the challenge);
  ``grant_type=refresh_token`` with ``refresh_token`` and ``client_id``, which invalidates
  the old access and refresh tokens. Answers ``access_token``, ``token_type`` ``bearer``,
  ``scope``, ``expires_in``, ``refresh_token``, ``refresh_token_expires_in``; a refusal is a
  400 ``{"error": "invalid_grant", "error_description": …}``.
- Every API route: an issued access token is accepted until it expires on the fake's clock,
  then answered 401 ``invalid_token`` (the account's own Bearer check, fed by this fake).

Sources: "Using PKCE to make Zendesk OAuth access tokens more secure" and "OAuth Tokens for
Grant Types" (developer.zendesk.com), "Working with OAuth refresh tokens" (ditto), and
"Using OAuth authentication with your application" (support.zendesk.com 4408845965210).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.zendesk.server import FakeZendesk

#: Zendesk's defaults for new OAuth clients: 30 minutes and 30 days.
ACCESS_SECONDS = 30 * 60
REFRESH_SECONDS = 30 * 24 * 3600
CODE_SECONDS = 120


@dataclass
class _Grant:
    user_id: int
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    issued: float


@dataclass
class _Access:
    user_id: int
    expires: float


class _ExpiringTokens(dict[str, int]):
    """The account's ``oauth_tokens``, where an issued token stops working when it expires."""

    def __init__(self, oauth: ZendeskOAuthFake, fixed: dict[str, int]) -> None:
        super().__init__(fixed)
        self._oauth = oauth

    def get(self, key: str, default: Any = None) -> Any:
        access = self._oauth.access.get(key)
        if access is not None:
            return access.user_id if self._oauth.clock() < access.expires else default
        return super().get(key, default)


class ZendeskOAuthFake:
    """The OAuth endpoints of one fake account, with expiring, rotating tokens."""

    def __init__(
        self,
        account: FakeZendesk,
        *,
        client_id: str = "deskterm",
        access_seconds: int = ACCESS_SECONDS,
        refresh_seconds: int = REFRESH_SECONDS,
    ) -> None:
        self.account = account
        self.client_ids = {client_id}
        self.access_seconds = access_seconds
        self.refresh_seconds = refresh_seconds
        self.grants: dict[str, _Grant] = {}
        self.access: dict[str, _Access] = {}
        self.refresh: dict[str, tuple[int, str, float]] = {}  # token → (user, client, expiry)
        #: Every token request's grant type and answer status, in order.
        self.token_calls: list[tuple[str, int]] = []
        #: Every access and refresh token ever issued (to look for them where none may be).
        self.issued: list[str] = []
        self._deny = 0
        self._serve_api = account._handle
        account.oauth_tokens = _ExpiringTokens(self, dict(account.oauth_tokens))
        account._handle = self._handle  # type: ignore[method-assign]

    def clock(self) -> float:
        return self.account.clock()

    def deny_next(self) -> None:
        """The next authorization is refused by the user (``error=access_denied``)."""
        self._deny += 1

    def expire_refresh_tokens(self) -> None:
        """Every refresh token stops working (revoked, or past its 30 days)."""
        self.refresh.clear()

    # -- serving -----------------------------------------------------------------------------

    def _handle(self, handler: Any) -> None:
        parts = urlsplit(handler.path)
        if parts.path == "/oauth/authorizations/new" and handler.command == "GET":
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            status, headers, body = self._authorize(query)
        elif parts.path == "/oauth/tokens" and handler.command == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            raw = handler.rfile.read(length).decode() if length else ""
            status, headers, body = self._token(_form_or_json(raw, handler.headers))
        else:
            self._serve_api(handler)
            return
        self.account._send(handler, status, body, headers)

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") not in self.client_ids:
            return 400, {}, "Invalid OAuth request: unknown client"
        if not _trusted_redirect(redirect):
            return 400, {}, "Invalid OAuth request: redirect_uri"
        if query.get("response_type") != "code":
            return self._back(redirect, error="unsupported_response_type", state=query)
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return self._back(redirect, error="invalid_request", state=query)
        if self._deny:
            self._deny -= 1
            return self._back(redirect, error="access_denied", state=query)
        code = secrets.token_urlsafe(16)
        self.grants[code] = _Grant(
            self.account.agent["id"],
            query["client_id"],
            redirect,
            query["code_challenge"],
            query.get("scope", "read"),
            self.clock(),
        )
        return self._back(redirect, code=code, state=query)

    @staticmethod
    def _back(redirect: str, *, state: dict[str, str], **answer: str) -> tuple[int, dict, Any]:
        if "error" in answer:
            answer["error_description"] = "The end-user or authorization server denied the request."
        answer["state"] = state.get("state", "")
        joiner = "&" if urlsplit(redirect).query else "?"
        return 302, {"Location": f"{redirect}{joiner}{urlencode(answer)}"}, ""

    def _token(self, body: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        grant_type = body.get("grant_type", "")
        if grant_type == "authorization_code":
            answer = self._exchange(body)
        elif grant_type == "refresh_token":
            answer = self._rotate(body)
        else:
            answer = _refused("unsupported_grant_type", "The grant type is not supported.")
        status = 200 if "access_token" in answer else 400
        self.token_calls.append((grant_type, status))
        return status, {}, answer

    def _exchange(self, body: dict[str, str]) -> dict[str, Any]:
        grant = self.grants.pop(body.get("code", ""), None)
        if grant is None or self.clock() - grant.issued > CODE_SECONDS:
            return _refused("invalid_grant", "The authorization code is invalid or expired.")
        if (
            body.get("client_id") != grant.client_id
            or body.get("redirect_uri") != grant.redirect_uri
        ):
            return _refused("invalid_grant", "The redirect URI or client does not match.")
        if _s256(body.get("code_verifier", "")) != grant.challenge:
            return _refused("invalid_grant", "The code verifier does not match the challenge.")
        return self._issue(grant.user_id, grant.client_id, grant.scope)

    def _rotate(self, body: dict[str, str]) -> dict[str, Any]:
        known = self.refresh.pop(body.get("refresh_token", ""), None)
        if known is None or known[1] != body.get("client_id") or self.clock() >= known[2]:
            return _refused("invalid_grant", "The refresh token is invalid or expired.")
        user_id, client_id, _ = known
        # The old access tokens of this sign-in stop working with the refresh.
        for token in [t for t, a in self.access.items() if a.user_id == user_id]:
            del self.access[token]
        return self._issue(user_id, client_id, "read write")

    def _issue(self, user_id: int, client_id: str, scope: str) -> dict[str, Any]:
        access, refresh = "zat_" + secrets.token_hex(20), "zrt_" + secrets.token_hex(20)
        now = self.clock()
        self.issued += [access, refresh]
        self.access[access] = _Access(user_id, now + self.access_seconds)
        self.refresh[refresh] = (user_id, client_id, now + self.refresh_seconds)
        return {
            "access_token": access,
            "token_type": "bearer",
            "scope": scope,
            "expires_in": self.access_seconds,
            "refresh_token": refresh,
            "refresh_token_expires_in": self.refresh_seconds,
        }


def _refused(error: str, description: str) -> dict[str, Any]:
    return {"error": error, "error_description": description}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _trusted_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    )


def _form_or_json(raw: str, headers: Any) -> dict[str, str]:
    if "json" in str(headers.get("Content-Type") or ""):
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[-1] for k, v in parse_qs(raw).items()}
