"""The Store: the one thing the UI reads and writes.

A Store wraps one SQLite file. Each thread gets its own connection (the UI calls the store
from thread workers), all sharing the file in WAL mode, so readers never wait on the writer.

The Store owns the connections, the write transaction and the damage check; what it reads
and writes is done by small parts, one per concern, each holding the store as its
:class:`~deskterm.backend.db.Connections`: reads in :mod:`deskterm.backend.reads`, writes in
:mod:`deskterm.backend.writes`. The Store's methods are theirs, bound in :meth:`Store._bind_parts`
(the table there says which part owns which method), so callers keep to one object.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from deskterm.backend.db import StoreError, connect, is_damage, reason
from deskterm.backend.reads.desk import Desk
from deskterm.backend.reads.inbox import Inbox
from deskterm.backend.reads.people import People
from deskterm.backend.reads.problems import Problems
from deskterm.backend.reads.threads import Threads
from deskterm.backend.routing import Router
from deskterm.backend.writes.customers import CustomerWrites
from deskterm.backend.writes.macros import MacroWrites
from deskterm.backend.writes.merge import MergeWrites
from deskterm.backend.writes.messages import MessageWrites
from deskterm.backend.writes.policies import SLAPolicies
from deskterm.backend.writes.problems import ProblemWrites
from deskterm.backend.writes.triage import Triage
from deskterm.backend.writes.undo import Undo

Clock = Callable[[], datetime]

#: A store this small is checked for damage as it opens (a few milliseconds per megabyte);
#: a larger one only by the app, in the background, after the first paint.
CHECK_AT_OPEN_BYTES = 16 * 1024 * 1024


def system_clock() -> datetime:
    return datetime.now(UTC)


class Store:
    """Typed access to a deskterm store file."""

    def __init__(self, path: Path | str, *, clock: Clock = system_clock, create: bool = True):
        self.path = Path(path)
        self.clock = clock
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._watch: sqlite3.Connection | None = None
        #: Why writes are refused (the store was found damaged), or None: writable.
        self.read_only_reason: str | None = None
        #: Whether :meth:`check` ran on this store.
        self.checked = False
        #: The routing rules applied as conversations arrive (see :meth:`set_router`).
        self.router: Router | None = None
        self._bind_parts()
        self._conn(create=create)  # open now, so a bad file fails here with one line
        if str(self.path) != ":memory:" and self.path.stat().st_size < CHECK_AT_OPEN_BYTES:
            self.check()

    def _bind_parts(self) -> None:
        """The store's reads and writes, each a method of the part that owns its concern.

        Parts call each other directly (undo through triage, change_tags through set_tags):
        to step in between two of them, a test replaces the part's method, not the store's.
        """
        # reads/inbox.py: views by keyset pages, counts, search words
        inbox = self._inbox = Inbox(self)
        self.search_words = inbox.search_words
        self.count = inbox.count
        self.count_is_partial = inbox.count_is_partial
        self.page = inbox.page
        self.first_page = inbox.first_page
        self.page_at = inbox.page_at
        self.breaching_count = inbox.breaching_count
        self.tag_counts = inbox.tag_counts
        self.saved_views = inbox.saved_views
        # reads/threads.py: a conversation, its messages and events
        threads = self._threads = Threads(self)
        self.conversation = threads.conversation
        self.conversation_by_external = threads.conversation_by_external
        self.messages = threads.messages
        self.unsent = threads.unsent
        self.kept_snooze = threads.kept_snooze
        self.customer_conversations = threads.customer_conversations
        self.open_conversations_of = threads.open_conversations_of
        self.events = threads.events
        # reads/people.py: agents, groups, customers, orders, goodwill
        people = self._people = People(self)
        self.agents = people.agents
        self.agent = people.agent
        self.agent_by_email = people.agent_by_email
        self.groups = people.groups
        self.customer = people.customer
        self.find_customers = people.find_customers
        self.orders = people.orders
        self.order = people.order
        self.order_by_number = people.order_by_number
        self.customer_totals = people.customer_totals
        self.gestures_since = people.gestures_since
        # reads/problems.py: problems, their figures, their conversations
        problems = self._problems = Problems(self)
        self.problems = problems.problems
        self.problem = problems.problem
        self.problem_conversations = problems.problem_conversations
        self.problems_of_conversation = problems.problems_of_conversation
        self.problem_examples = problems.problem_examples
        self.problems_key = problems.problems_key
        self.problem_reports = problems.problem_reports
        # reads/desk.py: macros, drafts, presence
        desk = self._desk = Desk(self)
        self.macros = desk.macros
        self.all_macros = desk.all_macros
        self.macro = desk.macro
        self.macro_examples = desk.macro_examples
        self.macros_used_in = desk.macros_used_in
        self.draft = desk.draft
        self.presence = desk.presence
        # writes/policies.py: SLA policies, kept once read
        policies = self._policies = SLAPolicies(self)
        self.sla_policies = policies.sla_policies
        self.set_sla_policies = policies.set_sla_policies
        self.apply_sla_policies = policies.apply_sla_policies
        # writes/messages.py: conversations opened, messages added, drafts, presence
        messages = self._messages = MessageWrites(self, policies.sla_policies)
        self.open_conversation = messages.open_conversation
        self.add_message = messages.add_message
        self.save_draft = messages.save_draft
        self.touch_presence = messages.touch_presence
        self.clear_presence = messages.clear_presence
        # writes/triage.py: status, assignee, tags, priority, snooze; ChangedMeanwhile
        triage = self._triage = Triage(self, policies.sla_policies)
        self.update_conversation = triage.update_conversation
        self.set_status = triage.set_status
        self.snooze = triage.snooze
        self.assign = triage.assign
        self.set_tags = triage.set_tags
        self.change_tags = triage.change_tags
        self.mark_read = triage.mark_read
        self.wake_due = triage.wake_due
        # writes/problems.py: problems, their links to conversations, customers told
        problem_writes = self._problem_writes = ProblemWrites(self)
        self.add_problem = problem_writes.add_problem
        self.link_problem = problem_writes.link
        self.unlink_problem = problem_writes.unlink
        self.update_problem = problem_writes.update_problem
        self.record_notified = problem_writes.record_notified
        # writes/merge.py: two conversations of one customer made one
        merges = self._merges = MergeWrites(self, messages, policies.sla_policies)
        self.merge = merges.merge
        # writes/undo.py
        self._undo = Undo(self, triage, problem_writes, merges)
        self.undo = self._undo.undo
        # writes/customers.py: groups, agents, customers
        customers = self._customers = CustomerWrites(self)
        self.add_group = customers.add_group
        self.add_agent = customers.add_agent
        self.add_customer = customers.add_customer
        self.add_order = customers.add_order
        self.update_customer_notes = customers.update_customer_notes
        # writes/macros.py: macros, their uses, saved views
        macros = self._macros = MacroWrites(self)
        self.add_macro = macros.add_macro
        self.upsert_macro_by_title = macros.upsert_macro_by_title
        self.record_macro_use = macros.record_macro_use
        self.save_view = macros.save_view

    def set_router(self, router: Router | None) -> None:
        """Route conversations by *router*'s rules as they arrive and as customers write
        again (None: no routing)."""
        self.router = router
        self._messages.on_customer = (
            None if router is None else lambda cid, event: router.route(self, cid, event)
        )

    # -- connections -------------------------------------------------------------------

    def _conn(self, *, create: bool = True) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, create=create)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        return self._conn()

    def check(self) -> str | None:
        """Look for damage with SQLite's quick_check; a damaged store turns read-only.

        Returns the one-line reason writes are now refused, or None when the store is sound.
        Runs on a connection of its own (a large store takes seconds: run it in a worker).
        """
        try:
            conn = connect(self.path, create=False, readonly=True)
        except StoreError as exc:
            if "damaged" not in str(exc):
                return self.read_only_reason  # locked, say: not a verdict, check later
            problem: str | None = str(exc)
        else:
            try:
                found = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
                problem = None if found == ["ok"] else "; ".join(found)
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    return self.read_only_reason
                problem = str(exc)
            finally:
                conn.close()
        self.checked = True
        if problem is not None:
            self.mark_damaged(problem)
        return self.read_only_reason

    def mark_damaged(self, problem: str) -> str:
        """Turn the store read-only because ``problem`` showed damage; the reason, one line.

        Called by ``check`` and by whoever meets SQLite's "malformed" on the way: reading
        what is intact goes on, every write is refused from then on.
        """
        if self.read_only_reason is None:
            self.read_only_reason = (
                f"The store is damaged ({problem.splitlines()[0][:160]}): it is read-only now; "
                f"recover it with `sqlite3 {self.path} .recover | sqlite3 NEW.db`"
            )
        return self.read_only_reason

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction, taken at once so two writers queue instead of failing.

        Every write of the store goes through here: a damaged store refuses them.
        """
        if self.read_only_reason is not None:
            raise StoreError(self.read_only_reason)
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"The store is busy: {exc}") from None
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself on a full disk or I/O error
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                # Left open, the failed transaction would swallow every later write of this
                # thread: the next ``transaction()`` would take it for an outer one.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"Not saved: {reason(exc, self.path)}") from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
            self._watch = None
        self._local = threading.local()

    def now(self) -> datetime:
        return self.clock()

    def data_version(self) -> int:
        """Changes whenever anything commits to the store, from this process or another:
        cheap polling for live updates.

        Read on a connection of its own: the pragma counts the commits of *other*
        connections than the one it is asked on, and each worker thread has its own, so two
        polls on two threads would differ with nothing changed.
        """
        with self._lock:
            if self._watch is None:
                self._watch = connect(self.path, create=False)
                self._all.append(self._watch)
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
