"""Opening the SQLite file: pragmas, schema checks, and errors that read as one line."""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, overload

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


class Connections(Protocol):
    """What the parts of a store (its readers and writers) use of it: the calling thread's
    connection, a short write transaction, the store's clock, and whether writes are
    refused. :class:`deskterm.backend.store.Store` is the one implementation."""

    #: Why writes are refused (the store was found damaged), or None: writable.
    read_only_reason: str | None

    @property
    def conn(self) -> sqlite3.Connection: ...

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def now(self) -> datetime: ...


BUSY_TIMEOUT_MS = 5000

#: Below this much free space, a "disk I/O error" is reported as a full disk: SQLite says
#: SQLITE_FULL only for some writes (growing the -shm file on a full disk is an I/O error).
NEARLY_FULL_BYTES = 1 << 20


def connect(path: Path | str, *, create: bool = True, readonly: bool = False) -> sqlite3.Connection:
    """Open a store file, creating (owner-only) and migrating it if needed.

    The store file is never opened here other than by SQLite: SQLite's locks are POSIX
    locks, and closing any descriptor of the file drops every lock this process holds on
    it, after which another client's close deletes the WAL under the live connections.
    So a file that is not a database is recognised by SQLite's own "not a database".

    Raises StoreError with a one-line reason for: a missing directory, a path that is not a
    regular file, a file that is not a SQLite database, a corrupt one, a store written by a
    newer deskterm, a full disk, or a lock that does not clear within the busy timeout.
    """
    path = Path(path)
    memory = str(path) == ":memory:"
    if not memory:
        _check_path(path, create=create)
        if not readonly and not path.exists():
            _create_owner_only(path)
    conn: sqlite3.Connection | None = None
    try:
        if readonly:
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
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
            raise StoreError(
                f"{path} was written by a newer deskterm (schema {found}, this one knows "
                f"{schema.SCHEMA_VERSION}): upgrade deskterm to open it"
            )
        if found < schema.SCHEMA_VERSION and not readonly:
            schema.migrate(conn)
    except (sqlite3.DatabaseError, StoreError) as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, StoreError):
            raise
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise StoreError(f"{path} is not a deskterm store (not a SQLite database)") from None
        raise StoreError(f"Cannot open {path}: {reason(exc, path)}") from None
    return conn


def decode_text(raw: bytes) -> str:
    """A TEXT value as read from SQLite: UTF-8, with U+FFFD where its bytes are not."""
    return raw.decode("utf-8", "replace")


def remove(path: Path) -> None:
    """Delete a store file and its journals (``seed --force``, ``demo --fresh``).

    Raises StoreError when another program has the store open (a running workstation, a
    ``deskterm sync``): deleting its files under it would lose everything it writes next.
    Every connection to a WAL store holds a shared lock on the file as long as it is open,
    so an exclusive one taken through SQLite (never by opening the file ourselves) says
    whether anyone else is there.
    """
    if path.exists() and path.is_file() and path.stat().st_size > 0:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("PRAGMA locking_mode = EXCLUSIVE")
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    f"{path} is open in another program (a running deskterm?): "
                    "close it first, then try again"
                ) from None
        except sqlite3.DatabaseError:
            pass  # not a store at all: nothing of anyone's to lose by overwriting it
        finally:
            probe.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _check_path(path: Path, *, create: bool) -> None:
    """Refuse, by its name and type only, a path that cannot be a store."""
    if not path.parent.exists():
        raise StoreError(f"Cannot open {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise StoreError(f"Cannot open {path}: it is a folder, not a store file")
    if path.exists() and not path.is_file():
        # A device such as /dev/null: SQLite would create /dev/null-journal beside it.
        raise StoreError(f"Cannot open {path}: it is not a regular file")
    if not path.exists() and not create:
        raise StoreError(f"No store at {path}")


def _create_owner_only(path: Path) -> None:
    """Create an empty store file readable by its owner only (it may hold customer data).

    SQLite gives the -wal and -shm files the database file's permissions. Safe to open and
    close here: the file is new, so this process holds no SQLite lock on it yet.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it meanwhile
    except OSError as exc:
        raise StoreError(f"Cannot create {path}: {exc.strerror or exc}") from None
    os.close(fd)


def reason(exc: sqlite3.Error, path: Path | str | None = None) -> str:
    """SQLite's error as one line a user can act on."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    name = getattr(exc, "sqlite_errorname", "") or ""
    folder = Path(path).parent if path is not None else None
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "the store is locked by another program; try again in a moment"
    if name == "SQLITE_FULL" or "disk is full" in text:
        return _disk_full(folder)
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        if folder is not None and _nearly_full(folder):
            return _disk_full(folder)
        return f"the disk could not be read or written ({text}); check the disk and its free space"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        word in text for word in ("malformed", "not a database", "corrupt")
    ):
        return f"the file is damaged ({text}); restore it from a backup or rebuild it"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return f"it cannot be written ({text}); check the permissions of the file and its folder"
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM")) or "unable to open" in text:
        return f"it cannot be opened ({text}); check the permissions of the file and its folder"
    if name == "SQLITE_NOMEM" or "out of memory" in text:
        return "out of memory; close other programs and try again"
    return text


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite found the file damaged (as opposed to busy, full or unreadable)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc)


def _disk_full(folder: Path | None) -> str:
    where = f" on the disk of {folder}" if folder is not None else ""
    return f"the disk is full: free some space{where} and try again"


def _nearly_full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < NEARLY_FULL_BYTES


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
