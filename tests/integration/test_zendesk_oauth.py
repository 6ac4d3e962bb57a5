"""Signing in to Zendesk with OAuth (PKCE), against the fake's OAuth endpoints.

The test plays the browser: it opens the authorization page on the fake (which takes the
user as signed in and redirects) and follows the redirect to deskterm's loopback server.
Expiry is driven by the fake's clock, never by sleeping.
"""

from __future__ import annotations

import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deskterm.backend.connectors.errors import AuthError, TransientError
from deskterm.backend.connectors.oauth_loopback import LoopbackReceiver
from deskterm.backend.connectors.token_store import FileTokenStore
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.connectors.zendesk_oauth import (
    LOGIN_AGAIN,
    PKCE,
    OAuthSession,
    OAuthTokens,
    TokenEndpoint,
    authorize_url,
)
from tests.fakes import ZENDESK_NOW, FakeZendesk
from tests.fakes.zendesk.oauth import ZendeskOAuthFake

#: One client for the whole module: building one loads the system's certificates each time.
BROWSER = httpx.Client(timeout=5)


def now_of(zendesk: FakeZendesk):
    """The fake's clock as it will be (``advance`` replaces ``zendesk.clock``)."""
    return lambda: zendesk.clock()


def browse(url: str) -> None:
    """What the user's browser does: open the page, follow Zendesk's redirect home."""
    answer = BROWSER.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    landed = BROWSER.get(answer.headers["Location"])
    assert landed.status_code == 200


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=ZENDESK_NOW) as fake:
        yield fake


@pytest.fixture
def oauth(zendesk: FakeZendesk) -> ZendeskOAuthFake:
    return ZendeskOAuthFake(zendesk)


def sign_in(zendesk: FakeZendesk, *, verifier: str | None = None) -> OAuthTokens:
    """The flow deskterm's login runs, with the test as the browser."""
    pkce = PKCE.new()
    with LoopbackReceiver("s1") as receiver:
        browse(
            authorize_url(
                zendesk.url,
                client_id="deskterm",
                redirect_uri=receiver.redirect_uri,
                challenge=pkce.challenge,
                state="s1",
            )
        )
        redirect = receiver.wait(5)
    assert redirect is not None and redirect.code
    endpoint = TokenEndpoint(zendesk.url, "deskterm", clock=now_of(zendesk))
    return endpoint.exchange(redirect.code, verifier or pkce.verifier, receiver.redirect_uri)


def session_for(
    zendesk: FakeZendesk, tokens: OAuthTokens, path: Path, clock=None
) -> tuple[OAuthSession, FileTokenStore]:
    store = FileTokenStore(path)
    store.save(tokens)
    endpoint = TokenEndpoint(zendesk.url, "deskterm", clock=now_of(zendesk))
    return OAuthSession(tokens, endpoint, store, clock=clock or now_of(zendesk)), store


def me_calls(zendesk: FakeZendesk) -> list[int | None]:
    return [r.user_id for r in zendesk.requests if r.path.startswith("/api/v2/users/me")]


def test_the_flow_gives_tokens_the_api_accepts(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake
) -> None:
    tokens = sign_in(zendesk)
    assert oauth.token_calls == [("authorization_code", 200)]
    assert tokens.refresh_token and tokens.expires_at == zendesk.clock() + 1800
    with ZendeskClient(base_url=zendesk.url, oauth_token=tokens.access_token) as client:
        assert client.me()["email"] == "ada@example.com"


def test_a_wrong_verifier_is_refused(zendesk: FakeZendesk, oauth: ZendeskOAuthFake) -> None:
    with pytest.raises(AuthError, match="invalid_grant"):
        sign_in(zendesk, verifier=PKCE.new().verifier)
    assert oauth.token_calls == [("authorization_code", 400)]
    assert not oauth.access


def test_a_refused_authorization_comes_back_as_an_error(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake
) -> None:
    oauth.deny_next()
    with LoopbackReceiver("s2") as receiver:
        url = authorize_url(
            zendesk.url, client_id="deskterm", redirect_uri=receiver.redirect_uri,
            challenge=PKCE.new().challenge, state="s2",
        )  # fmt: skip
        browse(url)
        redirect = receiver.wait(5)
    assert redirect is not None and redirect.code is None and "denied" in str(redirect.error)


def test_the_loopback_ignores_a_redirect_with_another_state() -> None:
    with LoopbackReceiver("mine") as receiver:
        forged = BROWSER.get(receiver.redirect_uri, params={"code": "x", "state": "theirs"})
        assert forged.status_code == 400
        assert receiver.wait(0.05) is None


