"""Drafts typed but not yet in the store, kept until the store takes them.

The composer offers its text as a draft a moment after each change. When the store cannot
take it (locked by another program for longer than the busy timeout, a full disk, a
read-only file), the text is still in the composer; this keeps it for every conversation
typed in, also after the agent moved on to another one, and hands the latest version of each
to the next save, on the next keystroke or the screen's retry timer.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from typing import Protocol

from deskterm.backend.db import StoreError


class DraftStore(Protocol):
    def save_draft(
        self, conversation_id: int, agent_id: int, body: str, *, note: bool = False
    ) -> None: ...


@dataclass(frozen=True)
class Draft:
    conversation_id: int
    body: str
    note: bool
    version: int


class UnsavedDrafts:
    """The latest unsaved draft of each conversation. :meth:`offer` is called on the event
    loop and never waits; :meth:`save` runs in workers, one at a time, newest text last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # held for dict updates only, never for a store call
        self._saving = threading.Lock()  # one save at a time: an older text never lands last
        self._pending: dict[int, Draft] = {}
        self._version = 0

    def offer(self, conversation_id: int, body: str, note: bool) -> None:
        with self._lock:
            self._version += 1
            self._pending[conversation_id] = Draft(conversation_id, body, note, self._version)

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def save(self, store: DraftStore, agent_id: int) -> tuple[list[Draft], Exception | None]:
        """Write every pending draft; returns those written and the error that stopped the
        rest (a StoreError or SQLite's own), which stay pending for the next save."""
        saved: list[Draft] = []
        with self._saving:
            with self._lock:
                drafts = sorted(self._pending.values(), key=lambda d: d.version)
            for draft in drafts:
                try:
                    store.save_draft(draft.conversation_id, agent_id, draft.body, note=draft.note)
                except (StoreError, sqlite3.Error) as exc:
                    return saved, exc
                with self._lock:
                    # Typed again meanwhile: the newer text stays for the next save.
                    if self._pending.get(draft.conversation_id) is draft:
                        del self._pending[draft.conversation_id]
                saved.append(draft)
        return saved, None
