"""The sync engine: pull the remote into the store, drain the outbox, say how it stands.

Connector-independent. The app runs :meth:`SyncEngine.run` in a background thread; the
``deskterm sync`` command calls :meth:`SyncEngine.pull` once with a progress callback.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from deskterm.backend.connectors.errors import AuthError, RateLimited, RemoteError, TransientError
from deskterm.backend.db import ts
from deskterm.backend.store import Store
from deskterm.backend.sync.lookup import StoreLookup
from deskterm.backend.sync.mirror import agent_id, apply_batch, get_state, set_state
from deskterm.backend.sync.outbox import DrainReport, OutboxDrainer, waiting
from deskterm.backend.sync.protocol import Connector, RemoteAgent
from deskterm.backend.sync.scope import settle_scope
from deskterm.backend.sync.shared_macros import mirror_macros
from deskterm.backend.sync.text import well_formed_record

log = logging.getLogger(__name__)

#: progress(read so far, total expected or None), in the connector's unit (conversations, mails)
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class SyncStatus:
    """How the mirror stands, for the status bar."""

    online: bool = True
    pulling: bool = False
    pulled: int = 0
    total: int | None = None
    waiting: int = 0
    failed: int = 0
    conflicts: int = 0
    last_error: str | None = None
    last_pull_at: datetime | None = None
    #: The remote refused the credentials (an expired sign-in): what to do, in one line.
    refused_credentials: str | None = None

    def describe(self) -> str:
        """One short phrase: ``syncing 120/5,000…``, ``offline, 3 actions waiting``…"""
        actions = f"{self.waiting} action{'s' if self.waiting != 1 else ''} waiting"
        if self.refused_credentials:
            return self.refused_credentials + (f", {actions}" if self.waiting else "")
        if not self.online:
            return f"offline, {actions}"
        parts = []
        if self.pulling:
            parts.append(
                f"syncing {self.pulled:,}/{self.total:,}…"
                if self.total
                else f"syncing {self.pulled:,}…"
            )
        if self.waiting:
            parts.append(actions)
        if self.failed:
            parts.append(f"{self.failed} refused")
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}")
        return ", ".join(parts) or "synced"


@dataclass
class PullReport:
    conversations: int = 0
    created: int = 0
    messages: int = 0
    gone: int = 0  # conversations whose ticket left the mirrored scope (scope.py)
    removed: int = 0  # taken out of the views: the remote says it no longer has them
    skipped: int = 0  # could not be read this time (each one is a line in the log)
    read: int = 0  # what the progress counts, in the connector's unit (conversations, mails)


class SyncEngine:
    """Mirrors one remote account into one store through one connector."""

    def __init__(self, store: Store, connector: Connector) -> None:
        self.store = store
        self.connector = connector
        self.drainer = OutboxDrainer(store, connector)
        attach = getattr(connector, "attach_mirror", None)
        if callable(attach):  # optional: connectors that thread mail against the mirror
            attach(StoreLookup(store))
        self._status = SyncStatus()
        self._lock = threading.Lock()
        self.me: RemoteAgent | None = None
        self.fast_drain = True
        """Retry every waiting entry at once when the remote answers again."""
        self.clock: Callable[[], float] = time.monotonic
        """Seconds, for the loop's pull schedule (tests and benches pass a fake one)."""
        self._pull_requested = threading.Event()
        self._wake = threading.Event()  # set by pull_now, and by stop: ends the loop's pause
        self._pull_requested.set()
        self._last_pull: float | None = None
        self._not_before = 0.0

    @property
    def name(self) -> str:
        return self.connector.name

    # -- who we are --------------------------------------------------------------------

    def identify(self) -> RemoteAgent:
        """Ask the remote who the credentials act as (and remember it for offline starts).

        Raises:
            AuthError, TransientError: as the connector's ``whoami``.
        """
        me = well_formed_record(self.connector.whoami())
        with self.store.transaction() as c:
            set_state(c, self.name, "me", json.dumps(me.__dict__))
            self.drainer.me = agent_id(c, me)
        self.me = me
        return me

    def remembered_me(self) -> RemoteAgent | None:
        """The agent of the last successful ``identify``, for working offline."""
        raw = get_state(self.store, self.name, "me")
        if raw is None:
            return None
        self.me = RemoteAgent(**json.loads(raw))
        with self.store.transaction() as c:
            self.drainer.me = agent_id(c, self.me)
        return self.me

    def local_agent_id(self) -> int | None:
        if self.me is None:
            return None
        with self.store.transaction() as c:
            return agent_id(c, self.me)

    # -- pull and push -------------------------------------------------------------------

    def pull(self, progress: Progress | None = None) -> PullReport:
        """Mirror everything changed since the stored cursor, batch by batch.

        Raises:
            RemoteError: the pull stopped; what landed stays, and the next pull resumes
                from the last batch's cursor.
        """
        report = PullReport()
        cursor = get_state(self.store, self.name, "cursor")
        me = self.me.external_id if self.me else None
        self._update(pulling=True, pulled=0, total=None)
        try:
            for batch in self.connector.pull(cursor):
                stats = apply_batch(self.store, self.name, batch, me=me)
                report.conversations += stats.conversations
                report.created += stats.created
                report.messages += stats.messages
                report.removed += stats.removed
                report.skipped += len(batch.skipped)
                report.read += stats.conversations if batch.read is None else batch.read
                for line in batch.skipped:
                    log.warning("%s sync skipped %s", self.name, line)
                self._update(pulled=report.read, total=batch.total, online=True)
                if progress is not None:
                    progress(report.read, batch.total)
            report.gone = len(settle_scope(self.store, self.connector).gone)
            with self.store.transaction() as c:
                set_state(c, self.name, "last_pull_at", str(ts(self.store.now())))
            self._update(
                last_pull_at=self.store.now(),
                online=True,
                last_error=None,
                refused_credentials=None,
            )
            if self.fast_drain:
                self.drainer.hurry()  # the remote answers: what waits goes now, in order
        except TransientError as exc:
            self._update(online=isinstance(exc, RateLimited), last_error=str(exc))
            raise
        finally:
            self._update(pulling=False)
        return report

    def drain(self) -> DrainReport:
        """Push what the outbox holds and is due."""
        report = self.drainer.drain()
        if self.fast_drain and report.pushed and report.waited and not report.stopped:
            # The remote answers again: the entries still waiting out a backoff go now.
            self.drainer.hurry()
            more = self.drainer.drain()
            report.pushed += more.pushed
            report.failed += more.failed
            report.conflicts += more.conflicts
            report.retrying, report.waited = more.retrying, more.waited
            report.offline, report.stopped = more.offline, more.stopped
            report.last_error = more.last_error or report.last_error
        if report.pushed:
            self._update(online=True, refused_credentials=None)
        if report.refused_credentials:
            label = self.connector.label
            self._update(refused_credentials=f"{label}: {report.refused_credentials}")
        if report.offline:
            self._update(online=False, last_error=report.last_error)
        self._refresh_counts()
        return report

    def import_macros(self) -> int:
        """Copy the remote's macros into the library (placeholders kept); returns how many.
        What only deskterm holds stays (see :mod:`.shared_macros`)."""
        return mirror_macros(self.store, self.connector)

    def run(
        self,
        stop: threading.Event,
        *,
        interval: float,
        on_status: Callable[[SyncStatus], None] | None = None,
        drain_every: float = 1.0,
    ) -> None:
        """Until ``stop`` is set: drain the outbox about every second, pull every
        ``interval`` seconds (or at once when ``pull_now`` is called, as a connector's
        ``watch`` does when the remote says something arrived). Network trouble is waited
        out, never raised."""
        self._pull_requested.set()

        def wake_on_stop() -> None:
            stop.wait()
            self._wake.set()

        threading.Thread(target=wake_on_stop, name="deskterm-sync-stop", daemon=True).start()
        watch = getattr(self.connector, "watch", None)
        if callable(watch):  # optional: the remote tells when something arrives (IMAP IDLE)
            threading.Thread(
                target=watch, args=(stop, self.pull_now), name="deskterm-watch", daemon=True
            ).start()
        while not stop.is_set():
            self.turn(interval=interval, on_status=on_status)
            self._wake.wait(drain_every)  # pull_now and stop end the pause early
            self._wake.clear()

    def turn(
        self, *, interval: float, on_status: Callable[[SyncStatus], None] | None = None
    ) -> None:
        """One turn of the loop: drain, pull when due, drain what the pull let go."""
        try:
            if self.me is None and self.remembered_me() is None:
                self.identify()
            self.drain()
            now = self.clock()
            due = (
                self._last_pull is None
                or now - self._last_pull >= interval
                or self._pull_requested.is_set()
            )
            if due and now >= self._not_before:
                self._pull_requested.clear()
                self._last_pull = now
                self.pull((lambda _n, _t: on_status(self.status())) if on_status else None)
                self.drain()
        except RateLimited as exc:
            self._not_before = self.clock() + exc.retry_after  # the account's limit: wait
            self._update(last_error=str(exc).splitlines()[0][:300])
        except AuthError as exc:
            line = str(exc).splitlines()[0][:200]
            self._update(last_error=line, refused_credentials=f"{self.connector.label}: {line}")
        except RemoteError as exc:
            self._update(
                online=not isinstance(exc, TransientError) or isinstance(exc, RateLimited),
                last_error=str(exc).splitlines()[0][:300],
            )
        except Exception as exc:  # the loop must survive; the status bar says why
            self._update(last_error=f"{type(exc).__name__}: {exc}"[:300])
        self._refresh_counts()
        if on_status is not None:
            on_status(self.status())

    def pull_now(self) -> None:
        """Ask the running loop for a pull at its next turn."""
        self._pull_requested.set()
        self._wake.set()

    # -- status --------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    def _refresh_counts(self) -> None:
        # A conflict the agent has acted on since (a newer action on that conversation, such
        # as the key that does it anyway) no longer needs them.
        counts = dict(
            self.store.conn.execute(
                "SELECT state, count(*) FROM outbox o WHERE state = 'failed' OR "
                "(state IN ('conflict', 'held') AND NOT EXISTS (SELECT 1 FROM outbox n "
                "WHERE n.id > o.id AND n.conversation_id = o.conversation_id)) GROUP BY state"
            ).fetchall()
        )
        self._update(
            waiting=waiting(self.store),
            failed=int(counts.get("failed", 0)),
            conflicts=int(counts.get("conflict", 0)) + int(counts.get("held", 0)),
        )
