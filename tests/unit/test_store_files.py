"""The store file itself: what deskterm refuses to open, and what it says when the disk is
full or the file is damaged, each in one line."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskterm.backend import db
from deskterm.backend import store as store_module
from deskterm.backend.db import StoreError
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind
from tests.conftest import Team, customer_writes
from tests.damage import damage_table


def test_a_device_or_a_pipe_is_refused_without_creating_a_journal_beside_it(tmp_path: Path):
    journal = Path("/dev/null-journal")
    existed = journal.exists()
    with pytest.raises(StoreError, match=r"^Cannot open /dev/null: it is not a regular file$"):
        Store("/dev/null")
    assert journal.exists() == existed
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(StoreError, match="not a regular file"):
        Store(pipe)
    with pytest.raises(StoreError, match="not a regular file"):
        db.connect(pipe, create=False, readonly=True)


def test_a_new_store_is_created_owner_only(tmp_path: Path):
    s = Store(tmp_path / "new.db")
    s.close()
    for name in ("new.db", "new.db-wal", "new.db-shm"):
        if (tmp_path / name).exists():
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def _error(text: str, name: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    return exc


def test_sqlite_errors_read_as_one_line_a_person_can_act_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    full = db.reason(_error("database or disk is full", "SQLITE_FULL"), tmp_path / "s.db")
    assert full == f"the disk is full: free some space on the disk of {tmp_path} and try again"
    io = _error("disk I/O error", "SQLITE_IOERR_SHMSIZE")
    assert "disk could not be read or written" in db.reason(io, tmp_path / "s.db")
    # The same I/O error on a disk with no room left is a full disk.
    monkeypatch.setattr(db, "_nearly_full", lambda folder: True)
    assert db.reason(io, tmp_path / "s.db").startswith("the disk is full")
    assert "locked by another program" in db.reason(_error("database is locked", "SQLITE_BUSY"))
    assert "damaged" in db.reason(_error("database disk image is malformed", "SQLITE_CORRUPT"))
    assert "permissions" in db.reason(
        _error("attempt to write a readonly database", "SQLITE_READONLY")
    )
    assert "permissions" in db.reason(_error("unable to open database file", "SQLITE_CANTOPEN"))
    for exc in (io, _error("database or disk is full\nmore", "SQLITE_FULL")):
        assert "\n" not in db.reason(exc)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB file system (root only: elsewhere the test skips)."""
    where = tmp_path / "small"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield where
    finally:
        # Lazily: a descriptor still open on it must not leave it mounted.
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_at_start_says_the_disk_is_full(small_disk: Path):
    (small_disk / "filler").write_bytes(b"\0" * (250 * 1024))
    with pytest.raises(StoreError) as caught:
        Store(small_disk / "s.db")
    assert str(caught.value) == (
        f"Cannot open {small_disk / 's.db'}: the disk is full: free some space on the disk "
        f"of {small_disk} and try again"
    )


def _store_with_messages(path: Path, team_store: Store, team: Team) -> None:
    for n in range(60):
        customer_writes(team_store, team.customer, f"message {n} " + "words " * 80)
    team_store.close()


def test_a_damaged_store_opens_read_only_and_refuses_writes_in_one_line(store: Store, team: Team):
    _store_with_messages(store.path, store, team)
    damage_table(store.path)
    damaged = Store(store.path)
    try:
        assert damaged.read_only_reason is not None
        assert damaged.read_only_reason.startswith("The store is damaged (")
        assert f"sqlite3 {store.path} .recover | sqlite3 NEW.db" in damaged.read_only_reason
        with pytest.raises(StoreError, match="read-only now") as caught:
            damaged.add_message(
                1, author_kind=AuthorKind.AGENT, author_id=team.agent, body="x", public=False
            )
        assert "\n" not in str(caught.value)
        assert damaged.agent(team.agent) is not None  # what can still be read, is
    finally:
        damaged.close()


def test_a_large_store_is_checked_on_request_not_at_open(
    store: Store, team: Team, monkeypatch: pytest.MonkeyPatch
):
    _store_with_messages(store.path, store, team)
    damage_table(store.path)
    monkeypatch.setattr(store_module, "CHECK_AT_OPEN_BYTES", 0)
    damaged = Store(store.path)
    try:
        assert (damaged.checked, damaged.read_only_reason) == (False, None)
        assert damaged.check() is not None
        assert damaged.checked
        with pytest.raises(StoreError, match="damaged"):
            damaged.save_view("refunds", "refund")
    finally:
        damaged.close()


def test_a_sound_store_stays_writable_after_its_check(store: Store, team: Team):
    customer_writes(store, team.customer, "hello")
    assert store.checked
    assert store.check() is None
    store.save_view("refunds", "refund")


def test_a_commit_that_fails_leaves_no_transaction_open_to_swallow_later_writes(store):
    # A deferred foreign key fails at COMMIT, as a full disk or an I/O error can.
    store.conn.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY)")
    store.conn.execute(
        "CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(StoreError, match="Not saved"), store.transaction() as c:
        c.execute("INSERT INTO child VALUES (42)")
    assert not store.conn.in_transaction
    store.save_view("refunds", "refund")  # the next write of this thread commits
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("SELECT count(*) FROM saved_views").fetchone()[0] == 1
        assert other.execute("SELECT count(*) FROM child").fetchone()[0] == 0
    finally:
        other.close()
