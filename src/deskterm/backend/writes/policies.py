"""SLA policies: read once and kept, since every conversation write computes a due time
with them; replacing them drops what was kept."""

from __future__ import annotations

import json
from collections.abc import Sequence

from deskterm.backend.db import Connections
from deskterm.domain.models import BusinessHours, Channel, SLAPolicy


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
        with self._db.transaction() as c:
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
        self._policies = None
