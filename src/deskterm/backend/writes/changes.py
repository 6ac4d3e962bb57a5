"""How a conversation's row changes, whoever changes it: the columns derived from the
fields (SLA due time, bucket, urgency, the tag index), a version bump, an event in the audit
log (which undo reads), and the outbox entry that pushes it to a remote helpdesk.

Every write of a conversation ends in :func:`write_changes`, inside the write transaction:
:mod:`~deskterm.backend.writes.messages` for messages, :mod:`~deskterm.backend.writes.triage`
for fields, :mod:`~deskterm.backend.writes.undo` for putting them back.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime
from typing import Any

from deskterm.backend.db import NotFound, dt, ts
from deskterm.backend.rows import bucket_of, stake_of, tags_text, urgency_of
from deskterm.domain import sla
from deskterm.domain.models import Channel, SLAPolicy, Status

#: Conversation columns an action may change (everything else is derived or immutable).
MUTABLE = {
    "status",
    "assignee_id",
    "group_id",
    "tags",
    "priority",
    "snoozed_until",
    "snoozed_at",
    "snooze_reason",
    "woken_at",
    "unread",
    "subject",
    "first_response_at",
    "external_id",
    "gone_at",
}

#: What undo may put back: not ``first_response_at``, since a reply committed with a status
#: change was really sent, and undoing the status must leave its first response counted.
UNDOABLE = MUTABLE - {"first_response_at"}


def new_key() -> str:
    """A fresh key: an outbox entry's idempotency key, an action's undo group."""
    return uuid.uuid4().hex


def write_changes(
    c: sqlite3.Connection,
    cur: sqlite3.Row,
    changes: dict[str, Any],
    derived: dict[str, Any],
    *,
    policies: list[SLAPolicy],
    agent_id: int | None,
    kind: str,
    when: int | None,
    undo_group: str | None,
    extra_after: dict[str, Any] | None = None,
) -> int:
    """Write ``changes`` and ``derived`` to the conversation read as ``cur``, with the
    columns they imply (SLA due time under ``policies``, bucket, urgency, the tag index), a
    version bump and an event; returns the new version. Inside the write transaction ``c``."""
    new = dict(cur) | derived | changes
    if new["status"] == Status.DONE and new["snoozed_until"] is not None:
        new.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
        changes.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
    due = sla.due_at(
        status=Status(new["status"]),
        first_response_at=dt(new["first_response_at"]),
        last_customer_message_at=dt(new["last_customer_message_at"]),
        last_agent_message_at=dt(new["last_agent_message_at"]),
        channel=Channel(new["channel"]),
        group_id=new["group_id"],
        policies=policies,
    )
    new["sla_due_at"] = ts(due)
    # A conversation whose ticket left the remote is in no view (see schema version 5).
    gone = new.get("gone_at") is not None
    new["bucket"] = "gone" if gone else bucket_of(new["status"], new["snoozed_until"])
    stake = stake_of(
        c,
        customer_id=new["customer_id"],
        priority=new["priority"],
        channel=new["channel"],
        bucket=new["bucket"],
    )
    new["urgency"] = urgency_of(
        new["sla_due_at"], new["last_customer_message_at"], new["created_at"], stake
    )
    new["updated_at"] = max(when or 0, cur["updated_at"])
    new["version"] = cur["version"] + 1
    cols = [k for k in new if k != "id" and new[k] != cur[k]]
    c.execute(
        f"UPDATE conversations SET {', '.join(f'{k} = ?' for k in cols)} "
        "WHERE id = ? AND version = ?",
        [*(new[k] for k in cols), cur["id"], cur["version"]],
    )
    if any(k in cols for k in ("tags", "bucket", "urgency")):
        c.execute("DELETE FROM conversation_tags WHERE conversation_id = ?", (cur["id"],))
        c.executemany(
            "INSERT OR IGNORE INTO conversation_tags(tag, bucket, urgency, conversation_id) "
            "VALUES (?, ?, ?, ?)",
            [(t, new["bucket"], new["urgency"], cur["id"]) for t in new["tags"].split(" ") if t],
        )
    before = {k: cur[k] for k in changes if cur[k] != changes[k]}
    after = {k: changes[k] for k in before}
    record_event(
        c, cur["id"], agent_id, kind, before, after | (extra_after or {}), when, undo_group
    )
    return int(new["version"])


def conversation_row(c: sqlite3.Connection, conversation_id: int) -> sqlite3.Row:
    """The conversation's stored row, read inside the write transaction ``c``."""
    cur = c.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    if cur is None:
        raise NotFound(f"No conversation #{conversation_id}")
    return cur


def record_event(
    c: sqlite3.Connection,
    conversation_id: int | None,
    agent_id: int | None,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    when: int | None,
    undo_group: str | None,
) -> None:
    """Append to the audit log (which undo reads); inside the write transaction ``c``."""
    c.execute(
        "INSERT INTO events(conversation_id, agent_id, kind, before, after, created_at, "
        "undo_group) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            agent_id,
            kind,
            json.dumps(before),
            json.dumps(after),
            when,
            undo_group,
        ),
    )


def enqueue(
    c: sqlite3.Connection,
    conversation_id: int | None,
    kind: str,
    payload: dict[str, Any],
    when: int | None,
) -> None:
    """Queue a push to the remote helpdesk, with its own idempotency key.

    The payload also keeps the newest message the conversation held when the agent acted
    (``seen_message``): a close or a snooze decided on that thread goes stale when someone
    writes after it, before the push (see ``backend/sync/intent.py``).
    """
    if conversation_id is not None and "seen_message" not in payload:
        newest = c.execute(
            "SELECT max(id) FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]
        payload = {**payload, "seen_message": newest}
    c.execute(
        "INSERT INTO outbox(conversation_id, kind, payload, idempotency_key, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (conversation_id, kind, json.dumps(payload, default=str), new_key(), when),
    )


def to_store(value: Any) -> Any:
    """A field's value as the store keeps it (epoch seconds, 0/1, tag text, enum value)."""
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        return tags_text(list(value))
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value
