"""The people: groups, agents, customers and their handles, the notes on a customer, and
the orders customers place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from deskterm.backend.db import Connections, StoreError, ts
from deskterm.backend.schema import recompute_customer_urgency
from deskterm.domain.models import Handle


class CustomerWrites:
    """Adds groups, agents, customers and their orders; edits a customer's notes."""

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

    def add_order(
        self,
        customer_id: int,
        number: str,
        *,
        status: str,
        placed_at: datetime,
        slot_start: datetime | None,
        slot_end: datetime | None,
        items: Sequence[tuple[str, int, int]],
        currency: str = "EUR",
    ) -> int:
        """A customer places an order: ``items`` are (name, quantity, unit price in cents).
        Returns its id; StoreError when another order already has that number."""
        with self._db.transaction() as c:
            if c.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone():
                raise StoreError(f"An order numbered {number} already exists")
            total = sum(quantity * price for _, quantity, price in items)
            oid = int(
                c.execute(
                    "INSERT INTO orders(number, customer_id, status, placed_at, "
                    "delivery_slot_start, delivery_slot_end, total_cents, currency) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        number,
                        customer_id,
                        status,
                        ts(placed_at),
                        ts(slot_start),
                        ts(slot_end),
                        total,
                        currency,
                    ),
                ).lastrowid
                or 0
            )
            c.executemany(
                "INSERT INTO order_items(order_id, name, quantity, unit_price_cents) "
                "VALUES (?, ?, ?, ?)",
                [(oid, name, quantity, price) for name, quantity, price in items],
            )
            if status == "out_for_delivery":  # at stake for every open conversation of theirs
                recompute_customer_urgency(c, customer_id)
            return oid

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
