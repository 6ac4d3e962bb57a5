"""The people and what they bought: agents, groups, customers, their orders and goodwill."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from deskterm.backend import rows
from deskterm.backend.db import Connections, ts
from deskterm.domain.models import Agent, Customer, Group, Order


class People:
    """Agents, groups, customers and their orders."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def agents(self) -> list[Agent]:
        return [rows.agent(r) for r in self._db.conn.execute("SELECT * FROM agents ORDER BY name")]

    def agent(self, agent_id: int) -> Agent | None:
        r = self._db.conn.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return rows.agent(r) if r else None

    def agent_by_email(self, email: str) -> Agent | None:
        r = self._db.conn.execute(
            "SELECT * FROM agents WHERE email = ? COLLATE NOCASE", (email,)
        ).fetchone()
        return rows.agent(r) if r else None

    def groups(self) -> list[Group]:
        return [
            Group(id=r["id"], name=r["name"])
            for r in self._db.conn.execute("SELECT * FROM groups ORDER BY name")
        ]

    def customer(self, customer_id: int) -> Customer | None:
        r = self._db.conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
        if r is None:
            return None
        handles = self._db.conn.execute(
            "SELECT channel, value FROM customer_handles WHERE customer_id = ?", (customer_id,)
        ).fetchall()
        return rows.customer(r, handles)

    def find_customers(self, text: str, limit: int = 20) -> list[tuple[int, str]]:
        """Customers whose name or address starts with or contains ``text``."""
        like = f"%{text}%"
        return [
            (r[0], r[1])
            for r in self._db.conn.execute(
                "SELECT id, name FROM customers WHERE name LIKE ? UNION "
                "SELECT cu.id, cu.name FROM customer_handles h JOIN customers cu "
                "ON cu.id = h.customer_id WHERE h.value LIKE ? LIMIT ?",
                (like, like, limit),
            )
        ]

    def orders(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        """The customer's orders, newest first."""
        found = self._db.conn.execute(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_at DESC, id DESC LIMIT ?",
            (customer_id, limit),
        ).fetchall()
        return [self._order(r) for r in found]

    def order(self, order_id: int) -> Order | None:
        r = self._db.conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        return self._order(r) if r else None

    def order_by_number(self, number: str) -> Order | None:
        r = self._db.conn.execute("SELECT * FROM orders WHERE number = ?", (number,)).fetchone()
        return self._order(r) if r else None

    def _order(self, r: sqlite3.Row) -> Order:
        items = self._db.conn.execute(
            "SELECT * FROM order_items WHERE order_id = ? ORDER BY id", (r["id"],)
        ).fetchall()
        return rows.order(r, items)

    def customer_totals(self, customer_id: int) -> tuple[int, int]:
        """(number of orders, lifetime spend in cents), follow-up orders excluded."""
        r = self._db.conn.execute(
            "SELECT count(*), coalesce(sum(total_cents), 0) FROM orders "
            "WHERE customer_id = ? AND parent_order_id IS NULL AND status != 'cancelled'",
            (customer_id,),
        ).fetchone()
        return int(r[0]), int(r[1])

    def gestures_since(self, customer_id: int, since: datetime) -> int:
        """Goodwill given to a customer since a time, in cents."""
        r = self._db.conn.execute(
            "SELECT coalesce(sum(amount_cents), 0) FROM gestures WHERE customer_id = ? "
            "AND created_at >= ? AND state = 'applied'",
            (customer_id, ts(since)),
        ).fetchone()
        return int(r[0])
