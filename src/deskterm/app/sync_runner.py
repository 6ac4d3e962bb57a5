"""Remote mode in the app: the sync engine in a background thread worker, its state shown.

The engine never touches widgets: it reports a :class:`SyncStatus`, and this runner hands it
to the workstation's status bar on the event loop (``call_from_thread``). Quitting with
actions still in the outbox warns once (a second quit leaves); the outbox is kept in the
mirror and drains at the next start.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from deskterm.backend.leads.reads import unshared_since
from deskterm.backend.sync import SyncEngine, SyncStatus
from deskterm.backend.sync.intent import DEFAULT_KEYS
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.safety import one_line
from deskterm.keymap import keys_for

if TYPE_CHECKING:
    from deskterm.app import DeskApp
    from deskterm.domain.models import Agent

#: A second quit within this many seconds leaves despite unsent actions.
QUIT_AGAIN_SECONDS = 5.0


class SyncRunner:
    """Owns the engine's thread for one app run."""

    def __init__(self, engine: SyncEngine, *, interval: float, drain_every: float = 1.0) -> None:
        self.engine = engine
        self.interval = interval
        self.drain_every = drain_every
        self.stop = threading.Event()
        self._warned_at: float | None = None
        self._agents_seen = -1
        self._conflict_seen: int | None = None
        self._unshared_seen: int | None = None

    @property
    def label(self) -> str:
        return str(getattr(self.engine.connector, "label", self.engine.name))

    def start(self, app: DeskApp) -> None:
        """Start the background worker (call from the event loop, on mount)."""
        # Conflict lines name the agent's own keys for doing an action anyway.
        self.engine.drainer.keys = {
            key_id: keys_for(key_id, app.keymap_overrides).split(",")[0] for key_id in DEFAULT_KEYS
        }

        def report(status: SyncStatus) -> None:
            if self.stop.is_set():
                return
            # Agents the pull brought in (assignees, authors) become pickable; read here, in
            # the worker thread, never on the event loop.
            agents = None
            store = self.engine.store
            count = int(store.conn.execute("SELECT count(*) FROM agents").fetchone()[0])
            if count != self._agents_seen:
                self._agents_seen = count
                agents = store.agents()
            conflicts = self._new_conflicts()
            unshared = self._new_unshared()
            app.call_from_thread(self._show, app, status, agents)
            for line in unshared:
                app.call_from_thread(self._unshared, app, line)
            for subject, line in conflicts:
                app.call_from_thread(
                    app.notify,
                    one_line(f"{subject}: {line}", 300),
                    title="Changed meanwhile",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )

        def work() -> None:
            try:
                if self.engine.import_macros():
                    app.call_from_thread(app.reload_macros)
            except Exception:  # macros are a nicety: the sync loop reports the network state
                pass
            self.engine.run(
                self.stop, interval=self.interval, on_status=report, drain_every=self.drain_every
            )

        app.run_worker(work, thread=True, group="sync", name="sync", exit_on_error=False)

    def _new_conflicts(self) -> list[tuple[str, str]]:
        """The conflicts ended since the last report (subject, line), read in the worker."""
        conn = self.engine.store.conn
        newest = int(
            conn.execute(
                "SELECT coalesce(max(id), 0) FROM outbox WHERE state IN ('conflict', 'held')"
            ).fetchone()[0]
        )
        seen, self._conflict_seen = self._conflict_seen, newest
        if seen is None or newest <= seen:
            return []  # the first report only notes where the outbox stands
        found = []
        for (cid,) in conn.execute(
            "SELECT DISTINCT conversation_id FROM outbox WHERE state IN ('conflict', 'held') "
            "AND id > ? "
            "ORDER BY id LIMIT 3",
            (seen,),
        ).fetchall():
            row = conn.execute(
                "SELECT c.subject, m.body FROM conversations c JOIN messages m "
                "ON m.conversation_id = c.id WHERE c.id = ? AND m.author_kind = 'system' "
                "AND m.body LIKE '⚠ You %' ORDER BY m.id DESC LIMIT 1",
                (cid,),
            ).fetchone()
            if row is not None:
                found.append((str(row[0]), str(row[1])))
        return found

    def _new_unshared(self) -> list[str]:
        """Macros a lead published that the remote refused since the last report (one line
        each), read in the worker."""
        newest, lines = unshared_since(self.engine.store.conn, self._unshared_seen)
        self._unshared_seen = newest
        return lines

    def _unshared(self, app: DeskApp, line: str) -> None:
        """Say it wherever the lead is; the leads' desk lists it too."""
        title = "Published in deskterm only"
        app.notify(line, title=title, severity="warning", timeout=15, markup=False)
        from deskterm.screens.leads import LeadsScreen

        if isinstance(app.screen, LeadsScreen):
            app.screen.load()

    def _show(self, app: DeskApp, status: SyncStatus, agents: list[Agent] | None) -> None:
        if agents is not None:
            app.set_agents(agents)
        from deskterm.screens.workstation import WorkstationScreen
        from deskterm.widgets.status_bar import StatusBar

        for screen in app.screen_stack:
            if isinstance(screen, WorkstationScreen):
                for bar in screen.query(StatusBar):
                    bar.sync_state = status.describe()

    def sync_now(self) -> None:
        self.engine.pull_now()

    def waiting(self) -> int:
        return waiting(self.engine.store)

    def hold_quit(self, app: DeskApp) -> bool:
        """True when quitting should wait: actions are unsent and the agent was not warned."""
        count = self.waiting()
        if not count:
            return False
        now = time.monotonic()
        if self._warned_at is not None and now - self._warned_at < QUIT_AGAIN_SECONDS:
            return False
        self._warned_at = now
        app.notify(
            f"{count} action{'s' if count != 1 else ''} not yet sent to {self.label}. "
            "They are kept and go out next time; quit again to leave now.",
            title="Unsent actions",
            severity="warning",
            timeout=QUIT_AGAIN_SECONDS,
        )
        return True

    def shutdown(self) -> None:
        self.stop.set()
