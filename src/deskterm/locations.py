"""Where deskterm keeps its files (XDG paths), in one place."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import (
    user_config_path,
    user_data_path,
    user_downloads_path,
    user_state_path,
)

APP = "deskterm"


def config_file() -> Path:
    """The settings file: ``$DESKTERM_CONFIG`` if set, else the XDG config path."""
    override = os.environ.get("DESKTERM_CONFIG")
    if override:
        return Path(override).expanduser()
    return user_config_path(APP) / "config.toml"


def data_dir() -> Path:
    override = os.environ.get("DESKTERM_DATA_DIR")
    path = Path(override).expanduser() if override else user_data_path(APP)
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    """Where deskterm keeps what it writes about itself (the log): ``$DESKTERM_STATE_DIR``
    if set, else the XDG state folder. Owner-only: a traceback may quote a customer."""
    override = os.environ.get("DESKTERM_STATE_DIR")
    path = Path(override).expanduser() if override else user_state_path(APP)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return state_dir() / "deskterm.log"


def default_store() -> Path:
    """The embedded helpdesk used when no other store is named."""
    return data_dir() / "deskterm.db"


def demo_store() -> Path:
    return data_dir() / "demo.db"


def mirror_store(remote: str, name: str) -> Path:
    """The local mirror of a remote helpdesk, one file per remote account."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return data_dir() / f"{remote}-{safe}.db"


def downloads_dir() -> Path:
    """Where files attached to messages are saved: ``$DESKTERM_DOWNLOADS_DIR`` if set, else
    the user's downloads folder."""
    override = os.environ.get("DESKTERM_DOWNLOADS_DIR")
    path = Path(override).expanduser() if override else user_downloads_path()
    path.mkdir(parents=True, exist_ok=True)
    return path
