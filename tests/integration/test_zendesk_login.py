"""``deskterm --remote zendesk login`` / ``logout`` and a sync on the sign-in, end to end.

The test is the user's browser: it opens the address deskterm hands to the browser (or
prints), signs in on the fake, and follows the redirect back to deskterm's loopback.
"""

from __future__ import annotations

import io
import json
import re
import socket
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend

from deskterm import locations
from deskterm.cli import main
from tests.fakes import FakeZendesk
from tests.fakes.zendesk.oauth import ZendeskOAuthFake

BROWSER = httpx.Client(timeout=5)
_ADDRESS = re.compile(r"https?://\S+/oauth/authorizations/new\?\S+")


def browse(url: str) -> bool:
    answer = BROWSER.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    assert BROWSER.get(answer.headers["Location"]).status_code == 200
    return True


class _MemoryKeyring(KeyringBackend):
    """A keyring that works, for the tests that want one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    now = datetime.now(UTC).replace(microsecond=0)
    with FakeZendesk(now=now, incremental_rate_limit=None) as fake:
        past = now - timedelta(hours=2)  # the export leaves out the last minute
        lea = fake.add_user("Léa Martin", "lea@example.com", created_at=past)
        fake.add_ticket(
            "Missing bread", lea["id"], "il manque le pain", via="email", created_at=past
        )
        yield fake
    assert not fake.errors, fake.errors[0]


@pytest.fixture
def oauth(zendesk: FakeZendesk) -> ZendeskOAuthFake:
    return ZendeskOAuthFake(zendesk)


@pytest.fixture
def with_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("deskterm.cli.login._browser_available", lambda: True)
    monkeypatch.setattr("deskterm.cli.login._open_browser", browse)


@pytest.fixture(autouse=True)
def _no_api_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DESKTERM_ZENDESK_TOKEN",
        "DESKTERM_ZENDESK_OAUTH_TOKEN",
        "DESKTERM_ZENDESK_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)


def remote(zendesk: FakeZendesk, *command: str) -> list[str]:
    return ["--remote", "zendesk", "--url", zendesk.url, *command]


def token_file(zendesk: FakeZendesk) -> Path:
    return (
        locations.state_dir()
        / f"zendesk-oauth-{zendesk.url.split('://')[1].replace(':', '-')}.json"
    )


@pytest.mark.usefixtures("with_browser")
def test_login_without_a_keyring_keeps_the_tokens_owner_only(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(remote(zendesk, "login", "--client-id", "deskterm")) == 0
    out = capsys.readouterr().out
    assert "as Ada Admin <ada@example.com>" in out
    assert "no system keyring here; readable by you only" in out and out.count("\n") == 1
    path = token_file(zendesk)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kept = json.loads(path.read_text())
    assert kept["access_token"] in oauth.access and kept["client_id"] == "deskterm"
    assert oauth.token_calls == [("authorization_code", 200)]


def test_without_a_browser_the_address_is_printed(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("deskterm.cli.login._browser_available", lambda: False)

    class Terminal(io.StringIO):
        """The user reads the address on the terminal and opens it elsewhere."""

        def write(self, text: str) -> int:
            for url in _ADDRESS.findall(text):
                browse(url)
            return super().write(text)

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(remote(zendesk, "login", "--client-id", "deskterm")) == 0
    assert "Open this address in a browser" in terminal.getvalue()
    assert token_file(zendesk).exists()


@pytest.mark.usefixtures("with_browser")
def test_login_uses_a_working_keyring_and_logout_forgets(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    memory = _MemoryKeyring()
    keyring.set_keyring(memory)
    assert main(remote(zendesk, "login", "--client-id", "deskterm")) == 0
    assert "kept in the system keyring" in capsys.readouterr().out
    assert not token_file(zendesk).exists()
    [(service, _user)] = memory.secrets
    assert service == "deskterm"
    assert json.loads(next(iter(memory.secrets.values())))["access_token"] in oauth.access
    assert main(remote(zendesk, "sync")) == 0
    assert main(remote(zendesk, "logout")) == 0
    assert "its tokens are forgotten" in capsys.readouterr().out
    assert memory.secrets == {}


@pytest.mark.usefixtures("with_browser")
def test_logout_then_sync_asks_for_a_sign_in(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(remote(zendesk, "login", "--client-id", "deskterm")) == 0
    assert main(remote(zendesk, "logout")) == 0
    assert not token_file(zendesk).exists()
    assert main(remote(zendesk, "logout")) == 0
    assert "nothing to forget" in capsys.readouterr().out
    assert main(remote(zendesk, "sync")) == 2
    assert "deskterm --remote zendesk login" in capsys.readouterr().err


@pytest.mark.usefixtures("with_browser")
def test_login_and_sync_at_debug_never_write_a_token(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locations.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[remote]\nkind = "zendesk"\nurl = "{zendesk.url}"\noauth_client_id = "deskterm"\n'
    )
    oauth.access_seconds = 30  # within the refresh margin at once: every run refreshes
    assert main(["--log-level", "debug", "login"]) == 0
    assert main(["--log-level", "debug", "sync"]) == 0
    assert "1 conversations synced" in capsys.readouterr().out
    assert [grant for grant, _ in oauth.token_calls].count("refresh_token") >= 2
    log = locations.log_file().read_text()
    assert "Zendesk access token refreshed" in log and "/oauth/tokens" in log
    assert len(oauth.issued) >= 6
    for token in oauth.issued:
        assert token not in log
        assert token not in config.read_text()
    kept = json.loads(token_file(zendesk).read_text())
    assert kept["refresh_token"] == oauth.issued[-1]  # the rotated one, kept


@pytest.mark.usefixtures("with_browser")
def test_a_dead_refresh_token_is_one_line_saying_to_log_in(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth.access_seconds = 30
    assert main(remote(zendesk, "login", "--client-id", "deskterm")) == 0
    capsys.readouterr()
    oauth.expire_refresh_tokens()
    oauth.access.clear()  # revoked on Zendesk's side
    assert main(remote(zendesk, "sync")) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "run `deskterm --remote zendesk login` again" in err


def test_login_needs_a_client_id(zendesk: FakeZendesk, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(remote(zendesk, "login")) == 2
    assert "--client-id" in capsys.readouterr().err


@pytest.mark.usefixtures("with_browser")
def test_a_refusal_in_the_browser_is_one_line(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth.deny_next()
    assert main(remote(zendesk, "login", "--client-id", "deskterm")) == 2
    assert "Zendesk did not sign you in" in capsys.readouterr().err
    assert not token_file(zendesk).exists()


def test_api_tokens_keep_working(
    zendesk: FakeZendesk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESKTERM_ZENDESK_TOKEN", zendesk.api_token)
    monkeypatch.setenv("DESKTERM_ZENDESK_EMAIL", zendesk.agent["email"])
    assert main(remote(zendesk, "sync")) == 0
    assert "1 conversations synced" in capsys.readouterr().out


@pytest.mark.usefixtures("with_browser")
def test_a_fixed_port_for_clients_that_register_one(
    zendesk: FakeZendesk, oauth: ZendeskOAuthFake, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        taken.listen()
        assert main(remote(zendesk, "login", "--client-id", "deskterm", "--port", str(port))) == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    assert main(remote(zendesk, "login", "--client-id", "deskterm", "--port", str(port))) == 0
    assert token_file(zendesk).exists()
