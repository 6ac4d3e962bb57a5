"""deskterm's own record of order actions: goodwill gestures, refunds of paid items, audit
events, idempotency.

The gestures table is what the goodwill policy counts, whichever provider applied the
gesture. Idempotency records live in ``sync_state`` under a ``commerce.*`` connector name:
one row per key, written in the same transaction as the change it guards, so a retry after
a crash finds it.

Refunds of paid items are not goodwill and are kept apart, in ``sync_state`` too (no table
of their own): one row per refund (``commerce.refund``, by its key) and one per order with
what was refunded of it so far (``commerce.refunded``, by order id), so a dish is never
paid back twice.

Every function here takes the connection of a transaction that is already open (reading
what is left to refund may also use the store's connection outside one).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from deskterm.backend.db import ts

#: approved / refused: a request a lead decided (an approved one's gesture is its own row).
GESTURE_STATES = ("applied", "approval_requested", "reversed", "approved", "refused")


def recall(conn: sqlite3.Connection, scope: str, key: str) -> dict[str, Any] | None:
    """What was recorded under an idempotency key, or None the first time."""
    row = conn.execute(
        "SELECT value FROM sync_state WHERE connector = ? AND key = ?", (scope, key)
    ).fetchone()
    return json.loads(row[0]) if row else None


def remember(conn: sqlite3.Connection, scope: str, key: str, value: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO sync_state(connector, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT(connector, key) DO UPDATE SET value = excluded.value",
        (scope, key, json.dumps(value, default=str)),
    )


def record_gesture(
    conn: sqlite3.Connection,
    *,
    key: str,
    customer_id: int,
    conversation_id: int | None,
    order_id: int | None,
    agent_id: int | None,
    amount_cents: int,
    kind: str,
    state: str,
    reason: str,
    when: datetime,
) -> int:
    """Add a gesture row once per key; returns its id (the first one's on a retry)."""
    if state not in GESTURE_STATES:
        raise ValueError(f"unknown gesture state {state!r}")
    seen = recall(conn, "commerce.gestures", key)
    if seen is not None:
        return int(seen["id"])
    gid = int(
        conn.execute(
            "INSERT INTO gestures(customer_id, conversation_id, order_id, agent_id, amount_cents, "
            "kind, state, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                customer_id,
                conversation_id,
                order_id,
                agent_id,
                amount_cents,
                kind,
                state,
                reason,
                ts(when),
            ),
        ).lastrowid
        or 0
    )
    remember(conn, "commerce.gestures", key, {"id": gid})
    return gid


def set_gesture_state(conn: sqlite3.Connection, gesture_id: int, state: str, *, was: str) -> bool:
    """Move a gesture from state ``was`` to ``state``; False if it was not in ``was``."""
    if state not in GESTURE_STATES:
        raise ValueError(f"unknown gesture state {state!r}")
    cur = conn.execute(
        "UPDATE gestures SET state = ? WHERE id = ? AND state = ?", (state, gesture_id, was)
    )
    return cur.rowcount > 0


def gesture_state(conn: sqlite3.Connection, gesture_id: int) -> str | None:
    row = conn.execute("SELECT state FROM gestures WHERE id = ?", (gesture_id,)).fetchone()
    return row[0] if row else None


def given_since(conn: sqlite3.Connection, customer_id: int, since: datetime) -> int:
    """Goodwill applied to a customer since a time, in cents (what the policy counts)."""
    row = conn.execute(
        "SELECT coalesce(sum(amount_cents), 0) FROM gestures WHERE customer_id = ? "
        "AND created_at >= ? AND state = 'applied'",
        (customer_id, ts(since)),
    ).fetchone()
    return int(row[0])


def approvals_waiting(conn: sqlite3.Connection, customer_id: int) -> list[tuple[int, int, str]]:
    """Gestures waiting on a lead: (id, amount in cents, kind), oldest first."""
    return [
        (int(r[0]), int(r[1]), str(r[2]))
        for r in conn.execute(
            "SELECT id, amount_cents, kind FROM gestures WHERE customer_id = ? "
            "AND state = 'approval_requested' ORDER BY id",
            (customer_id,),
        )
    ]


REFUND = "commerce.refund"
REFUNDED = "commerce.refunded"


def refunded(conn: sqlite3.Connection, order_id: int) -> tuple[dict[int, int], int]:
    """What was refunded of an order so far: quantity per item id, and cents in all."""
    seen = recall(conn, REFUNDED, str(order_id)) or {}
    items = {int(k): int(v) for k, v in dict(seen.get("items", {})).items() if int(v) > 0}
    return items, int(seen.get("cents", 0))


def _add_refunded(
    conn: sqlite3.Connection, order_id: int, items: dict[int, int], cents: int, sign: int
) -> None:
    before, total = refunded(conn, order_id)
    after = dict(before)
    for item_id, quantity in items.items():
        after[item_id] = max(0, after.get(item_id, 0) + sign * quantity)
    value = {
        "items": {str(k): v for k, v in after.items() if v},
        "cents": max(0, total + sign * cents),
    }
    remember(conn, REFUNDED, str(order_id), value)


def record_refund(
    conn: sqlite3.Connection, *, key: str, order_id: int, items: dict[int, int], cents: int
) -> bool:
    """Count a refund of ``items`` (item id → quantity) worth ``cents`` against its order,
    once per key; False when the key was recorded already (a retry)."""
    if recall(conn, REFUND, key) is not None:
        return False
    entry = {"order_id": order_id, "items": {str(k): v for k, v in items.items()}}
    remember(conn, REFUND, key, {**entry, "cents": cents, "state": "applied"})
    _add_refunded(conn, order_id, items, cents, +1)
    return True


def reverse_refund(conn: sqlite3.Connection, key: str) -> bool:
    """Take a refund back out of its order's count; False when it was not applied (never
    recorded, or reversed already: undoing twice changes nothing)."""
    seen = recall(conn, REFUND, key)
    if seen is None or seen.get("state") != "applied":
        return False
    items = {int(k): int(v) for k, v in dict(seen["items"]).items()}
    remember(conn, REFUND, key, {**seen, "state": "reversed"})
    _add_refunded(conn, int(seen["order_id"]), items, int(seen["cents"]), -1)
    return True


def paid_left(conn: sqlite3.Connection, order_id: int, total_cents: int) -> int:
    """What an order paid that was not refunded yet: its total, less its item refunds and
    the goodwill refunds given on it."""
    _, items_cents = refunded(conn, order_id)
    row = conn.execute(
        "SELECT coalesce(sum(amount_cents), 0) FROM gestures WHERE order_id = ? "
        "AND kind = 'refund' AND state = 'applied'",
        (order_id,),
    ).fetchone()
    return max(0, total_cents - items_cents - int(row[0]))


def record_event(
    conn: sqlite3.Connection,
    *,
    conversation_id: int | None,
    agent_id: int | None,
    kind: str,
    after: dict[str, Any],
    when: datetime,
    undo_group: str | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    """Append an order action to the audit log.

    ``before`` holds no conversation fields, so the store's own undo leaves these alone:
    order actions are undone through their provider.
    """
    conn.execute(
        "INSERT INTO events(conversation_id, agent_id, kind, before, after, created_at, "
        "undo_group) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            agent_id,
            kind,
            json.dumps(before or {}, default=str),
            json.dumps(after, default=str),
            ts(when),
            undo_group,
        ),
    )
