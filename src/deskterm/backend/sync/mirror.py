"""Writing what a connector pulled into the store: one short transaction per batch.

Remote ids live in the store's ``external_id`` columns (conversations, messages, customers,
agents); one mirror file holds one remote account, so the remote's ids are unique as they
are. The batch's cursor is written in the same transaction (``sync_state``), so an
interrupted pull resumes exactly after the last batch that landed.

Local changes still waiting in the outbox are not overwritten by an older remote state: a
field the outbox is about to push keeps its local value as long as the remote still has the
value the change started from. When the remote moved meanwhile, the remote's value wins here
and the push reports the conflict on the conversation.

A conversation the remote no longer has is kept, with a line in its thread saying so: its
``gone_at`` is set, which puts it in the ``gone`` bucket that no view lists (a search still
finds it); ``backend/sync/scope.py`` does the same for tickets that left the mirrored scope.
Should the remote bring it back, the next pull puts it back in its views.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from deskterm.backend.db import ts
from deskterm.backend.rows import tags_text
from deskterm.backend.store import Store
from deskterm.backend.sync.protocol import (
    PullBatch,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteFile,
    RemoteMessage,
    RemovedConversation,
)
from deskterm.backend.sync.text import ago, same_text, well_formed_record
from deskterm.backend.writes.changes import record_event
from deskterm.domain.models import AuthorKind, Channel, Handle

#: Who notices from the sync are signed by in the thread.
NOTICE_AUTHOR = "sync"
#: Outbox kinds that add a message rather than change fields.
MESSAGE_KINDS = frozenset({"reply", "note"})
#: The bucket of conversations the remote no longer has: no view lists it.
REMOVED_BUCKET = "gone"


@dataclass
class MirrorStats:
    """What one batch did to the store."""

    conversations: int = 0
    created: int = 0
    messages: int = 0
    notices: list[int] = field(default_factory=list)  # conversations that got a race notice
    removed: int = 0  # conversations taken out of the views because the remote lost them


def get_state(store: Store, connector: str, key: str) -> str | None:
    row = store.conn.execute(
        "SELECT value FROM sync_state WHERE connector = ? AND key = ?", (connector, key)
    ).fetchone()
    return str(row[0]) if row else None


def set_state(c: sqlite3.Connection, connector: str, key: str, value: str) -> None:
    """Write a sync_state value inside the caller's transaction."""
    # Not sqlite-utils' ``upsert(..., pk=("connector", "key"))``, which ends in this same
    # statement: on each new Database object it first checks that SQLite supports upserts by
    # creating and dropping a table in the store, a schema change that makes every other
    # connection to it (the workstation's readers, other processes) re-read the schema; with
    # its look-ups and savepoint a call took ~250 µs instead of 5 µs
    # (``bench/bench_sqlite_utils.py``).
    c.execute(
        "INSERT INTO sync_state(connector, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT(connector, key) DO UPDATE SET value = excluded.value",
        (connector, key, value),
    )


def apply_batch(store: Store, connector: str, batch: PullBatch, *, me: str | None) -> MirrorStats:
    """Mirror one batch and move the cursor, all or nothing.

    Args:
        connector: the connector's name (the ``sync_state`` namespace).
        me: the remote id of the agent deskterm acts as (their replies already in the store,
            pushed from the outbox, are matched instead of added twice).
    """
    stats = MirrorStats()
    with store.transaction() as c:
        for remote in batch.conversations:
            _mirror_conversation(store, c, well_formed_record(remote), me, stats)
        for gone in batch.removed:
            stats.removed += _remove_conversation(store, c, well_formed_record(gone))
        if batch.cursor is not None:
            set_state(c, connector, "cursor", batch.cursor)
    return stats


def customer_id(c: sqlite3.Connection, store: Store, customer: RemoteCustomer) -> int:
    """The local id of a remote customer, added on first sight."""
    row = c.execute(
        "SELECT id, name, language FROM customers WHERE external_id = ?", (customer.external_id,)
    ).fetchone()
    if row is not None:
        if customer.name and row["name"] != customer.name:
            c.execute("UPDATE customers SET name = ? WHERE id = ?", (customer.name, row["id"]))
        if customer.language and row["language"] != customer.language:
            c.execute(
                "UPDATE customers SET language = ? WHERE id = ?", (customer.language, row["id"])
            )
        return int(row["id"])
    handles = [Handle(channel=Channel.EMAIL, value=customer.email)] if customer.email else []
    return store.add_customer(
        customer.name or customer.email or customer.external_id,
        language=customer.language or "en",
        notes=f"Organisation: {customer.organization}" if customer.organization else "",
        handles=handles,
        external_id=customer.external_id,
    )


