"""Where deskterm finds a secret (a token, a password): the environment, else the system
keyring (service ``deskterm``). Never the settings file, never the log."""

from __future__ import annotations

import os

#: The keyring service every secret of deskterm is kept under.
KEYRING_SERVICE = "deskterm"


def secret(env: str, keyring_user: str) -> str | None:
    """``$env`` when set, else the keyring's entry for ``keyring_user``, else None (no
    keyring installed, or a locked or missing backend: as if nothing were stored)."""
    value = os.environ.get(env)
    if value:
        return value
    try:
        import keyring  # optional
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_user)
    except Exception:
        return None
