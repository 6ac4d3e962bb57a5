"""Choosing the mailbox from the command line or the settings, and its one-line mistakes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from deskterm.backend.connectors.mail import EmailConnector
from deskterm.backend.connectors.mail.settings import MailSettings
from deskterm.backend.sync import ConnectorOptions
from deskterm.backend.sync.remote import choice_from, options_for
from deskterm.config import RemoteSettings, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_connector_is_registered_as_email() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    target = project["project"]["entry-points"]["deskterm.connectors"]["email"]
    module, _, name = target.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is EmailConnector


def test_command_line_and_environment_make_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKTERM_MAIL_USER", "support@shop.fr")
    monkeypatch.setenv("DESKTERM_MAIL_PASSWORD", "s3cret")
    choice = choice_from(Settings(), "email", imap_host="imap.shop.fr", smtp_port="2525")
    assert choice is not None
    opts = options_for(choice)
    settings = MailSettings.from_options(opts)
    assert (settings.imap_host, settings.imap_port, settings.smtp_host, settings.smtp_port) == (
        "imap.shop.fr", 993, "imap.shop.fr", 2525,
    )  # fmt: skip
    assert settings.from_address == "support@shop.fr"
    assert "s3cret" not in repr(opts) and "s3cret" not in repr(settings)


def test_the_settings_file_remote_section_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKTERM_MAIL_PASSWORD", "pw")
    remote = RemoteSettings(
        kind="email", email="help@shop.fr", imap_host="mail.shop.fr", imap_security="starttls",
        handled="move", mail_from="Aide <aide@shop.fr>",
    )  # fmt: skip
    choice = choice_from(Settings(remote=remote), None)
    assert choice is not None
    settings = MailSettings.from_options(options_for(choice))
    assert settings.imap_port == 143 and settings.handled == "move"
    assert settings.user == "help@shop.fr"
    # "Aide <aide@shop.fr>": the address replies come from, and the name the agent goes by.
    assert (settings.from_address, settings.from_name) == ("aide@shop.fr", "Aide")


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({}, "--imap-host"),
        ({"imap_host": "h", "imap_security": "ssl3"}, "imap_security must be one of"),
        ({"imap_host": "h", "imap_port": "99999"}, "imap_port must be a port number"),
        ({"imap_host": "h", "handled": "delete"}, "handled must be one of"),
    ],
)
def test_mistakes_are_one_line(extra: dict[str, str], said: str) -> None:
    with pytest.raises(ValueError, match=said) as caught:
        MailSettings.from_options(ConnectorOptions(user="u@x.fr", password="p", extra=extra))
    assert "\n" not in str(caught.value)


def test_no_password_says_where_to_put_it() -> None:
    with pytest.raises(ValueError, match="DESKTERM_MAIL_PASSWORD"):
        MailSettings.from_options(ConnectorOptions(user="u@x.fr", extra={"imap_host": "h"}))