def agent_id(c: sqlite3.Connection, agent: RemoteAgent) -> int:
    """The local id of a remote agent, added on first sight (matched by email if known)."""
    row = c.execute(
        "SELECT id, name, email FROM agents WHERE external_id = ?", (agent.external_id,)
    ).fetchone()
    if row is not None:
        if agent.email and (row["name"], row["email"]) != (agent.name, agent.email):
            # The remote says who they really are (a first sight may have had a login only).
            taken = c.execute(
                "SELECT 1 FROM agents WHERE email = ? COLLATE NOCASE AND id != ?",
                (agent.email, row["id"]),
            ).fetchone()
            c.execute(
                "UPDATE agents SET name = ?, email = ? WHERE id = ?",
                (agent.name or row["name"], row["email"] if taken else agent.email, row["id"]),
            )
        return int(row["id"])
    email = agent.email or f"{agent.external_id}@remote.invalid"
    row = c.execute("SELECT id FROM agents WHERE email = ? COLLATE NOCASE", (email,)).fetchone()
    if row is not None:
        c.execute("UPDATE agents SET external_id = ? WHERE id = ?", (agent.external_id, row[0]))
        return int(row[0])
    return int(
        c.execute(
            "INSERT INTO agents(name, email, external_id) VALUES (?, ?, ?)",
            (agent.name or agent.external_id, email, agent.external_id),
        ).lastrowid
        or 0
    )


def _mirror_conversation(
    store: Store,
    c: sqlite3.Connection,
    remote: RemoteConversation,
    me: str | None,
    stats: MirrorStats,
) -> None:
    stats.conversations += 1
    row = c.execute(
        "SELECT * FROM conversations WHERE external_id = ?", (remote.external_id,)
    ).fetchone()
    if row is None:
        cid = _insert_conversation(store, c, remote)
        stats.created += 1
    else:
        cid = int(row["id"])
        if row["gone_at"] is not None:
            _restore(store, c, row)
    pending = _pending(c, cid)
    others: list[RemoteMessage] = []
    wrote_again = False
    for message in sorted(remote.messages, key=lambda m: (m.created_at, m.external_id)):
        if _add_message(store, c, cid, message, me):
            stats.messages += 1
            wrote_again |= message.author_kind != "agent"
            mine = message.author_external_id == me or message.author_kind == "system"
            if not mine and message.public:
                others.append(message)
    waiting_reply = [p for p in pending if p["kind"] == "reply"]
    if others and waiting_reply:
        first = min(p["created_at"] for p in waiting_reply)
        racing = [m for m in others if (ts(m.created_at) or 0) >= first - 60]
        if racing:
            latest = racing[-1]
            who = latest.author_name or "Someone"
            store.add_message(
                cid,
                author_kind=AuthorKind.SYSTEM,
                author_name=NOTICE_AUTHOR,
                body=(
                    f"{who} replied {ago(latest.created_at, store.now())}, before your reply "
                    "went out. Yours is still being sent."
                ),
                created_at=store.now(),
            )
            stats.notices.append(cid)
    if remote.mirror_fields:
        _apply_fields(store, c, cid, remote, pending)
    # The routing rules, after the remote's own fields: applied here, pushed only by a rule
    # that says so (the remote may route itself).
    if store.router is not None and (row is None or wrote_again):
        store.router.route(store, cid, "arrival" if row is None else "again")


def _remove_conversation(store: Store, c: sqlite3.Connection, gone: RemovedConversation) -> int:
    """Take a conversation the remote lost out of the views; 1 if it was in them, else 0.
    One never mirrored is not added: there is nothing to show of it."""
    row = c.execute(
        "SELECT id, gone_at FROM conversations WHERE external_id = ?", (gone.external_id,)
    ).fetchone()
    if row is None or row["gone_at"] is not None:
        return 0
    cid = int(row["id"])
    store.update_conversation(cid, {"gone_at": ts(store.now())}, agent_id=None, kind="sync:removed")
    notice(store, cid, f"{gone.reason}. It has left the views; a search still finds it here.")
    return 1


def _restore(store: Store, c: sqlite3.Connection, row: sqlite3.Row) -> None:
    """The remote has a removed conversation again: back in the views it belongs to."""
    cid = int(row["id"])
    store.update_conversation(cid, {"gone_at": None}, agent_id=None, kind="sync:restored")
    notice(store, cid, "This conversation is back on the remote helpdesk: in the views again.")


