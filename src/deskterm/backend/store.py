"""The Store: the one thing the UI reads and writes.

A Store wraps one SQLite file. Each thread gets its own connection (the UI calls the store
from thread workers), all sharing the file in WAL mode, so readers never wait on the writer.
Reads live here; writes are in :mod:`deskterm.backend.writes`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deskterm.backend import rows
from deskterm.backend.db import StoreError, connect, dt, is_damage, reason, ts
from deskterm.backend.rows import CONVERSATION_COLUMNS, INBOX_COLUMNS, InboxRow
from deskterm.backend.views import (
    RESULTS_CAP,
    SEARCH_CAP,
    SPELLED_MAX,
    View,
    ViewSQL,
    count_sql,
    index_spelling,
    keyset_clause,
    view_sql,
)
from deskterm.backend.writes import WritesMixin
from deskterm.domain.models import (
    Agent,
    BusinessHours,
    Channel,
    Conversation,
    Customer,
    Draft,
    Event,
    Group,
    Macro,
    Message,
    Order,
    SLAPolicy,
)

Clock = Callable[[], datetime]

#: A store this small is checked for damage as it opens (a few milliseconds per megabyte);
#: a larger one only by the app, in the background, after the first paint.
CHECK_AT_OPEN_BYTES = 16 * 1024 * 1024


def system_clock() -> datetime:
    return datetime.now(UTC)


def _page_sql(spec: ViewSQL, rest: str, order: str) -> str:
    """A page of inbox rows: ``rest`` is the WHERE … ORDER BY … LIMIT of the view's query.

    A text search sorts a few thousand candidates: it sorts their ids first and reads the
    wide columns of the page's rows only (half the time at 1M conversations).
    """
    if not spec.from_text:
        return f"SELECT {INBOX_COLUMNS}, {spec.sort_expr} FROM {spec.source} WHERE {rest}"
    ids = f"SELECT c.id AS id FROM {spec.narrow_source()} WHERE {rest}"
    return (
        f"SELECT {INBOX_COLUMNS}, {spec.sort_expr} FROM ({ids}) page "
        "JOIN conversations c ON c.id = page.id JOIN customers cu ON cu.id = c.customer_id "
        f"ORDER BY {order}"
    )


def _sorted_row(r: sqlite3.Row | tuple) -> InboxRow:
    """An inbox row read with INBOX_COLUMNS then the view's sort value."""
    return rows.inbox_row(r, r[17] if r[17] is not None else 0)