def test_the_token_is_refreshed_before_it_expires(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    tokens = sign_in(zendesk)
    session, store = session_for(zendesk, tokens, tmp_path / "t.json")
    with ZendeskClient(base_url=zendesk.url, auth_provider=session) as client:
        client.me()
        assert [grant for grant, _ in oauth.token_calls] == ["authorization_code"]
        zendesk.advance(1800 - 59)  # within a minute of the expiry: refresh first
        client.me()
    assert oauth.token_calls[-1] == ("refresh_token", 200)
    assert me_calls(zendesk) == [zendesk.agent["id"]] * 2  # no 401 on the way
    kept = store.load()
    assert kept is not None and kept.access_token != tokens.access_token
    assert kept.refresh_token != tokens.refresh_token  # rotated, and the new one kept


def test_a_401_refreshes_once_and_retries(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    tokens = sign_in(zendesk)
    issued_at = zendesk.clock()
    # deskterm's clock says the token is fresh; Zendesk's says it expired (or was revoked).
    session, store = session_for(zendesk, tokens, tmp_path / "t.json", clock=lambda: issued_at)
    zendesk.advance(1801)
    with ZendeskClient(base_url=zendesk.url, auth_provider=session) as client:
        assert client.me()["id"] == zendesk.agent["id"]
    assert me_calls(zendesk) == [None, zendesk.agent["id"]]  # refused, then accepted
    assert [grant for grant, _ in oauth.token_calls] == ["authorization_code", "refresh_token"]
    kept = store.load()
    assert kept is not None and kept.refresh_token != tokens.refresh_token


def test_rotation_is_kept_for_the_next_run(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    tokens = sign_in(zendesk)
    session, store = session_for(zendesk, tokens, tmp_path / "t.json")
    zendesk.advance(1800)
    with ZendeskClient(base_url=zendesk.url, auth_provider=session) as client:
        client.me()
    endpoint = TokenEndpoint(zendesk.url, "deskterm", clock=now_of(zendesk))
    assert tokens.refresh_token
    with pytest.raises(AuthError, match="invalid_grant"):
        endpoint.refresh(tokens.refresh_token)  # the old refresh token died with the rotation
    kept = store.load()
    assert kept is not None
    # The next run starts from what was kept, and it still works after the next expiry.
    zendesk.advance(1800)
    later = OAuthSession(kept, endpoint, store, clock=now_of(zendesk))
    with ZendeskClient(base_url=zendesk.url, auth_provider=later) as client:
        assert client.me()["id"] == zendesk.agent["id"]
    assert [g for g, s in oauth.token_calls if s == 200].count("refresh_token") == 2


def test_a_refused_refresh_says_to_log_in_again(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    tokens = sign_in(zendesk)
    session, _ = session_for(zendesk, tokens, tmp_path / "t.json")
    oauth.expire_refresh_tokens()
    zendesk.advance(3600)
    with (
        ZendeskClient(base_url=zendesk.url, auth_provider=session) as client,
        pytest.raises(AuthError) as refused,
    ):
        client.me()
    assert str(refused.value) == LOGIN_AGAIN
    assert tokens.access_token not in str(refused.value)


def test_another_process_s_refresh_is_adopted(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    tokens = sign_in(zendesk)
    first, store = session_for(zendesk, tokens, tmp_path / "t.json")
    second = OAuthSession(
        tokens, TokenEndpoint(zendesk.url, "deskterm", clock=now_of(zendesk)), store,
        clock=now_of(zendesk),
    )  # fmt: skip
    zendesk.advance(1800)
    with ZendeskClient(base_url=zendesk.url, auth_provider=first) as client:
        client.me()
    # The second process's refresh token was rotated away; it takes the kept tokens instead.
    with ZendeskClient(base_url=zendesk.url, auth_provider=second) as client:
        assert client.me()["id"] == zendesk.agent["id"]
    assert [g for g, _ in oauth.token_calls].count("refresh_token") == 1


def test_the_fallback_file_is_owner_only(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    store.save(OAuthTokens("a", "r", 1.0, "deskterm"))
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600
    assert store.load() == OAuthTokens("a", "r", 1.0, "deskterm")
    assert store.forget() and not store.forget()
    assert "secret" not in repr(OAuthTokens("a-secret", "r-secret", None))


def test_a_new_login_elsewhere_is_picked_up_without_a_restart(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    session, store = session_for(zendesk, sign_in(zendesk), tmp_path / "t.json")
    oauth.expire_refresh_tokens()
    oauth.access.clear()  # revoked on Zendesk's side
    with ZendeskClient(base_url=zendesk.url, auth_provider=session) as client:
        with pytest.raises(AuthError, match="login"):
            client.me()
        store.save(sign_in(zendesk))  # `deskterm --remote zendesk login` in another terminal
        assert client.me()["id"] == zendesk.agent["id"]


def test_an_idle_connection_does_not_hold_up_the_redirect() -> None:
    with (
        LoopbackReceiver("s3") as receiver,
        socket.create_connection(
            ("127.0.0.1", int(receiver.redirect_uri.split(":")[2].split("/")[0]))
        ),
    ):  # a browser's speculative connection, never used
        answer = BROWSER.get(receiver.redirect_uri, params={"code": "c", "state": "s3"})
        assert answer.status_code == 200
        redirect = receiver.wait(5)
    assert redirect is not None and redirect.code == "c"


def _dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_offline_at_refresh_time_is_offline_not_a_refused_sign_in(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, tmp_path: Path
) -> None:
    tokens = sign_in(zendesk)
    store = FileTokenStore(tmp_path / "t.json")
    store.save(tokens)
    unreachable = TokenEndpoint(_dead_address(), "deskterm", timeout=1)
    session = OAuthSession(tokens, unreachable, store, clock=now_of(zendesk))
    with ZendeskClient(base_url=zendesk.url, auth_provider=session) as client:
        zendesk.advance(1800 - 30)  # due for a refresh, not yet expired: the old token serves
        assert client.me()["id"] == zendesk.agent["id"]
        zendesk.advance(60)  # expired, and the refresh cannot get through
        with pytest.raises(TransientError):
            client.me()
    assert store.load() == tokens  # the sign-in is kept for when the network is back