def _insert_conversation(store: Store, c: sqlite3.Connection, remote: RemoteConversation) -> int:
    customer = customer_id(c, store, remote.customer)
    when = ts(remote.created_at) or 0
    cid = int(
        c.execute(
            "INSERT INTO conversations(subject, channel, status, customer_id, tags, created_at, "
            "updated_at, bucket, urgency, external_id) VALUES (?, ?, 'new', ?, '', ?, ?, "
            "'inbox', ?, ?)",
            (remote.subject, str(remote.channel), customer, when, when, when, remote.external_id),
        ).lastrowid
        or 0
    )
    record_event(c, cid, None, "created", {}, {"channel": str(remote.channel)}, when, None)
    return cid


def _pending(c: sqlite3.Connection, cid: int) -> list[dict[str, Any]]:
    return [
        {"kind": r["kind"], "created_at": r["created_at"], **json.loads(r["payload"])}
        for r in c.execute(
            "SELECT kind, payload, created_at FROM outbox WHERE conversation_id = ? "
            "AND state = 'pending' ORDER BY id",
            (cid,),
        )
    ]


def _add_message(
    store: Store, c: sqlite3.Connection, cid: int, message: RemoteMessage, me: str | None
) -> bool:
    """Add a remote message unless the store has it; True when it was added."""
    if c.execute("SELECT 1 FROM messages WHERE external_id = ?", (message.external_id,)).fetchone():
        return False
    is_agent = message.author_kind == "agent"
    kind = {"agent": AuthorKind.AGENT, "system": AuthorKind.SYSTEM}.get(
        message.author_kind, AuthorKind.CUSTOMER
    )
    if is_agent and me is not None and message.author_external_id == me:
        # Our own message, pushed from the outbox but not yet marked: link, never duplicate.
        for local in c.execute(
            "SELECT id, body FROM messages WHERE conversation_id = ? AND external_id IS NULL "
            "AND author_kind = 'agent' AND public = ? ORDER BY id",
            (cid, int(message.public)),
        ).fetchall():
            if same_text(local["body"], message.body):
                c.execute(
                    "UPDATE messages SET external_id = ? WHERE id = ?",
                    (message.external_id, local["id"]),
                )
                return False
    author: int | None = None
    if is_agent and message.author_external_id:
        author = agent_id(
            c, RemoteAgent(message.author_external_id, message.author_name or "Agent")
        )
    store.add_message(
        cid,
        author_kind=kind,
        author_id=author,
        author_name=message.author_name,
        body=message.body,
        html=message.html,
        attachments=[_file_record(f) for f in message.files],
        public=message.public,
        created_at=message.created_at,
        external_id=message.external_id,
        route=False,  # routed once the whole conversation is in (see _mirror_conversation)
    )
    return True


def _file_record(file: RemoteFile) -> dict[str, Any]:
    """A remote file as the message's attachment list keeps it (fetched on demand)."""
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": file.size,
        "external_id": file.external_id,
    }


def _remote_values(
    store: Store, c: sqlite3.Connection, remote: RemoteConversation
) -> dict[str, Any]:
    return {
        "subject": remote.subject,
        "status": str(remote.status),
        "assignee_id": agent_id(c, remote.assignee) if remote.assignee else None,
        "tags": tags_text(sorted({t.lower() for t in remote.tags})),
        "priority": str(remote.priority),
        "snoozed_until": ts(remote.snoozed_until),
        "gone_at": None,  # pulled: it is on the remote, whatever an earlier pass thought
    }


def _apply_fields(
    store: Store,
    c: sqlite3.Connection,
    cid: int,
    remote: RemoteConversation,
    pending: list[dict[str, Any]],
) -> None:
    wanted = _remote_values(store, c, remote)
    for entry in pending:
        if entry["kind"] in MESSAGE_KINDS:
            wanted.pop("status", None)  # the reply's own status change is on its way
            continue
        for name, before in (entry.get("before") or {}).items():
            if name in wanted and _same(name, wanted[name], before):
                wanted.pop(name)  # the remote has not moved: the local change stands
    row = c.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
    changes = {k: v for k, v in wanted.items() if not _same(k, row[k], v)}
    if "snoozed_until" in changes:
        snoozed = changes["snoozed_until"] is not None
        changes["snoozed_at"] = ts(store.now()) if snoozed else None
        changes["snooze_reason"] = None
        if not snoozed and row["snoozed_until"] is not None:
            changes["woken_at"] = ts(store.now())
    if changes:
        store.update_conversation(cid, changes, agent_id=None, kind="sync:pull")
    if "gone_at" in changes:
        notice(store, cid, "This conversation is back on the remote helpdesk.")


def notice(store: Store, cid: int, text: str) -> None:
    """A system line in the conversation's thread, signed by the sync."""
    store.add_message(
        cid,
        author_kind=AuthorKind.SYSTEM,
        author_name=NOTICE_AUTHOR,
        body=text,
        created_at=store.now(),
    )


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "tags":
        return set(str(a or "").split()) == set(str(b or "").split())
    return bool(a == b)