class Store(WritesMixin):
    """Typed access to a deskterm store file."""

    def __init__(self, path: Path | str, *, clock: Clock = system_clock, create: bool = True):
        self.path = Path(path)
        self.clock = clock
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._policies: list[SLAPolicy] | None = None
        self._watch: sqlite3.Connection | None = None
        #: Why writes are refused (the store was found damaged), or None: writable.
        self.read_only_reason: str | None = None
        #: Whether :meth:`check` ran on this store.
        self.checked = False
        self._conn(create=create)  # open now, so a bad file fails here with one line
        if str(self.path) != ":memory:" and self.path.stat().st_size < CHECK_AT_OPEN_BYTES:
            self.check()

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

    # -- people ------------------------------------------------------------------------

    def agents(self) -> list[Agent]:
        return [rows.agent(r) for r in self.conn.execute("SELECT * FROM agents ORDER BY name")]

    def agent(self, agent_id: int) -> Agent | None:
        r = self.conn.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return rows.agent(r) if r else None

    def agent_by_email(self, email: str) -> Agent | None:
        r = self.conn.execute(
            "SELECT * FROM agents WHERE email = ? COLLATE NOCASE", (email,)
        ).fetchone()
        return rows.agent(r) if r else None

    def groups(self) -> list[Group]:
        return [
            Group(id=r["id"], name=r["name"])
            for r in self.conn.execute("SELECT * FROM groups ORDER BY name")
        ]

    def customer(self, customer_id: int) -> Customer | None:
        r = self.conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
        if r is None:
            return None
        handles = self.conn.execute(
            "SELECT channel, value FROM customer_handles WHERE customer_id = ?", (customer_id,)
        ).fetchall()
        return rows.customer(r, handles)

    def find_customers(self, text: str, limit: int = 20) -> list[tuple[int, str]]:
        """Customers whose name or address starts with or contains ``text``."""
        like = f"%{text}%"
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT id, name FROM customers WHERE name LIKE ? UNION "
                "SELECT cu.id, cu.name FROM customer_handles h JOIN customers cu "
                "ON cu.id = h.customer_id WHERE h.value LIKE ? LIMIT ?",
                (like, like, limit),
            )
        ]

    # -- conversations -----------------------------------------------------------------

    def conversation(self, conversation_id: int) -> Conversation | None:
        r = self.conn.execute(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations c "
            "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?",
            (conversation_id,),
        ).fetchone()
        return rows.conversation(r) if r else None

    def conversation_by_external(self, external_id: str) -> Conversation | None:
        r = self.conn.execute(
            "SELECT id FROM conversations WHERE external_id = ?", (external_id,)
        ).fetchone()
        return self.conversation(r[0]) if r else None

    def messages(
        self, conversation_id: int, *, limit: int | None = None, before_id: int | None = None
    ) -> list[Message]:
        """A thread oldest first; with ``limit``, only the newest ``limit`` messages."""
        sql = "SELECT * FROM messages WHERE conversation_id = ?"
        params: list[object] = [conversation_id]
        if before_id is not None:
            sql += " AND id < ?"
            params.append(before_id)
        if limit is not None:
            sql = f"SELECT * FROM ({sql} ORDER BY created_at DESC, id DESC LIMIT ?) "
            params.append(limit)
        sql += " ORDER BY created_at, id"
        return [rows.message(r) for r in self.conn.execute(sql, params)]

    def customer_conversations(self, customer_id: int, *, limit: int = 20) -> list[Conversation]:
        """The customer's conversations, newest first."""
        return [
            rows.conversation(r)
            for r in self.conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations c JOIN customers cu "
                "ON cu.id = c.customer_id WHERE c.customer_id = ? "
                "ORDER BY c.created_at DESC LIMIT ?",
                (customer_id, limit),
            )
        ]

    def events(self, conversation_id: int) -> list[Event]:
        return [
            Event(
                id=r["id"],
                conversation_id=r["conversation_id"],
                agent_id=r["agent_id"],
                kind=r["kind"],
                before=json.loads(r["before"]),
                after=json.loads(r["after"]),
                created_at=dt(r["created_at"]),
            )
            for r in self.conn.execute(
                "SELECT * FROM events WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            )
        ]

    # -- the inbox ---------------------------------------------------------------------

    def search_words(self, prefix: str) -> list[str] | None:
        """The indexed words that start with ``prefix`` (a search word being typed), or None
        when they are too many, none, or cannot be told: then FTS5 searches the prefix."""
        spelled = index_spelling(prefix)
        if spelled is None:
            return None
        try:
            words = [
                r[0]
                for r in self.conn.execute(
                    "SELECT term FROM search_terms WHERE term >= ? AND term < ? LIMIT ?",
                    (spelled, spelled + "\U0010ffff", SPELLED_MAX + 1),
                )
            ]
        except sqlite3.OperationalError:
            return None  # a read-only store of an older schema has no list of words
        return words if 0 < len(words) <= SPELLED_MAX else None

    def _view_sql(self, view: View, me: int | None) -> ViewSQL:
        return view_sql(view, me=me, now=self.now(), words_from=self.search_words)

    def count(self, view: View, *, me: int | None = None) -> int:
        """How many conversations ``view`` holds; a search stops counting at RESULTS_CAP."""
        counted = count_sql(view, me=me)
        if counted is not None:
            return int(self.conn.execute(counted[0], counted[1]).fetchone()[0])
        spec = self._view_sql(view, me)
        rows = f"SELECT 1 FROM {spec.narrow_source()} WHERE {spec.where_sql()}"
        params = list(spec.params)
        if view.query is not None:
            rows += " LIMIT ?"
            params.append(RESULTS_CAP)
        sql = f"SELECT count(*) FROM ({rows})"
        return int(self.conn.execute(sql, params).fetchone()[0])

    def count_is_partial(self, view: View, count: int) -> bool:
        """Whether ``count`` (from :meth:`count`) is a lower bound: the search stopped
        counting at RESULTS_CAP, or its words were looked up in only the newest SEARCH_CAP
        matching messages or subjects."""
        if view.query is None:
            return False
        if count >= RESULTS_CAP:
            return True
        fts = view.query.fts_expression(self.search_words)
        if fts is None:
            return False
        for table in ("messages_fts", "subjects_fts"):
            found = self.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
                (fts, SEARCH_CAP),
            ).fetchone()[0]
            if found >= SEARCH_CAP:
                return True
        return False

    def page(
        self,
        view: View,
        *,
        after: tuple[int, int] | None = None,
        limit: int = 50,
        backwards: bool = False,
        me: int | None = None,
    ) -> list[InboxRow]:
        """Rows of a view after the row keyed ``after`` = (sort value, id), in view order.

        With ``backwards``, the rows *before* that key, still returned in view order.
        """
        spec = self._view_sql(view, me)
        extra, extra_params, order = keyset_clause(spec, after, backwards=backwards)
        sql = _page_sql(spec, f"{spec.where_sql()}{extra} ORDER BY {order} LIMIT ?", order)
        result = [
            _sorted_row(r) for r in self.conn.execute(sql, [*spec.params, *extra_params, limit])
        ]
        if backwards:
            result.reverse()
        return result

    def first_page(
        self, view: View, *, limit: int = 50, me: int | None = None
    ) -> tuple[list[InboxRow], int | None]:
        """The first rows of ``view`` and, for a text search, its :meth:`count` (else None).

        A text search is counted from the same read: its candidates (a few thousand text
        matches) are sorted by id once, the count is how many pass, and only the first
        ``limit`` are read in full. Counting apart would look the matches up again: as long
        as the page itself at a million conversations.
        """
        spec = self._view_sql(view, me)
        if not spec.from_text:
            return self.page(view, limit=limit, me=me), None
        _, _, order = keyset_clause(spec, None, backwards=False)
        ids = [
            r[0]
            for r in self.conn.execute(
                f"SELECT c.id FROM {spec.narrow_source()} WHERE {spec.where_sql()} "
                f"ORDER BY {order} LIMIT ?",
                [*spec.params, RESULTS_CAP],
            )
        ]
        first = ids[:limit]
        found = {
            r[0]: _sorted_row(r)
            for r in self.conn.execute(
                f"SELECT {INBOX_COLUMNS}, {spec.sort_expr} FROM conversations c "
                f"JOIN customers cu ON cu.id = c.customer_id "
                f"WHERE c.id IN ({','.join('?' * len(first))})",
                first,
            )
        }
        return [found[i] for i in first if i in found], len(ids)

    def page_at(
        self,
        view: View,
        offset: int,
        *,
        limit: int = 50,
        me: int | None = None,
        anchor: tuple[int, int, int] | None = None,
    ) -> list[InboxRow]:
        """Rows from position ``offset``; ``anchor`` = (position, sort value, id) of a known row
        at or before it shortens the walk (the inbox list keeps such anchors as it pages)."""
        spec = self._view_sql(view, me)
        start = 0
        after = None
        if anchor is not None and anchor[0] <= offset:
            start = anchor[0] + 1
            after = (anchor[1], anchor[2])
        extra, extra_params, order = keyset_clause(spec, after, backwards=False)
        sql = _page_sql(spec, f"{spec.where_sql()}{extra} ORDER BY {order} LIMIT ? OFFSET ?", order)
        return [
            _sorted_row(r)
            for r in self.conn.execute(
                sql, [*spec.params, *extra_params, limit, max(0, offset - start)]
            )
        ]

    def breaching_count(self) -> int:
        return int(
            self.conn.execute(
                # urgency is the due time when there is one (else past any date): an index
                # range on (bucket, urgency) instead of a scan.
                "SELECT count(*) FROM conversations c WHERE c.bucket IN ('inbox', 'snoozed') "
                "AND c.urgency < ? AND c.sla_due_at IS NOT NULL",
                (ts(self.now()),),
            ).fetchone()[0]
        )

    def tag_counts(self, limit: int = 500) -> list[tuple[str, int]]:
        """Tags in use, most used first (for autocompletion)."""
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT tag, count(*) AS n FROM conversation_tags GROUP BY tag "
                "ORDER BY n DESC, tag LIMIT ?",
                (limit,),
            )
        ]

    def saved_views(self) -> list[tuple[int, str, str]]:
        return [
            (r[0], r[1], r[2])
            for r in self.conn.execute("SELECT id, name, query FROM saved_views ORDER BY name")
        ]

    # -- orders ------------------------------------------------------------------------

    def orders(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        """The customer's orders, newest first."""
        found = self.conn.execute(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_at DESC, id DESC LIMIT ?",
            (customer_id, limit),
        ).fetchall()
        return [self._order(r) for r in found]

    def order(self, order_id: int) -> Order | None:
        r = self.conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        return self._order(r) if r else None

    def order_by_number(self, number: str) -> Order | None:
        r = self.conn.execute("SELECT * FROM orders WHERE number = ?", (number,)).fetchone()
        return self._order(r) if r else None

    def _order(self, r: sqlite3.Row) -> Order:
        items = self.conn.execute(
            "SELECT * FROM order_items WHERE order_id = ? ORDER BY id", (r["id"],)
        ).fetchall()
        return rows.order(r, items)

    def customer_totals(self, customer_id: int) -> tuple[int, int]:
        """(number of orders, lifetime spend in cents), follow-up orders excluded."""
        r = self.conn.execute(
            "SELECT count(*), coalesce(sum(total_cents), 0) FROM orders "
            "WHERE customer_id = ? AND parent_order_id IS NULL AND status != 'cancelled'",
            (customer_id,),
        ).fetchone()
        return int(r[0]), int(r[1])

    def gestures_since(self, customer_id: int, since: datetime) -> int:
        """Goodwill given to a customer since a time, in cents."""
        r = self.conn.execute(
            "SELECT coalesce(sum(amount_cents), 0) FROM gestures WHERE customer_id = ? "
            "AND created_at >= ? AND state = 'applied'",
            (customer_id, ts(since)),
        ).fetchone()
        return int(r[0])

    # -- macros, drafts, policies --------------------------------------------------------

    def macros(self, agent_id: int | None = None) -> list[Macro]:
        """Shared macros and the agent's personal ones, most used first."""
        return [
            rows.macro(r)
            for r in self.conn.execute(
                "SELECT * FROM macros WHERE owner_agent_id IS NULL OR owner_agent_id = ? "
                "ORDER BY usage_count DESC, title",
                (agent_id if agent_id is not None else -1,),
            )
        ]

    def macro(self, macro_id: int) -> Macro | None:
        r = self.conn.execute("SELECT * FROM macros WHERE id = ?", (macro_id,)).fetchone()
        return rows.macro(r) if r else None

    def macro_examples(self, limit: int = 50_000) -> list[tuple[int, str]]:
        """(macro id, the first customer message of a conversation where it was used), the
        latest recorded uses first (by row: sorting on ``used_at`` and reading messages in
        that order took seconds at 1M conversations; in row order they sit together)."""
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT u.macro_id, (SELECT m.body FROM messages m WHERE m.conversation_id = "
                "u.conversation_id AND m.author_kind = 'customer' ORDER BY m.id LIMIT 1) "
                "FROM macro_usage u WHERE u.conversation_id IS NOT NULL "
                "ORDER BY u.rowid DESC LIMIT ?",
                (limit,),
            )
            if r[1]
        ]

    def draft(self, conversation_id: int, agent_id: int) -> Draft | None:
        r = self.conn.execute(
            "SELECT * FROM drafts WHERE conversation_id = ? AND agent_id = ?",
            (conversation_id, agent_id),
        ).fetchone()
        if r is None:
            return None
        return Draft(
            conversation_id=r["conversation_id"],
            agent_id=r["agent_id"],
            body=r["body"],
            note=bool(r["note"]),
            updated_at=dt(r["updated_at"]),
        )

    def sla_policies(self) -> list[SLAPolicy]:
        if self._policies is None:
            self._policies = [
                SLAPolicy(
                    id=r["id"],
                    name=r["name"],
                    channel=Channel(r["channel"]) if r["channel"] else None,
                    group_id=r["group_id"],
                    first_response_minutes=r["first_response_minutes"],
                    next_response_minutes=r["next_response_minutes"],
                    business_hours=(
                        BusinessHours(**json.loads(r["business_hours"]))
                        if r["business_hours"]
                        else None
                    ),
                )
                for r in self.conn.execute("SELECT * FROM sla_policies ORDER BY id")
            ]
        return self._policies

    def presence(
        self, conversation_id: int, *, exclude_agent: int | None = None, fresh_seconds: int = 30
    ) -> list[tuple[str, str]]:
        """Who else has this conversation open: (agent name, 'viewing' or 'typing')."""
        since = ts(self.now() - timedelta(seconds=fresh_seconds))
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT a.name, p.state FROM presence p JOIN agents a ON a.id = p.agent_id "
                "WHERE p.conversation_id = ? AND p.agent_id != ? AND p.updated_at >= ? "
                "ORDER BY a.name",
                (conversation_id, exclude_agent if exclude_agent is not None else -1, since),
            )
        ]
