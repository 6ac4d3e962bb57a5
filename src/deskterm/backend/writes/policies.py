"""SLA policies: read once and kept, since every conversation write computes a due time
with them; replacing them drops what was kept."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from deskterm.backend.db import Connections, dt, ts
from deskterm.backend.rows import stake_of, urgency_of
from deskterm.domain import sla
from deskterm.domain.models import BusinessHours, Channel, SLAPolicy, Status


class SLAPolicies:
    """The store's SLA policies, read on first use and kept until they are replaced."""

    def __init__(self, db: Connections) -> None:
        self._db = db
        self._policies: list[SLAPolicy] | None = None

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
                for r in self._db.conn.execute("SELECT * FROM sla_policies ORDER BY id")
            ]
        return self._policies

    def set_sla_policies(self, policies: Sequence[SLAPolicy]) -> None:
        """Replace the policies (the conversations' due times stay as they were)."""
        with self._db.transaction() as c:
            _replace(c, policies)
        self._policies = None

    def apply_sla_policies(self, policies: Sequence[SLAPolicy]) -> int:
        """Make *policies* the store's and move every open conversation's due time (and its
        place in the inbox) to what they say; the number of conversations moved.

        Does nothing when the store already has these policies. One transaction: a reader
        never sees due times that disagree with the policies.
        """
        wanted = list(policies)
        if wanted == self.sla_policies():
            return 0
        moved: list[tuple[int | None, int, int]] = []
        with self._db.transaction() as c:
            _replace(c, wanted)
            rows = c.execute(
                "SELECT id, status, first_response_at, last_customer_message_at, "
                "last_agent_message_at, channel, group_id, created_at, sla_due_at, customer_id, "
                "priority, bucket "
                "FROM conversations WHERE bucket != 'done' "
                "AND last_customer_message_at IS NOT NULL"
            ).fetchall()
            for r in rows:
                due = ts(
                    sla.due_at(
                        status=Status(r["status"]),
                        first_response_at=dt(r["first_response_at"]),
                        last_customer_message_at=dt(r["last_customer_message_at"]),
                        last_agent_message_at=dt(r["last_agent_message_at"]),
                        channel=Channel(r["channel"]),
                        group_id=r["group_id"],
                        policies=wanted,
                    )
                )
                if due != r["sla_due_at"]:
                    stake = stake_of(
                        c,
                        customer_id=r["customer_id"],
                        priority=r["priority"],
                        channel=r["channel"],
                        bucket=r["bucket"],
                    )
                    urgency = urgency_of(due, r["last_customer_message_at"], r["created_at"], stake)
                    moved.append((due, urgency, r["id"]))
            c.executemany(
                "UPDATE conversations SET sla_due_at = ?, urgency = ? WHERE id = ?", moved
            )
            c.executemany(
                "UPDATE conversation_tags SET urgency = ? WHERE conversation_id = ?",
                [(urgency, cid) for _, urgency, cid in moved],
            )
        self._policies = None
        return len(moved)


def _replace(c: sqlite3.Connection, policies: Sequence[SLAPolicy]) -> None:
    c.execute("DELETE FROM sla_policies")
    c.executemany(
        "INSERT INTO sla_policies(id, name, channel, group_id, first_response_minutes, "
        "next_response_minutes, business_hours) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                p.id,
                p.name,
                str(p.channel) if p.channel else None,
                p.group_id,
                p.first_response_minutes,
                p.next_response_minutes,
                p.business_hours.model_dump_json() if p.business_hours else None,
            )
            for p in policies
        ],
    )
