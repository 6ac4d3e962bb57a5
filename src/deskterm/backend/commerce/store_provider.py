"""The built-in provider: order actions applied to the orders of the deskterm store.

Used in local mode and by the demo. Each action is one transaction that also records its
result under the idempotency key, so the same key never applies it twice. The customers'
accounts and the orders' deliveries are the records of ``store_accounts.py``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from deskterm.backend.commerce import ledger, store_accounts
from deskterm.backend.commerce.base import (
    CANCELLABLE,
    SLOT_FINAL,
    ActionContext,
    ActionRefused,
    ActionResult,
    GoodwillKind,
    NeedsApproval,
    Slot,
)
from deskterm.backend.commerce.facts import AccountFacts, Delivery
from deskterm.backend.commerce.policy import Limits, check_gesture, refund_cents
from deskterm.backend.commerce.slots import is_opening_slot, next_slots
from deskterm.backend.db import dt, ts
from deskterm.backend.store import Store
from deskterm.domain.models import Customer, Order

SCOPE = "commerce.store"
#: How many slots the slot picker offers (two days of half-hour starts).
SLOT_CHOICES = 24


def _order_row(c: sqlite3.Connection, order: Order) -> sqlite3.Row:
    """The order's row as it is now, inside the caller's transaction; refused if gone."""
    row = c.execute("SELECT * FROM orders WHERE id = ?", (order.id,)).fetchone()
    if row is None:
        raise ActionRefused(f"Order {order.number} no longer exists")
    return row


def _replayed(c: sqlite3.Connection, key: str, kind: str) -> ActionResult | None:
    """The result already recorded under ``key`` (a retry), or None the first time; a key
    used before for another kind of action is refused rather than answered with its result."""
    seen = ledger.recall(c, SCOPE, key)
    if seen is None:
        return None
    result = ActionResult.from_json(seen)
    if result.kind != kind:
        raise ActionRefused(f"This request was already used for a {result.kind}, not a {kind}")
    return result


def _slot_of(start: int | None, end: int | None) -> Slot | None:
    if start is None or end is None:
        return None
    return Slot(dt(start), dt(end))  # type: ignore[arg-type]


class StoreProvider:
    """Acts on the store's ``orders``, ``order_items`` and ``gestures`` tables."""

    name = "store"

    def __init__(
        self,
        store: Store,
        *,
        tz: ZoneInfo,
        slot_choices: int = SLOT_CHOICES,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.tz = tz
        self.slot_choices = slot_choices
        #: The goodwill policy, checked in the gesture's own transaction (None: not checked).
        self.limits = limits

    # -- reading -------------------------------------------------------------------------

    def available_slots(self, order: Order) -> list[Slot]:
        """The next opening-hour slots from now, the order's own slot left out."""
        fresh = self.store.order(order.id) or order
        if fresh.status.value in SLOT_FINAL:
            raise ActionRefused(
                f"Order {fresh.number} is {fresh.status.value.replace('_', ' ')}: "
                "its delivery slot can no longer change"
            )
        current = (
            Slot(fresh.delivery_slot_start, fresh.delivery_slot_end)
            if fresh.delivery_slot_start and fresh.delivery_slot_end
            else None
        )
        slots = next_slots(self.store.now(), self.tz, self.slot_choices + 1)
        return [s for s in slots if s != current][: self.slot_choices]

    def account(self, customer: Customer) -> AccountFacts:
        # Reads: this thread's connection, no write lock (a read-only store reads them too).
        conn = self.store.conn
        return store_accounts.account_facts(conn, customer.id, self.store.now(), self.tz)

    def delivery(self, order: Order) -> Delivery:
        conn = self.store.conn
        row = _order_row(conn, order)
        account = store_accounts.account_record(conn, int(row["customer_id"])) or {}
        address = str(account.get("address") or "")
        return store_accounts.delivery_of(conn, row, self.store.now(), address)

    # -- actions -------------------------------------------------------------------------

    def resend_items(
        self,
        order: Order,
        items: list[tuple[int, int]],
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """A follow-up order (total 0, status placed, next slot) for the items sent again."""
        if not items:
            raise ActionRefused("Pick at least one item to send again")
        with self.store.transaction() as c:
            seen = _replayed(c, idempotency_key, "resend")
            if seen is not None:
                return seen
            row = _order_row(c, order)
            if row["status"] in ("cancelled", "refunded"):
                raise ActionRefused(f"Order {row['number']} was {row['status']}: nothing to resend")
            ordered = {
                r["id"]: (r["name"], r["quantity"])
                for r in c.execute("SELECT * FROM order_items WHERE order_id = ?", (order.id,))
            }
            # Summed per item first: the same item listed twice must not pass the limit twice.
            wanted: dict[int, int] = {}
            for item_id, quantity in items:
                if item_id not in ordered:
                    raise ActionRefused(f"Item {item_id} is not part of order {row['number']}")
                if quantity < 1:
                    raise ActionRefused(f"{ordered[item_id][0]}: send at least 1, not {quantity}")
                wanted[item_id] = wanted.get(item_id, 0) + quantity
            chosen: list[tuple[str, int]] = []
            for item_id, quantity in wanted.items():
                name, most = ordered[item_id]
                if quantity > most:
                    raise ActionRefused(
                        f"{name}: between 1 and {most} can be sent again, not {quantity}"
                    )
                chosen.append((name, quantity))
            now = self.store.now()
            slot = next_slots(now, self.tz, 1)
            follow_up = slot[0] if slot else None
            siblings = c.execute(
                "SELECT count(*) FROM orders WHERE parent_order_id = ?", (order.id,)
            ).fetchone()[0]
            number = f"{row['number']}-R{siblings + 1}"
            while c.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone():
                siblings += 1
                number = f"{row['number']}-R{siblings + 1}"
            new_id = c.execute(
                "INSERT INTO orders(number, customer_id, status, placed_at, delivery_slot_start, "
                "delivery_slot_end, total_cents, currency, parent_order_id) "
                "VALUES (?, ?, 'placed', ?, ?, ?, 0, ?, ?)",
                (
                    number,
                    row["customer_id"],
                    ts(now),
                    ts(follow_up.start) if follow_up else None,
                    ts(follow_up.end) if follow_up else None,
                    row["currency"],
                    order.id,
                ),
            ).lastrowid
            # Sent again for free: the items are listed at no charge, like the order's total.
            c.executemany(
                "INSERT INTO order_items(order_id, name, quantity, unit_price_cents) "
                "VALUES (?, ?, ?, 0)",
                [(new_id, name, quantity) for name, quantity in chosen],
            )
            result = ActionResult(
                kind="resend",
                idempotency_key=idempotency_key,
                provider=self.name,
                order_number=row["number"],
                new_order_number=number,
                slot=follow_up,
                items=tuple(chosen),
                currency=row["currency"],
                extra={"new_order_id": new_id},
            )
            ledger.remember(c, SCOPE, idempotency_key, result.to_json())
            return result

    def change_slot(
        self,
        order: Order,
        slot: Slot,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        if not is_opening_slot(slot, self.tz):
            raise ActionRefused(
                "That is not a delivery slot (one hour, from a start time the shop offers)"
            )
        with self.store.transaction() as c:
            seen = _replayed(c, idempotency_key, "slot")
            if seen is not None:
                return seen
            if slot.start < self.store.now():
                raise ActionRefused("That slot has already started: pick a later one")
            row = _order_row(c, order)
            if row["status"] in SLOT_FINAL:
                raise ActionRefused(
                    f"Order {row['number']} is {row['status'].replace('_', ' ')}: "
                    "its delivery slot can no longer change"
                )
            previous = _slot_of(row["delivery_slot_start"], row["delivery_slot_end"])
            c.execute(
                "UPDATE orders SET delivery_slot_start = ?, delivery_slot_end = ? WHERE id = ?",
                (ts(slot.start), ts(slot.end), order.id),
            )
            result = ActionResult(
                kind="slot",
                idempotency_key=idempotency_key,
                provider=self.name,
                order_number=row["number"],
                slot=slot,
                previous_slot=previous,
                currency=row["currency"],
            )
            ledger.remember(c, SCOPE, idempotency_key, result.to_json())
            return result

    def goodwill(
        self,
        customer: Customer,
        order: Order | None,
        amount_cents: int,
        kind: GoodwillKind,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """In local mode the gesture row is the gesture: it is written here.

        With ``limits``, the policy is checked against the gestures already applied, in the
        same transaction (two agents cannot both pass it): NeedsApproval over a limit,
        ActionRefused for a refund above the order's total.
        """
        if amount_cents <= 0:
            raise ActionRefused("The amount must be above zero")
        ctx = context or ActionContext()
        with self.store.transaction() as c:
            seen = _replayed(c, idempotency_key, "goodwill")
            if seen is not None:
                return seen
            if order is not None and _order_row(c, order)["customer_id"] != customer.id:
                # A refund on someone else's order would pass the policy on the wrong tally.
                raise ActionRefused(f"Order {order.number} is not {customer.name}'s")
            if self.limits is not None:
                since = self.store.now() - timedelta(days=self.limits.window_days)
                verdict = check_gesture(
                    amount_cents,
                    given_cents=ledger.given_since(c, customer.id, since),
                    limits=self.limits,
                    kind=kind,
                    order_total_cents=order.total_cents if order else None,
                    items_refunded_cents=ledger.refunded(c, order.id)[1] if order else 0,
                )
                if not verdict.allowed:
                    if verdict.approvable:
                        raise NeedsApproval(verdict.reason)
                    raise ActionRefused(verdict.reason)
            gid = ledger.record_gesture(
                c,
                key=idempotency_key,
                customer_id=customer.id,
                conversation_id=ctx.conversation_id,
                order_id=order.id if order else None,
                agent_id=ctx.agent_id,
                amount_cents=amount_cents,
                kind=kind,
                state="applied",
                reason=ctx.reason,
                when=self.store.now(),
            )
            result = ActionResult(
                kind="goodwill",
                idempotency_key=idempotency_key,
                provider=self.name,
                order_number=order.number if order else None,
                amount_cents=amount_cents,
                currency=order.currency if order else "EUR",
                goodwill_kind=kind,
                gesture_id=gid,
            )
            ledger.remember(c, SCOPE, idempotency_key, result.to_json())
            return result

    def cancel_order(
        self, order: Order, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        with self.store.transaction() as c:
            seen = _replayed(c, idempotency_key, "cancel")
            if seen is not None:
                return seen
            row = _order_row(c, order)
            if row["status"] not in CANCELLABLE:
                raise ActionRefused(
                    f"Order {row['number']} is {row['status'].replace('_', ' ')}: "
                    "only a placed or preparing order can be cancelled"
                )
            c.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", (order.id,))
            result = ActionResult(
                kind="cancel",
                idempotency_key=idempotency_key,
                provider=self.name,
                order_number=row["number"],
                amount_cents=row["total_cents"],
                currency=row["currency"],
                undoable=False,
                extra={"previous_status": row["status"]},
            )
            ledger.remember(c, SCOPE, idempotency_key, result.to_json())
            return result

    def pause_subscription(
        self, customer: Customer, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        return self._subscription(customer, "pause", idempotency_key)

    def resume_subscription(
        self, customer: Customer, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        return self._subscription(customer, "resume", idempotency_key)

    def _subscription(self, customer: Customer, kind: str, key: str) -> ActionResult:
        with self.store.transaction() as c:
            seen = _replayed(c, key, kind)
            if seen is not None:
                return seen
            result = store_accounts.switch_subscription(
                c, customer, kind, now=self.store.now(), tz=self.tz
            )
            result = replace(result, idempotency_key=key, provider=self.name)
            ledger.remember(c, SCOPE, key, result.to_json())
            return result

    def change_address(
        self,
        order: Order,
        address: str,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """The new address is kept in the order's delivery record; refused once the order
        is past ``placed`` (the kitchen labels the box with the address it has)."""
        clean = store_accounts.clean_address(address)
        with self.store.transaction() as c:
            seen = _replayed(c, idempotency_key, "address")
            if seen is not None:
                return seen
            result = store_accounts.move_order(c, _order_row(c, order), clean)
            result = replace(result, idempotency_key=idempotency_key, provider=self.name)
            ledger.remember(c, SCOPE, idempotency_key, result.to_json())
            return result

    def refund_items(
        self,
        order: Order,
        items: list[tuple[int, int]],
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """Counted in the store's refund record, in the same transaction that checks what is
        left to refund (two agents cannot both pay the same dish back)."""
        if not items:
            raise ActionRefused("Pick at least one item to refund")
        with self.store.transaction() as c:
            seen = _replayed(c, idempotency_key, "refund")
            if seen is not None:
                return seen
            row = _order_row(c, order)
            if row["status"] == "cancelled":
                raise ActionRefused(f"Order {row['number']} was cancelled: nothing to refund")
            ordered = {
                r["id"]: (r["name"], r["quantity"], r["unit_price_cents"])
                for r in c.execute("SELECT * FROM order_items WHERE order_id = ?", (order.id,))
            }
            done, _ = ledger.refunded(c, order.id)
            wanted: dict[int, int] = {}
            for item_id, quantity in items:
                if item_id not in ordered:
                    raise ActionRefused(f"Item {item_id} is not part of order {row['number']}")
                if quantity < 1:
                    raise ActionRefused(f"{ordered[item_id][0]}: refund at least 1, not {quantity}")
                wanted[item_id] = wanted.get(item_id, 0) + quantity
            for item_id, quantity in wanted.items():
                name, most, _ = ordered[item_id]
                left = most - done.get(item_id, 0)
                if quantity > left:
                    raise ActionRefused(
                        f"{name}: {left} of {most} left to refund, not {quantity}"
                        if left
                        else f"{name} was refunded already"
                    )
            if row["total_cents"] <= 0:
                raise ActionRefused(f"Order {row['number']} was free: nothing to refund")
            left_cents = ledger.paid_left(c, order.id, row["total_cents"])
            if left_cents <= 0:
                raise ActionRefused(f"What order {row['number']} paid is refunded already")
            amount = refund_cents(
                ((ordered[i][2], q) for i, q in wanted.items()), paid_left_cents=left_cents
            )
            if amount <= 0:
                raise ActionRefused("Nothing was paid for these items")
            ledger.record_refund(
                c, key=idempotency_key, order_id=order.id, items=wanted, cents=amount
            )
            result = ActionResult(
                kind="refund",
                idempotency_key=idempotency_key,
                provider=self.name,
                order_number=row["number"],
                items=tuple((ordered[i][0], q) for i, q in wanted.items()),
                amount_cents=amount,
                currency=row["currency"],
            )
            ledger.remember(c, SCOPE, idempotency_key, result.to_json())
            return result

    # -- undo ----------------------------------------------------------------------------

    def undo(self, result: ActionResult) -> None:
        """Cancel the follow-up order, restore the slot, reverse the gesture or the refund.

        Refused when someone moved things on since (the follow-up is being prepared, the
        slot changed again); undoing twice is harmless.
        """
        if not result.undoable:
            raise ActionRefused("A cancelled order cannot be restored from here")
        with self.store.transaction() as c:
            if result.kind in ("pause", "resume", "address"):
                store_accounts.undo(c, result)
            elif result.kind == "resend":
                row = c.execute(
                    "SELECT status FROM orders WHERE number = ?", (result.new_order_number,)
                ).fetchone()
                if row is None or row["status"] == "cancelled":
                    return
                if row["status"] != "placed":
                    raise ActionRefused(
                        f"Follow-up order {result.new_order_number} is already "
                        f"{row['status'].replace('_', ' ')}"
                    )
                c.execute(
                    "UPDATE orders SET status = 'cancelled' WHERE number = ?",
                    (result.new_order_number,),
                )
            elif result.kind == "slot":
                row = c.execute(
                    "SELECT * FROM orders WHERE number = ?", (result.order_number,)
                ).fetchone()
                if row is None:
                    raise ActionRefused(f"Order {result.order_number} no longer exists")
                now_slot = _slot_of(row["delivery_slot_start"], row["delivery_slot_end"])
                if now_slot == result.previous_slot:
                    return
                if now_slot != result.slot:
                    raise ActionRefused(
                        f"The slot of {result.order_number} changed again since: left as it is"
                    )
                before = result.previous_slot
                c.execute(
                    "UPDATE orders SET delivery_slot_start = ?, delivery_slot_end = ? "
                    "WHERE id = ?",
                    (ts(before.start) if before else None, ts(before.end) if before else None,
                     row["id"]),
                )  # fmt: skip
            elif result.kind == "goodwill" and result.gesture_id is not None:
                # Only an applied gesture moves: undoing twice changes nothing.
                ledger.set_gesture_state(c, result.gesture_id, "reversed", was="applied")
            elif result.kind == "refund":
                ledger.reverse_refund(c, result.idempotency_key)  # twice: nothing more
