"""Saving what the agent types as the conversation's draft, in order, and again after a
failure: nothing typed is lost, even while the store refuses writes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from textual.timer import Timer

from deskterm.backend.drafts import UnsavedDrafts
from deskterm.patches.barrier import summary
from deskterm.screens.workstation.host import Host

log = logging.getLogger(__name__)

#: While a draft could not be saved, how often saving it is tried again (besides each key).
DRAFT_RETRY_SECONDS = 2.0


class DraftHost(Host, Protocol):
    def set_interval(self, interval: float, callback: Callable[[], object]) -> Timer: ...

    def busy(self, group: str) -> bool:
        """A worker of ``group`` is still running."""


class DraftSaver:
    """The drafts typed and not yet in the store, and the one worker that writes them."""

    def __init__(self, host: DraftHost) -> None:
        self.host = host
        self.unsaved = UnsavedDrafts()
        self.failing = False
        """The last save failed (the agent was told once)."""
        self._retry: Timer | None = None

    def save(self, conversation_id: int, body: str, note: bool) -> None:
        """Save ``body`` as the conversation's draft soon, after the drafts offered before."""
        self.unsaved.offer(conversation_id, body, note)
        if not self.host.busy("drafts"):  # the one saving takes this text next
            self._start()

    def _start(self) -> None:
        self.host.in_thread(self._save_drafts, group="drafts", name="_save_drafts")

    def _save_drafts(self) -> None:
        desk = self.host.desk
        # One worker at a time, newest text last; one that waits on a locked store holds one
        # thread, not one per key typed meanwhile.
        while True:
            saved, error = self.unsaved.save(desk.store, desk.agent.id)
            if error is not None or not self.unsaved.pending:
                break
        self.host.from_thread(self.saved, error)
        if saved:
            last = saved[-1]
            state = "typing" if last.body.strip() else "viewing"
            desk.store.touch_presence(last.conversation_id, desk.agent.id, state)

    def saved(self, error: Exception | None) -> None:
        """After a save: the first failure says so once, and saving is tried again until
        the store takes the drafts; the text stays in the composer all along."""
        host = self.host
        if error is None:
            if self.failing:
                self.failing = False
                log.warning("drafts saved again")
                host.notify("Draft saved: the store accepts changes again.")
            if not self.unsaved.pending and self._retry is not None:
                self._retry.stop()
                self._retry = None
            return
        if not self.failing:
            self.failing = True
            log.warning("saving a draft failed; kept in memory, tried again", exc_info=error)
            host.notify(
                f"Draft not saved ({summary(error)}): it stays here and is saved once the "
                "store accepts it.",
                severity="warning",
                timeout=8,
            )
        if self._retry is None:
            self._retry = host.set_interval(DRAFT_RETRY_SECONDS, self._retry_drafts)

    def _retry_drafts(self) -> None:
        if self.unsaved.pending and not self.host.busy("drafts"):
            self._start()
