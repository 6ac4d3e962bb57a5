"""The people: groups, agents, customers and their handles, the notes on a customer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from deskterm.backend.db import Connections, StoreError, ts
from deskterm.domain.models import Handle


class CustomerWrites:
    """Adds groups, agents and customers; edits a customer's notes."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def add_group(self, name: str) -> int:
        with self._db.transaction() as c:
            return int(c.execute("INSERT INTO groups(name) VALUES (?)", (name,)).lastrowid or 0)

    def add_agent(
        self,
        name: str,
        email: str,
        *,
        group_id: int | None = None,
        external_id: str | None = None,
    ) -> int:
        with self._db.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO agents(name, email, group_id, external_id) VALUES (?, ?, ?, ?)",
                    (name, email, group_id, external_id),
                ).lastrowid
                or 0
            )

    def add_customer(
        self,
        name: str,
        *,
        language: str = "en",
        vip: bool = False,
        notes: str = "",
        handles: Iterable[Handle] = (),
        created_at: datetime | None = None,
        external_id: str | None = None,
    ) -> int:
        with self._db.transaction() as c:
            cid = int(
                c.execute(
                    "INSERT INTO customers(name, language, vip, notes, created_at, external_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        language,
                        int(vip),
                        notes,
                        ts(created_at or self._db.now()),
                        external_id,
                    ),
                ).lastrowid
                or 0
            )
            c.executemany(
                "INSERT OR IGNORE INTO customer_handles(customer_id, channel, value) "
                "VALUES (?, ?, ?)",
                [(cid, str(h.channel), h.value) for h in handles],
            )
            return cid

    def update_customer_notes(
        self, customer_id: int, notes: str, *, seen: str | None = None
    ) -> None:
        """Replace the customer's notes. With ``seen`` (the notes as the caller read them),
        notes someone else edited meanwhile are not overwritten: StoreError says so."""
        with self._db.transaction() as c:
            if seen is None:
                c.execute("UPDATE customers SET notes = ? WHERE id = ?", (notes, customer_id))
                return
            changed = c.execute(
                "UPDATE customers SET notes = ? WHERE id = ? AND notes IN (?, ?)",
                (notes, customer_id, seen, notes),
            ).rowcount
            if not changed:
                raise StoreError(
                    f"Customer #{customer_id}'s notes changed meanwhile: "
                    "read them again before saving yours"
                )
