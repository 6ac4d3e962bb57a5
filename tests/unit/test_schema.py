"""The full-text triggers fire only when the indexed text changes, and the sync's writes
change no schema: what the hand-written DDL and upserts keep that sqlite-utils' versions
would not (see the comments in ``backend/schema.py`` and ``backend/sync/mirror.py``)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from deskterm.backend.store import Store
from deskterm.backend.sync.mirror import apply_batch, get_state, set_state
from deskterm.backend.sync.protocol import (
    PullBatch,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteMessage,
)
from deskterm.domain.models import Status
from tests.conftest import T0, Team, customer_writes


def index_blocks(conn: sqlite3.Connection, index: str) -> list[tuple]:
    return conn.execute(f"SELECT id, block FROM {index}_data ORDER BY id").fetchall()


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def test_a_status_change_leaves_the_subject_index_alone(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "Il manque le pain", subject="Missing bread")
    before = index_blocks(store.conn, "subjects_fts")
    store.set_status(cid, Status.PENDING, agent_id=team.agent)
    store.update_conversation(cid, {"assignee_id": team.agent}, agent_id=team.agent, kind="take")
    assert index_blocks(store.conn, "subjects_fts") == before


def test_a_subject_change_is_indexed(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "Il manque le pain", subject="Missing bread")
    store.update_conversation(cid, {"subject": "Refund asked"}, agent_id=team.agent, kind="edit")
    found = store.conn.execute(
        "SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?", ("refund",)
    ).fetchall()
    assert [r[0] for r in found] == [cid]
    assert not store.conn.execute(
        "SELECT 1 FROM subjects_fts WHERE subjects_fts MATCH 'bread'"
    ).fetchall()


def test_linking_a_message_leaves_the_message_index_alone(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "Il manque le pain")
    before = index_blocks(store.conn, "messages_fts")
    with store.transaction() as c:
        c.execute("UPDATE messages SET external_id = 'm-1' WHERE conversation_id = ?", (cid,))
    assert index_blocks(store.conn, "messages_fts") == before


def test_mirroring_a_batch_changes_no_schema(store: Store):
    """Other connections re-read the whole schema after any schema change."""
    customer = RemoteCustomer("c-1", "Léa Martin", "lea@example.org")
    remote = RemoteConversation(
        external_id="t-1", subject="Missing bread", status=Status.OPEN, customer=customer,
        created_at=T0, updated_at=T0 + timedelta(minutes=5),
        assignee=RemoteAgent("a-1", "Paul", "paul@example.org"), tags=["delivery"],
        messages=[RemoteMessage("m-1", "customer", "c-1", "Léa Martin", "Il manque le pain", T0)],
    )  # fmt: skip
    before = schema_version(store.conn)
    apply_batch(store, "remote", PullBatch([remote], cursor="1"), me=None)
    apply_batch(store, "remote", PullBatch([remote], cursor="2"), me=None)
    with store.transaction() as c:
        set_state(c, "remote", "me", "{}")
    assert schema_version(store.conn) == before
    assert get_state(store, "remote", "cursor") == "2"
