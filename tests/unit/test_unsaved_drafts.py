"""Drafts the store refused are kept, newest text per conversation, and written in order once
it accepts them; what went wrong reads as one line and only a damaged store is fatal."""

from __future__ import annotations

import sqlite3
import threading

from deskterm.backend.db import StoreError
from deskterm.backend.drafts import UnsavedDrafts
from deskterm.patches.barrier import Barrier, is_damage, is_fatal, summary


class FakeStore:
    def __init__(self) -> None:
        self.refuse: Exception | None = None
        self.written: list[tuple[int, str, bool]] = []
        self.during_save = None

    def save_draft(self, conversation_id: int, agent_id: int, body: str, *, note: bool = False):
        if self.during_save is not None:
            self.during_save()
        if self.refuse is not None:
            raise self.refuse
        self.written.append((conversation_id, body, note))


def test_refused_drafts_stay_pending_and_the_latest_text_is_written_later():
    store, unsaved = FakeStore(), UnsavedDrafts()
    store.refuse = StoreError("The store is busy: database is locked")
    unsaved.offer(1, "Bon", False)
    saved, error = unsaved.save(store, agent_id=7)
    assert saved == [] and isinstance(error, StoreError) and unsaved.pending
    unsaved.offer(1, "Bonjour", False)
    unsaved.offer(2, "Hello", True)
    store.refuse = sqlite3.OperationalError("database or disk is full")
    assert isinstance(unsaved.save(store, agent_id=7)[1], sqlite3.OperationalError)
    store.refuse = None
    saved, error = unsaved.save(store, agent_id=7)
    assert error is None and not unsaved.pending
    assert store.written == [(1, "Bonjour", False), (2, "Hello", True)]
    assert [d.conversation_id for d in saved] == [1, 2]


def test_text_typed_while_saving_stays_for_the_next_save():
    store, unsaved = FakeStore(), UnsavedDrafts()
    unsaved.offer(1, "Bonjour", False)
    store.during_save = lambda: unsaved.offer(1, "Bonjour Léa", False)
    unsaved.save(store, agent_id=7)
    store.during_save = None
    assert unsaved.pending
    unsaved.save(store, agent_id=7)
    assert store.written[-1] == (1, "Bonjour Léa", False) and not unsaved.pending


def test_saves_run_one_at_a_time():
    store, unsaved = FakeStore(), UnsavedDrafts()
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def slow() -> None:
        if not inside.is_set():
            inside.set()
            release.wait(5)
        order.append("write")

    store.during_save = slow
    unsaved.offer(1, "old", False)
    first = threading.Thread(target=unsaved.save, args=(store, 7))
    first.start()
    inside.wait(5)
    unsaved.offer(1, "new", False)  # never waits on the store
    second = threading.Thread(target=unsaved.save, args=(store, 7))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert store.written[-1] == (1, "new", False)


def test_summary_is_one_line_and_a_store_error_reads_as_written():
    assert summary(StoreError("The store is busy: database is locked")) == (
        "The store is busy: database is locked"
    )
    assert summary(RuntimeError("boom\nmore")) == "RuntimeError: boom"
    assert summary(RuntimeError()) == "RuntimeError"
    assert len(summary(ValueError("x" * 1000))) == 300


def test_only_lost_memory_is_fatal_and_damage_is_found_behind_a_store_error():
    damaged = sqlite3.DatabaseError("database disk image is malformed")
    damaged.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
    assert is_damage(damaged) and not is_fatal(damaged)
    try:
        try:
            raise damaged
        except sqlite3.DatabaseError:
            raise StoreError("Cannot read the store") from None
    except StoreError as wrapped:
        assert is_damage(wrapped)  # found behind the message meant for the user
    assert is_fatal(MemoryError())
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
    assert not is_fatal(busy)
    assert not is_fatal(StoreError("The store is busy"))
    assert not is_fatal(RuntimeError("boom"))


def test_the_same_notice_waits_its_quiet_time():
    shown: list[str] = []
    now = [0.0]
    barrier = Barrier(lambda line, **kw: shown.append(line), clock=lambda: now[0])
    for _ in range(3):
        assert barrier.contain(RuntimeError("boom"), "test")
    barrier.contain(StoreError("The store is busy"), "test")
    now[0] = 11.0
    barrier.contain(RuntimeError("boom"), "test")
    assert shown == ["RuntimeError: boom", "The store is busy", "RuntimeError: boom"]
