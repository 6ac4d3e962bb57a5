"""Remote mode: which helpdesk, how to reach it, where its mirror lives.

Credentials come from the environment or the system keyring, never from the config file:

- Request Tracker: ``DESKTERM_RT_TOKEN`` (preferred) or ``DESKTERM_RT_PASSWORD``, and
  ``DESKTERM_RT_USER`` (or ``--user``);
- Zendesk: ``DESKTERM_ZENDESK_TOKEN`` (an API token, with ``DESKTERM_ZENDESK_EMAIL`` or
  ``--user``) or ``DESKTERM_ZENDESK_OAUTH_TOKEN``;
- a mailbox: ``DESKTERM_MAIL_PASSWORD`` or ``DESKTERM_MAIL_OAUTH_TOKEN`` (XOAUTH2), and
  ``DESKTERM_MAIL_USER`` (or ``--user``);
- else the keyring, service ``deskterm``, user ``rt:token``, ``rt:password``,
  ``zendesk:token``, ``zendesk:oauth``, ``email:password`` or ``email:oauth``;
- for Zendesk, the sign-in of ``deskterm --remote zendesk login`` (refreshing OAuth tokens,
  see ``connectors/token_store.py``), used before an API token when there is one.

The mirror file is created readable and writable by its owner only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from deskterm import locations
from deskterm.backend.db import StoreError
from deskterm.backend.secrets import secret
from deskterm.backend.store import Store
from deskterm.backend.sync import Connector, ConnectorOptions, UnknownConnector, load
from deskterm.config import Settings

#: (environment variable, keyring user) of each secret, per remote kind.
_SECRETS = {
    "rt": {"token": ("DESKTERM_RT_TOKEN", "rt:token"),
           "password": ("DESKTERM_RT_PASSWORD", "rt:password")},
    "zendesk": {"token": ("DESKTERM_ZENDESK_TOKEN", "zendesk:token"),
                "oauth_token": ("DESKTERM_ZENDESK_OAUTH_TOKEN", "zendesk:oauth")},
    "email": {"password": ("DESKTERM_MAIL_PASSWORD", "email:password"),
              "oauth_token": ("DESKTERM_MAIL_OAUTH_TOKEN", "email:oauth")},
}  # fmt: skip
_USERS = {
    "rt": "DESKTERM_RT_USER",
    "zendesk": "DESKTERM_ZENDESK_EMAIL",
    "email": "DESKTERM_MAIL_USER",
}
#: The mailbox's settings: command-line name (also the [remote] key, but mail_from) → name.
MAIL_SETTINGS = ("imap_host", "imap_port", "imap_security", "smtp_host", "smtp_port",
                 "smtp_security", "folder", "sent_folder", "handled", "handled_folder",
                 "mail_from", "from_name", "signature", "ca_file")  # fmt: skip


class RemoteSetupError(StoreError):
    """Remote mode cannot start; the message is one line for the user."""


@dataclass(frozen=True)
class RemoteChoice:
    """What the command line and the settings ask for."""

    kind: str
    url: str | None = None
    subdomain: str | None = None
    user: str | None = None
    queue: str | None = None
    #: Settings of one kind of remote only (the mailbox's hosts and folders), by name.
    extra: dict[str, str] = field(default_factory=dict)


def choice_from(settings: Settings, kind: str | None, **given: str | None) -> RemoteChoice | None:
    """The remote to use: the command line's, else the config's ``[remote]``; None: local."""
    remote = settings.remote
    chosen = kind or remote.kind
    if not chosen:
        return None
    same = chosen == remote.kind
    return RemoteChoice(
        kind=chosen,
        url=given.get("url") or (remote.url if same else None),
        subdomain=given.get("subdomain") or (remote.subdomain if same else None),
        user=given.get("user") or (remote.email if same else None),
        queue=given.get("queue") or (remote.queue if same else None),
        extra=_mail_extra(settings, given) if chosen == "email" else {},
    )


def _mail_extra(settings: Settings, given: dict[str, str | None]) -> dict[str, str]:
    """The mailbox settings: the command line's, else the config's ``[remote]``."""
    remote = settings.remote
    same = remote.kind == "email"
    out: dict[str, str] = {}
    for name in MAIL_SETTINGS:
        value = given.get(name)
        if value is None and same:
            value = getattr(remote, name, None)
        if value is not None and str(value) != "":
            out["from_address" if name == "mail_from" else name] = str(value)
    return out


def options_for(choice: RemoteChoice) -> ConnectorOptions:
    """Connector options with the secrets filled in from the environment or the keyring."""
    secrets = {
        name: secret(env, user) for name, (env, user) in _SECRETS.get(choice.kind, {}).items()
    }
    user = choice.user or os.environ.get(_USERS.get(choice.kind, ""), "") or None
    return ConnectorOptions(
        url=choice.url,
        subdomain=choice.subdomain,
        user=user,
        token=secrets.get("token"),
        password=secrets.get("password"),
        oauth_token=secrets.get("oauth_token"),
        queue=choice.queue or "General",
        extra=dict(choice.extra),
    )


def connector_for(choice: RemoteChoice) -> Connector:
    """Build the connector; every setup mistake is one line (RemoteSetupError)."""
    try:
        cls = load(choice.kind)
        return cls.from_options(options_for(choice))
    except UnknownConnector as exc:
        raise RemoteSetupError(str(exc)) from None
    except ValueError as exc:
        raise RemoteSetupError(str(exc).splitlines()[0]) from None


def mirror_path(connector: Connector, override: Path | None = None) -> Path:
    return override or locations.mirror_store(connector.name, connector.account_name())


def open_mirror(path: Path) -> Store:
    """Open (or create, owner-only) the mirror store at ``path``."""
    if not path.parent.exists():
        raise RemoteSetupError(f"Cannot write {path}: the folder {path.parent} does not exist")
    if path.is_file():
        # By name: a descriptor opened and closed here would drop the SQLite locks of a
        # workstation in this process. A new mirror is created owner-only by the store.
        os.chmod(path, 0o600)
    return Store(path)
