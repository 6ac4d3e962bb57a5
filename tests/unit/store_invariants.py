"""What must hold in any store, however it was written: SQLite's own checks, every derived
column of every conversation as the store computes it from its messages, the tag index,
the kept view counts, waits and traffic, and the events replaying to each conversation."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from deskterm.backend.db import dt
from deskterm.backend.demo.playback import preview_of
from deskterm.backend.metrics.sql import iter_waits, traffic
from deskterm.backend.rows import bucket_of, stake_of, urgency_of
from deskterm.backend.schema import rebuild_view_counts
from deskterm.domain import sla
from deskterm.domain.models import Channel, SLAPolicy, Status
from tests.unit.waits_oracle import recomputed_traffic, recomputed_waits

EVER = (0, 2**40)


def check_store_invariants(path: Path, policies: list[SLAPolicy], *, now: int) -> int:
    """Assert every invariant of the store at ``path``; returns how many conversations were
    checked. ``now``: nothing may be dated after it."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not conn.execute("PRAGMA foreign_key_check").fetchall()
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
        assert conn.execute("SELECT max(created_at) FROM messages").fetchone()[0] <= now
        assert conn.execute("SELECT max(created_at) FROM events").fetchone()[0] <= now
        checked = _conversations(conn, policies)
        _view_counts(conn)
        assert sorted(iter_waits(conn, *EVER)) == sorted(recomputed_waits(conn, *EVER))
        assert traffic(conn, *EVER) == recomputed_traffic(conn, *EVER)
        _events_replay(conn)
        return checked
    finally:
        conn.close()


def _conversations(conn: sqlite3.Connection, policies: list[SLAPolicy]) -> int:
    messages: dict[int, list[sqlite3.Row]] = {}
    for m in conn.execute("SELECT * FROM messages ORDER BY created_at, id"):
        messages.setdefault(m["conversation_id"], []).append(m)
    tags: dict[int, set[tuple]] = {}
    for t in conn.execute("SELECT * FROM conversation_tags"):
        tags.setdefault(t["conversation_id"], set()).add((t["tag"], t["bucket"], t["urgency"]))
    count = 0
    for c in conn.execute("SELECT * FROM conversations"):
        count += 1
        msgs = messages.get(c["id"], [])
        assert msgs, f"#{c['id']} has no message"
        customer = [m["created_at"] for m in msgs if m["author_kind"] == "customer"]
        agent = [m["created_at"] for m in msgs if m["author_kind"] == "agent" and m["public"]]
        shown = [m for m in msgs if m["public"] or m["author_kind"] == "customer"]
        where = f"#{c['id']}"
        assert c["message_count"] == len(msgs), where
        assert c["last_message_at"] == max(m["created_at"] for m in msgs), where
        assert c["last_customer_message_at"] == (max(customer) if customer else None), where
        assert c["last_agent_message_at"] == (max(agent) if agent else None), where
        if agent:
            assert c["first_response_at"] is not None, where
        assert c["preview"] == preview_of(shown[-1]["body"]), where
        assert c["created_at"] <= c["updated_at"], where
        assert c["status"] != "done" or c["snoozed_until"] is None, where
        due = sla.due_at(
            status=Status(c["status"]),
            first_response_at=dt(c["first_response_at"]),
            last_customer_message_at=dt(c["last_customer_message_at"]),
            last_agent_message_at=dt(c["last_agent_message_at"]),
            channel=Channel(c["channel"]),
            group_id=c["group_id"],
            policies=policies,
        )
        assert c["sla_due_at"] == (int(due.timestamp()) if due else None), where
        assert c["bucket"] == bucket_of(c["status"], c["snoozed_until"]), where
        stake = stake_of(
            conn,
            customer_id=c["customer_id"],
            priority=c["priority"],
            channel=c["channel"],
            bucket=c["bucket"],
        )
        urgency = urgency_of(c["sla_due_at"], c["last_customer_message_at"], c["created_at"], stake)
        assert c["urgency"] == urgency, where
        expected = {(t, c["bucket"], c["urgency"]) for t in c["tags"].split()}
        assert tags.get(c["id"], set()) == expected, where
    return count


def _view_counts(conn: sqlite3.Connection) -> None:
    kept = sorted(tuple(r) for r in conn.execute("SELECT * FROM view_counts WHERE n != 0"))
    conn.execute("SAVEPOINT recount")
    rebuild_view_counts(conn)
    fresh = sorted(tuple(r) for r in conn.execute("SELECT * FROM view_counts WHERE n != 0"))
    conn.execute("ROLLBACK TO recount")
    conn.execute("RELEASE recount")
    assert kept == fresh


def _events_replay(conn: sqlite3.Connection) -> None:
    """Playing the events' "after" values in order gives each conversation's fields."""
    state: dict[int, dict] = {}
    for e in conn.execute("SELECT conversation_id, kind, after FROM events ORDER BY id"):
        if e["kind"] == "created":
            state[e["conversation_id"]] = {"status": "new", "assignee_id": None, "tags": ""}
        state[e["conversation_id"]].update(json.loads(e["after"]))
    for c in conn.execute(
        "SELECT id, status, assignee_id, tags, snoozed_until, group_id, priority FROM conversations"
    ):
        replayed = state[c["id"]]
        for name in ("status", "assignee_id", "tags"):
            assert replayed[name] == c[name], (c["id"], name)
        assert replayed.get("snoozed_until") == c["snoozed_until"], c["id"]
