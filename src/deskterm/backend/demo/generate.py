"""``generate_demo``: a whole helpdesk written straight into a store file, fast.

The store is created through the Store (so the schema is the real one), then filled by one
connection with bulk inserts: ids chosen by the generator, a transaction per batch of rows,
no journal, and the secondary indexes, full-text triggers and indexes set aside until the end,
when they are put back exactly as the schema defines them and the full-text indexes rebuilt.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from random import Random

from deskterm.backend.db import StoreError, connect
from deskterm.backend.demo import catalog as cat
from deskterm.backend.demo.accounts import write_accounts
from deskterm.backend.demo.library import LIBRARY
from deskterm.backend.demo.orders import OrderBook
from deskterm.backend.demo.playback import Batch
from deskterm.backend.demo.problems import add_problems
from deskterm.backend.demo.render import FR, SOCIAL, VIP, WHATSAPP, Customers, Renderer
from deskterm.backend.demo.threads import (
    BREACHING_SHARE,
    CHANNELS,
    INBOX_FATES,
    LIVE_FATES,
    NEW,
    OLD_FATES,
    OPEN_FIRST,
    Planner,
    weighted,
)
from deskterm.backend.demo.timing import (
    DAY,
    HISTORY_DAYS,
    day_counts,
    live_count,
    place,
    sample_time,
    utc_offset,
    wait_for,
)
from deskterm.backend.schema import (
    RECOMPUTE_URGENCY,
    rebuild_search_terms,
    rebuild_view_counts,
    rebuild_waits,
)
from deskterm.backend.shift import DEMO_SIMPLE_REASONS, set_simple_reasons
from deskterm.backend.store import Store
from deskterm.domain.models import Channel, SLAPolicy
from deskterm.domain.sla import DEFAULT_POLICIES, policy_for

Progress = Callable[[int, int], None]
#: Rows buffered before a write: big enough to amortise a transaction, small enough to keep
#: memory flat.
BATCH_ROWS = 60_000

#: The bulk inserts stay ``executemany`` of fixed statements. sqlite-utils'
#: ``Table.insert_all`` writes the same rows (the same store, byte for byte) but passes every
#: value through a Python conversion and caps a statement at 999 variables: inserting 145,000
#: messages took 2.1-2.9 times as long, and a whole 50,000-conversation seed 1.2-1.5 times
#: (``bench/README.md``, "sqlite-utils").
INSERTS = {
    "customers": "INSERT INTO customers(id, name, language, vip, notes, created_at, external_id) VALUES (?,?,?,?,?,?,?)",  # noqa: E501
    "handles": "INSERT OR IGNORE INTO customer_handles(customer_id, channel, value) VALUES (?,?,?)",
    "orders": "INSERT INTO orders(id, number, customer_id, status, placed_at, delivery_slot_start, delivery_slot_end, total_cents, currency, parent_order_id, external_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: E501
    "items": "INSERT INTO order_items(id, order_id, name, quantity, unit_price_cents) VALUES (?,?,?,?,?)",  # noqa: E501
    "conversations": "INSERT INTO conversations(id, subject, channel, status, customer_id, assignee_id, group_id, tags, priority, created_at, updated_at, first_response_at, last_customer_message_at, last_agent_message_at, last_message_at, preview, message_count, unread, snoozed_until, snoozed_at, snooze_reason, woken_at, sla_due_at, bucket, urgency, version, external_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",  # noqa: E501
    "tags": "INSERT OR IGNORE INTO conversation_tags(tag, bucket, urgency, conversation_id) VALUES (?,?,?,?)",  # noqa: E501
    "messages": "INSERT INTO messages(id, conversation_id, author_kind, author_id, author_name, public, body, html, attachments, created_at, external_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: E501
    "events": "INSERT INTO events(id, conversation_id, agent_id, kind, before, after, created_at, undo_group) VALUES (?,?,?,?,?,?,?,?)",  # noqa: E501
    "usage": "INSERT INTO macro_usage(macro_id, agent_id, conversation_id, used_at) VALUES (?,?,?,?)",  # noqa: E501
    "gestures": "INSERT INTO gestures(id, customer_id, conversation_id, order_id, agent_id, amount_cents, kind, state, reason, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: E501
}


@dataclass(frozen=True)
class DemoSummary:
    """What was generated, how long it took and how big the store is."""

    customers: int
    conversations: int
    messages: int
    orders: int
    macros: int
    agents: int
    events: int
    seconds: float
    file_size: int

    def describe(self, path: Path | str) -> str:
        """One line for the terminal."""
        return (
            f"{path}: {self.conversations:,} conversations, {self.messages:,} messages, "
            f"{self.customers:,} customers, {self.orders:,} orders, {self.macros} macros, "
            f"{self.agents} agents; {self.file_size / 1e6:,.1f} MB in {self.seconds:.1f} s"
        )


class BulkWriter:
    """One connection loading a fresh store as fast as SQLite allows."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.next_message = 1
        self.next_event = 1
        self.messages = 0
        self.events = 0
        self._deferred: list[str] = []

    def begin(self) -> None:
        """Set aside triggers and secondary indexes; write without a journal."""
        conn = self.conn
        found = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        # Indexes first, then triggers, in schema order: put back exactly as they were.
        self._deferred = [sql for kind, _, sql in found if kind == "index"]
        self._deferred += [sql for kind, _, sql in found if kind == "trigger"]
        for kind, name, _ in found:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -65536")

    def write(self, batch: Batch) -> None:
        """One transaction for everything buffered; message and event ids in time order."""
        batch.messages.sort(key=itemgetter(9))
        for msg in batch.messages:
            msg[0] = self.next_message
            self.next_message += 1
        batch.events.sort(key=itemgetter(6))
        events = []
        dumps = json.dumps
        for ev in batch.events:
            ev[0] = self.next_event
            self.next_event += 1
            after = ev[5]
            if ev[8] is not None:
                after["message_id"] = ev[8][0]
            events.append((ev[0], ev[1], ev[2], ev[3], dumps(ev[4]), dumps(after), ev[6], None))
        conn = self.conn
        conn.execute("BEGIN")
        for table in ("customers", "handles", "orders", "items", "conversations", "tags",
                      "usage", "gestures"):  # fmt: skip
            rows = getattr(batch, table)
            if rows:
                conn.executemany(INSERTS[table], rows)
                rows.clear()
        if batch.messages:
            conn.executemany(INSERTS["messages"], batch.messages)
        if events:
            conn.executemany(INSERTS["events"], events)
        conn.execute("COMMIT")
        self.messages += len(batch.messages)
        self.events += len(events)
        batch.messages.clear()
        batch.events.clear()

    def finish(self) -> None:
        """Put the indexes and triggers back, rebuild full-text search, return to WAL."""
        conn = self.conn
        conn.execute("BEGIN")
        for sql in self._deferred:
            if sql.upper().startswith("CREATE TRIGGER"):
                continue
            conn.execute(sql)
        # The statement sqlite-utils' ``rebuild_fts`` runs, without importing it: the import
        # (35-75 ms) made seeding the default 300-conversation demo a fifth slower (median of
        # five: 0.35 -> 0.43 s) for the same two statements.
        # What is at stake (VIPs, orders out for delivery) is known once everything is in.
        for statement in RECOMPUTE_URGENCY.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO subjects_fts(subjects_fts) VALUES ('rebuild')")
        rebuild_view_counts(conn)
        rebuild_search_terms(conn)
        rebuild_waits(conn)
        for sql in self._deferred:
            if sql.upper().startswith("CREATE TRIGGER"):
                conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")


