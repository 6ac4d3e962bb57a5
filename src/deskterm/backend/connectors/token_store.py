"""Where a sign-in's OAuth tokens are kept: the system keyring, else an owner-only file.

The keyring (service ``deskterm``, user ``zendesk-oauth:<account>``) is used when the
``keyring`` package finds a usable backend (Secret Service, macOS Keychain, Windows
Credential Locker). Without one — a server, a container, a session with no keyring daemon —
the tokens go to ``zendesk-oauth-<account>.json`` in deskterm's state folder, created with
mode 0600 (readable and writable by its owner only), and ``describe()`` says so.
Never in the settings file.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Protocol

from deskterm import locations
from deskterm.backend.connectors.zendesk_http import _SUBDOMAIN
from deskterm.backend.connectors.zendesk_oauth import OAuthSession, OAuthTokens, TokenEndpoint
from deskterm.backend.secrets import KEYRING_SERVICE

log = logging.getLogger(__name__)


class TokenStore(Protocol):
    """One account's tokens between runs."""

    def load(self) -> OAuthTokens | None: ...

    def save(self, tokens: OAuthTokens) -> None: ...

    def forget(self) -> bool:
        """Remove the tokens; whether there were any."""
        ...

    def describe(self) -> str:
        """Where the tokens are, in a few words for the user."""
        ...


def _safe(account: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in account)


def usable_keyring() -> Any | None:
    """The ``keyring`` module when it has a backend that can store secrets, else None."""
    try:
        import keyring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        priority = float(getattr(backend, "priority", 0))
    except Exception:  # a broken keyring configuration: as if there were none
        return None
    return keyring if priority > 0 else None


class KeyringTokenStore:
    """The tokens as one JSON secret in the system keyring."""

    def __init__(self, keyring: Any, account: str) -> None:
        self._keyring = keyring
        self._user = f"zendesk-oauth:{_safe(account)}"

    def load(self) -> OAuthTokens | None:
        try:
            text = self._keyring.get_password(KEYRING_SERVICE, self._user)
        except Exception as exc:  # a locked keyring: as if nothing were stored
            log.warning("cannot read the keyring: %s", type(exc).__name__)
            return None
        return _parse(text)

    def save(self, tokens: OAuthTokens) -> None:
        self._keyring.set_password(KEYRING_SERVICE, self._user, json.dumps(tokens.to_json()))

    def forget(self) -> bool:
        try:
            self._keyring.delete_password(KEYRING_SERVICE, self._user)
        except Exception:  # PasswordDeleteError: nothing was stored
            return False
        return True

    def describe(self) -> str:
        return "in the system keyring"


class FileTokenStore:
    """The tokens in a JSON file only its owner can read (0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> OAuthTokens | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return None
        return _parse(text)

    def save(self, tokens: OAuthTokens) -> None:
        # Written beside, then renamed: a reader never sees half a file, and the file is
        # owner-only from its first byte (the mode is given to open, not set afterwards).
        temporary = self.path.with_name(self.path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            json.dump(tokens.to_json(), out)
        os.replace(temporary, self.path)

    def forget(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def describe(self) -> str:
        return f"in {self.path} (no system keyring here; readable by you only)"


def _parse(text: str | None) -> OAuthTokens | None:
    if not text:
        return None
    try:
        return OAuthTokens.from_json(json.loads(text))
    except ValueError:
        return None


def _file_store(account: str) -> FileTokenStore:
    return FileTokenStore(locations.state_dir() / f"zendesk-oauth-{_safe(account)}.json")


def token_store(account: str) -> TokenStore:
    """The keyring when it is usable, else the owner-only file in the state folder."""
    keyring = usable_keyring()
    if keyring is not None:
        return KeyringTokenStore(keyring, account)
    return _file_store(account)


def every_token_store(account: str) -> list[TokenStore]:
    """Every place this account's tokens may be (to forget them all, keyring or not)."""
    keyring = usable_keyring()
    found: list[TokenStore] = [_file_store(account)]
    return found + ([KeyringTokenStore(keyring, account)] if keyring is not None else [])


def zendesk_root(subdomain: str | None, url: str | None) -> str | None:
    """The account's address as the client builds it (``url`` wins), or None (none given,
    or a malformed subdomain)."""
    if url:
        return url.rstrip("/")
    if subdomain and _SUBDOMAIN.match(subdomain):
        return f"https://{subdomain.lower()}.zendesk.com"
    return None


def account_key(root: str) -> str:
    """The name one account's tokens are kept under (its host and port)."""
    return root.split("://", 1)[-1].replace(":", "-")


def signed_in_session(root: str, *, timeout: float = 10.0) -> OAuthSession | None:
    """The session of ``deskterm --remote zendesk login`` for this account, if there is one."""
    store = token_store(account_key(root))
    tokens = store.load()
    if tokens is None or not tokens.client_id:
        return None
    return OAuthSession(tokens, TokenEndpoint(root, tokens.client_id, timeout=timeout), store)
