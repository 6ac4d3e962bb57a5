"""Opening the SQLite file: pragmas, schema checks, and errors that read as one line."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import overload

from deskterm.backend import schema


class StoreError(Exception):
    """The store cannot be used; the message is one line meant for the user."""


class StaleVersion(StoreError):
    """The conversation changed since it was read (another agent or process wrote first)."""

    def __init__(self, conversation_id: int, expected: int, found: int | None) -> None:
        super().__init__(
            f"Conversation #{conversation_id} changed meanwhile "
            f"(version {found}, expected {expected}): reload it and try again"
        )
        self.conversation_id = conversation_id
        self.expected = expected
        self.found = found


class NotFound(StoreError):
    """A record that should exist does not."""


BUSY_TIMEOUT_MS = 5000


def connect(path: Path | str, *, create: bool = True, readonly: bool = False) -> sqlite3.Connection:
    """Open a store file, creating and migrating it if needed.

    Raises StoreError with a one-line reason for: a missing directory, a file that is not a
    SQLite database, a corrupt one, a store written by a newer deskterm, or a lock that does
    not clear within the busy timeout.
    """
    path = Path(path)
    if str(path) != ":memory:":
        if not path.parent.exists():
            raise StoreError(f"Cannot open {path}: the folder {path.parent} does not exist")
        if path.is_dir():
            raise StoreError(f"Cannot open {path}: it is a folder, not a store file")
        if not path.exists() and not create:
            raise StoreError(f"No store at {path}")
        if path.exists() and not _looks_like_sqlite(path):
            raise StoreError(f"{path} is not a deskterm store (not a SQLite database)")
    try:
        if readonly:
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            fresh = not path.exists() if str(path) != ":memory:" else True
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            if fresh and str(path) != ":memory:":
                # A mirror of a real helpdesk holds customer data: owner-only.
                os.chmod(path, 0o600)
        # Another program may have written bytes that are not UTF-8: read them with U+FFFD in
        # that row and field, rather than fail the whole page, thread or search.
        conn.text_factory = decode_text
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -4000")
        conn.execute("PRAGMA temp_store = MEMORY")
        found = schema.current_version(conn)
        if found > schema.SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path} was written by a newer deskterm (schema {found}, this one knows "
                f"{schema.SCHEMA_VERSION}): upgrade deskterm to open it"
            )
        if found < schema.SCHEMA_VERSION and not readonly:
            schema.migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Cannot open {path}: {_reason(exc)}") from None
    return conn


def decode_text(raw: bytes) -> str:
    """A TEXT value as read from SQLite: UTF-8, with U+FFFD where its bytes are not."""
    return raw.decode("utf-8", "replace")


def _looks_like_sqlite(path: Path) -> bool:
    if path.stat().st_size == 0:
        return True
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _reason(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the store is locked by another program; try again in a moment"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"the file is damaged ({text}); restore it from a backup or rebuild it"
    return text


def ts(value: datetime | None) -> int | None:
    """A datetime as epoch seconds for the store (naive datetimes are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


@overload
def dt(value: int) -> datetime: ...
@overload
def dt(value: None) -> None: ...
def dt(value: int | None) -> datetime | None:
    """Epoch seconds from the store as an aware UTC datetime."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC)