def generate_demo(
    path_or_store: Path | str | Store,
    *,
    conversations: int = 300,
    seed: int = 7,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty store with Popote's helpdesk: customers, orders, ``conversations``
    conversations over the last 60 days with a live inbox, macros, agents and SLA policies.

    The same ``seed`` and ``now`` give the same data. ``progress(done, total)`` is called as
    conversations are written. Raises StoreError if the store already holds a helpdesk.
    """
    started = time.perf_counter()
    when = now or datetime.now(UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    now_ts = int(when.timestamp())
    store = path_or_store if isinstance(path_or_store, Store) else Store(Path(path_or_store))
    try:
        busy = store.conn.execute(
            "SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM customers) "
            "+ (SELECT count(*) FROM agents)"
        ).fetchone()[0]
        if busy:
            raise StoreError(f"{store.path} already holds a helpdesk: seed an empty store")
        store.set_sla_policies([p.model_copy() for p in DEFAULT_POLICIES])
        policies = store.sla_policies()
    finally:
        store.close()  # the bulk load needs the file to itself
    conn = connect(store.path)
    writer = BulkWriter(conn)
    try:
        writer.begin()
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('demo', ?)",
            (json.dumps({"conversations": conversations, "seed": seed}),),
        )
        counts = _fill(conn, writer, conversations, Random(seed), now_ts, policies, progress)
        writer.finish()
        add_problems(conn)
    finally:
        conn.close()
    return DemoSummary(
        customers=counts["customers"],
        conversations=conversations,
        messages=writer.messages,
        orders=counts["orders"],
        macros=len(LIBRARY),
        agents=len(cat.AGENTS),
        events=writer.events,
        seconds=time.perf_counter() - started,
        file_size=store.path.stat().st_size,
    )


def demo_shape(path: Path) -> dict[str, int] | None:
    """How the demo at *path* was built (``conversations``, ``seed``), or None when unknown
    (no such file, or a store not built by the demo generator)."""
    if not path.exists():
        return None
    conn = connect(path, create=False, readonly=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    shape = json.loads(row[0]) if row else None
    return shape if isinstance(shape, dict) else None


def _fill(conn: sqlite3.Connection, writer: BulkWriter, total: int, rng: Random, now: int,
          policies: list[SLAPolicy], progress: Progress | None) -> dict[str, int]:  # fmt: skip
    _reference(conn, rng, now)
    customers = Customers()
    customer_count = max(30, total * 2 // 5)
    book = OrderBook(rng, capacity=20 * customer_count + 2 * total + 10)
    batch = Batch()
    _customers(rng, now, customer_count, customers, book, batch, writer)
    renderer = Renderer(rng, now, customers, book, policies)
    planner = Planner(rng)
    next_id = 1
    live = live_count(total)
    old_days = HISTORY_DAYS - 1
    first_day = now - DAY - old_days * DAY
    blocks = [
        (first_day + i * DAY, n, False)
        for i, n in enumerate(day_counts(total - live, old_days, first_day))
    ]
    blocks.append((now - DAY, live, True))
    for start, count, is_live in blocks:
        plans = []
        offset = utc_offset(start + DAY // 2)
        for _ in range(count):
            fate = weighted(rng, LIVE_FATES if is_live else OLD_FATES)
            cid = 1 + int(len(customers) * rng.random() ** 1.5)
            flags = customers.flags[cid - 1]
            channel: Channel = weighted(rng, CHANNELS)
            if channel in (Channel.WHATSAPP, Channel.PHONE) and not flags & WHATSAPP:
                channel = Channel.CHAT
            elif channel is Channel.SOCIAL and not flags & SOCIAL:
                channel = Channel.EMAIL
            breaching = fate in INBOX_FATES and rng.random() < BREACHING_SHARE
            plan = planner.plan(fate, channel, cid, "fr" if flags & FR else "en", bool(flags & VIP),
                                breaching=breaching)  # fmt: skip
            if fate in INBOX_FATES:
                group = 3 if any(s.kind == "escalate" for s in plan.steps) else plan.group + 1
                policy = policy_for(channel, group, policies)
                first = fate in (NEW, OPEN_FIRST)
                minutes = (
                    60
                    if policy is None
                    else (policy.first_response_minutes if first else policy.next_response_minutes)
                )
                place(plan, now, start=0, floor=now - DAY, wait=wait_for(rng, minutes, breaching))
            else:
                end = start + DAY if not is_live else now - 60
                floor = now - (DAY if is_live else HISTORY_DAYS * DAY)
                place(plan, now, start=sample_time(rng, start, end, offset), floor=floor)
            plans.append(plan)
        plans.sort(key=lambda p: p.created)
        for plan in plans:
            renderer.render(plan, next_id, batch)
            next_id += 1
            if batch.size() >= BATCH_ROWS:
                writer.write(batch)
                if progress is not None:
                    progress(next_id - 1, total)
    writer.write(batch)
    for key, used in sorted(renderer.usage.items()):
        conn.execute(
            "UPDATE macros SET usage_count = ? WHERE id = ?", (used, renderer.macro_ids[key])
        )
    # Last, with a random source of its own: the rest of the demo is what it was without.
    languages = ["fr" if flags & FR else "en" for flags in customers.flags]
    conn.execute("BEGIN")
    write_accounts(conn, Random(rng.getrandbits(64)), now, languages, renderer.heard)
    conn.execute("COMMIT")
    if progress is not None:
        progress(total, total)
    return {"customers": len(customers), "orders": book.next_id - 1}


def _reference(conn: sqlite3.Connection, rng: Random, now: int) -> None:
    """Groups, agents, the macro library and a note that this is the demo."""
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO groups(id, name) VALUES (?, ?)", list(enumerate(cat.GROUPS, 1)))
    conn.executemany(
        "INSERT INTO agents(id, name, email, group_id, external_id) VALUES (?, ?, ?, ?, NULL)",
        [
            (i, name, f"{cat.ascii_fold(name.split()[0])}@{cat.AGENT_DOMAIN}", group + 1)
            for i, (name, group, _) in enumerate(cat.AGENTS, 1)
        ],
    )
    rows = []
    for i, m in enumerate(LIBRARY, 1):
        created = now - rng.randint(120, 400) * DAY
        updated = min(now - DAY, created + rng.randint(0, 100) * DAY)
        owner = None if m.owner is None else m.owner + 1
        titles = json.dumps({"fr": m.title_fr} if m.title_fr else {}, ensure_ascii=False)
        rows.append((i, m.title, m.en, json.dumps({"fr": m.fr}, ensure_ascii=False),
                     json.dumps(m.actions()), owner, 0, created, updated, titles))  # fmt: skip
    conn.executemany(
        "INSERT INTO macros(id, title, body, variants, actions, owner_agent_id, usage_count, "
        "created_at, updated_at, titles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('demo_generated_at', ?)", (str(now),)
    )
    set_simple_reasons(conn, DEMO_SIMPLE_REASONS)
    conn.execute("COMMIT")


def _customers(rng: Random, now: int, count: int, customers: Customers, book: OrderBook,
               batch: Batch, writer: BulkWriter) -> None:  # fmt: skip
    """Every customer with their handles and past orders (1 to 20 each)."""
    n_fr_first, n_fr_last = len(cat.FR_FIRST), len(cat.FR_LAST)
    n_first, n_last = len(cat.FIRST_NAMES), len(cat.LAST_NAMES)
    offset = utc_offset(now)
    for cid in range(1, count + 1):
        fr = rng.random() < 0.62
        french_name = rng.random() < (0.88 if fr else 0.25)
        if french_name:
            fi, li = rng.randrange(n_fr_first), rng.randrange(n_fr_last)
        else:
            fi, li = rng.randrange(n_fr_first, n_first), rng.randrange(n_fr_last, n_last)
        vip, wa, social = rng.random() < 0.04, rng.random() < 0.7, rng.random() < 0.45
        customers.add(fi, li, FR * fr | VIP * vip | WHATSAPP * wa | SOCIAL * social)
        created = int(now - rng.uniform(70, 1000) * DAY)
        notes = rng.choice(cat.CUSTOMER_NOTES) if rng.random() < 0.08 else ""
        name = f"{cat.FIRST_NAMES[fi]} {cat.LAST_NAMES[li]}"
        batch.customers.append((cid, name, "fr" if fr else "en", int(vip), notes, created, None))
        ff, fl = cat.FOLDED_FIRST[fi], cat.FOLDED_LAST[li]
        local = rng.choice((f"{ff}.{fl}", f"{ff}{fl}", f"{ff[:1]}{fl}", f"{ff}.{fl}{cid % 100}",
                            f"{ff}{cid % 1000}"))  # fmt: skip
        batch.handles.append((cid, "email", f"{local}@{rng.choice(cat.EMAIL_DOMAINS)}"))
        if wa:
            phone = f"+33{rng.choice('67')}{rng.randrange(10**8):08d}"
            batch.handles.append((cid, "whatsapp", phone))
            batch.handles.append((cid, "phone", phone))
        if social:
            batch.handles.append((cid, "social", f"@{ff}_{fl[:4]}{rng.randrange(100)}"))
        for _ in range(min(20, 1 + int(rng.expovariate(0.5)))):
            t = rng.uniform(max(created, now - 365 * DAY), now - 2 * DAY)
            start = book.history_slot(t, offset)
            roll = rng.random()
            status = "delivered" if roll < 0.92 else "cancelled" if roll < 0.96 else "refunded"
            info = book.make(cid, placed_at=int(start - rng.uniform(1800, 2 * DAY)),
                             slot_start=start, status=status)  # fmt: skip
            batch.orders.append(info.row)
            batch.items.extend(info.items)
        if batch.size() >= BATCH_ROWS:
            writer.write(batch)
