"""``deskterm demo --live`` in the app: the live demo's customers write from a thread worker.

The generator (:class:`deskterm.backend.demo.live.LiveDemo`) writes through the app's own
store, so routing rules apply to its arrivals as to any other; the workstation sees what it
wrote by its usual live poll. A key pauses and resumes it; the status bar says which.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import TYPE_CHECKING

from deskterm.backend.db import StoreError, ts
from deskterm.keymap import keys_for

if TYPE_CHECKING:
    from deskterm.app import DeskApp
    from deskterm.backend.demo.live import LiveDemo

log = logging.getLogger(__name__)

#: How often the generator looks at its clock (seconds of real time).
TICK_SECONDS = 1.0


class LiveDemoRunner:
    """Owns the live demo's thread for one app run."""

    def __init__(self, demo: LiveDemo, *, tick: float = TICK_SECONDS) -> None:
        self.demo = demo
        self.tick = tick
        self.stop = threading.Event()
        self.paused = False
        self.written = 0
        """Conversations and messages the customers wrote so far."""
        self._lock = threading.Lock()
        self._paused_at: int | None = None
        self._failed: str | None = None

    def start(self, app: DeskApp) -> None:
        """Start the background worker (call from the event loop, once the app is up)."""

        def work() -> None:
            while not self.stop.wait(self.tick):
                problem = self.step()
                if problem is not None:
                    app.call_from_thread(
                        app.notify, problem, title="Live demo", severity="warning", timeout=10
                    )
                    if self.demo.store.read_only_reason is not None or not self.demo.started:
                        return

        app.run_worker(work, thread=True, group="live-demo", name="live demo", exit_on_error=False)
        self.show(app)

    def step(self) -> str | None:
        """One look at the clock (from the worker); a line to show when the store refused."""
        with self._lock:
            if self.paused:
                return None
            try:
                self.written += len(self.demo.step())
            except (StoreError, sqlite3.Error) as exc:
                line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.warning("live demo step failed: %s", line)
                if line == self._failed:
                    return None  # said once is enough: it tries again at the next tick
                self._failed = line
                return f"The live demo could not write: {line}"
            self._failed = None
            return None

    def toggle(self) -> bool:
        """Pause or resume; returns whether it is paused now."""
        with self._lock:
            now = ts(self.demo.clock()) or 0
            if self.paused:
                if self._paused_at is not None:
                    self.demo.resume(max(0, now - self._paused_at))
                self._paused_at = None
                self.paused = False
            else:
                self._paused_at = now
                self.paused = True
            return self.paused

    def label(self, overrides: dict[str, str] | None = None) -> str:
        """What the status bar says: "live 120/h" or "live · paused", and the key."""
        key = keys_for("app.live_demo", overrides).split(",")[0]
        if self.paused:
            return f"live · paused ({key} resumes)"
        return f"live {self.demo.rate:g}/h ({key} pauses)"

    def show(self, app: DeskApp) -> None:
        """Put the state in the workstation's status bar (on the event loop)."""
        from deskterm.screens.workstation import WorkstationScreen
        from deskterm.widgets.status_bar import StatusBar

        for screen in app.screen_stack:
            if isinstance(screen, WorkstationScreen):
                for bar in screen.query(StatusBar):
                    bar.live_demo = self.label(app.keymap_overrides)

    def shutdown(self) -> None:
        self.stop.set()
