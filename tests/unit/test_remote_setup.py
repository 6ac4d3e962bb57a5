"""Remote mode's set-up: credentials from the environment, owner-only mirror, one-line errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deskterm.backend.sync import SyncStatus
from deskterm.backend.sync.remote import (
    RemoteSetupError,
    choice_from,
    connector_for,
    open_mirror,
    options_for,
)
from deskterm.cli import main
from deskterm.config import Settings


def test_status_phrases() -> None:
    assert SyncStatus().describe() == "synced"
    assert SyncStatus(pulling=True, pulled=120, total=5000).describe() == "syncing 120/5,000…"
    assert SyncStatus(online=False, waiting=3).describe() == "offline, 3 actions waiting"
    assert SyncStatus(online=False, waiting=1).describe() == "offline, 1 action waiting"
    assert SyncStatus(waiting=2, failed=1).describe() == "2 actions waiting, 1 refused"


def test_secrets_come_from_the_environment_never_the_settings(monkeypatch) -> None:
    monkeypatch.setenv("DESKTERM_RT_TOKEN", "s3cret")
    monkeypatch.setenv("DESKTERM_RT_USER", "alice")
    settings = Settings(remote={"kind": "rt", "url": "https://rt.example.com", "queue": "Ops"})
    choice = choice_from(settings, None)
    assert choice is not None and choice.url == "https://rt.example.com"
    options = options_for(choice)
    assert (options.token, options.user, options.queue) == ("s3cret", "alice", "Ops")
    assert "s3cret" not in repr(options)


def test_command_line_wins_over_the_settings() -> None:
    settings = Settings(remote={"kind": "rt", "url": "https://old.example.com"})
    choice = choice_from(settings, "zendesk", subdomain="acme")
    assert choice is not None and choice.kind == "zendesk" and choice.url is None
    assert choice_from(Settings(), None) is None


def test_missing_credentials_and_unknown_remotes_are_one_line(monkeypatch) -> None:
    for name in ("DESKTERM_RT_TOKEN", "DESKTERM_RT_PASSWORD", "DESKTERM_ZENDESK_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    with pytest.raises(RemoteSetupError, match="needs a token"):
        connector_for(choice_from(settings, "rt", url="http://rt", user="a"))  # type: ignore[arg-type]
    with pytest.raises(RemoteSetupError, match="needs --subdomain"):
        connector_for(choice_from(settings, "zendesk"))  # type: ignore[arg-type]
    with pytest.raises(RemoteSetupError, match=r"installed: email, rt, zendesk"):
        connector_for(choice_from(settings, "jira"))  # type: ignore[arg-type]


def test_the_mirror_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = open_mirror(tmp_path / "rt-example.db")
    store.add_group("x")
    mode = stat.S_IMODE((tmp_path / "rt-example.db").stat().st_mode)
    assert mode == 0o600
    store.close()


def test_sync_with_an_unreachable_remote_is_one_line_and_non_zero(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DESKTERM_RT_TOKEN", "t")
    code = main(["--remote", "rt", "--url", "http://127.0.0.1:9", "--user", "a", "sync"])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("deskterm: cannot reach Request Tracker") and err.count("\n") == 1
    assert "t\n" not in err


def test_sync_with_a_bad_url_is_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DESKTERM_RT_TOKEN", "t")
    assert main(["--remote", "rt", "--url", "rt.example.com", "--user", "a", "sync"]) == 2
    assert "is not an http:// or https:// address" in capsys.readouterr().err
