"""The shop's account and delivery records kept in the deskterm store (local mode, the demo):
read for the customer pane, and changed by the subscription and address actions.

They live in ``sync_state``, like the idempotency records, under two ``commerce.*`` names:
``commerce.accounts`` keyed by customer id and ``commerce.deliveries`` keyed by order id,
each value one JSON object. No table of their own: a store that never had them (a helpdesk
with no shop behind it) simply knows nothing of them, and a store written before them reads
them the same way.

An account holds the subscription as the day and hour of its weekly box, so its next
delivery is worked out when read, whatever day the store is opened on::

    {"subscription": {"state": "active", "plan": "Popote Weekly, 4 meals",
                      "weekday": 1, "hour": 12},            # Tuesday, 12:00 shop time
     "address": "12 rue Oberkampf, 75011 Paris",
     "promo_codes": [{"code": "AMI10", "used_at": iso, "result": "applied"}],
     "app": {"version": "4.13.0", "platform": "iPhone 13", "seen_at": iso}}

The changes (pause, resume, a new address for one order, and their undo) are made here too;
the provider wraps each in its transaction with the idempotency record.

A delivery record holds what the order row does not: ``{"courier": "Karim",
"address": "…"}`` (the address only once it was changed for this order).

The reads take any connection of the store (no write lock: the pane reads them often); the
changes take the connection of a transaction that is already open.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from deskterm.backend.commerce.base import ActionRefused, ActionResult
from deskterm.backend.commerce.facts import (
    ADDRESS_CHARS,
    ADDRESS_OPEN,
    COURIER_OF_ORDER,
    UNKNOWN_ACCOUNT,
    AccountFacts,
    Delivery,
    Subscription,
    SubscriptionState,
    address_closed,
)
from deskterm.backend.db import dt
from deskterm.domain.models import Customer

ACCOUNTS = "commerce.accounts"
DELIVERIES = "commerce.deliveries"


def _record(conn: sqlite3.Connection, scope: str, key: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT value FROM sync_state WHERE connector = ? AND key = ?", (scope, str(key))
    ).fetchone()
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return None  # a damaged record is no record: the pane says nothing rather than fail
    return value if isinstance(value, dict) else None


def _write(conn: sqlite3.Connection, scope: str, key: int, value: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO sync_state(connector, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT(connector, key) DO UPDATE SET value = excluded.value",
        (scope, str(key), json.dumps(value, ensure_ascii=False)),
    )


def account_record(conn: sqlite3.Connection, customer_id: int) -> dict[str, Any] | None:
    """The customer's account as stored, or None when the shop has none for them."""
    return _record(conn, ACCOUNTS, customer_id)


def write_account(conn: sqlite3.Connection, customer_id: int, record: dict[str, Any]) -> None:
    _write(conn, ACCOUNTS, customer_id, record)


def delivery_record(conn: sqlite3.Connection, order_id: int) -> dict[str, Any]:
    """What the store keeps of an order's delivery beyond its row ({} when nothing)."""
    return _record(conn, DELIVERIES, order_id) or {}


def write_delivery(conn: sqlite3.Connection, order_id: int, record: dict[str, Any]) -> None:
    _write(conn, DELIVERIES, order_id, record)


def next_box(weekday: int, hour: int, now: datetime, tz: ZoneInfo) -> datetime:
    """The next weekly delivery on ``weekday`` (Monday 0) at ``hour`` shop time, after now."""
    local = now.astimezone(tz)
    days = (weekday - local.weekday()) % 7
    day = (local + timedelta(days=days)).date()
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    if moment <= local:
        moment += timedelta(days=7)
    return moment.astimezone(now.tzinfo)


def subscription_of(record: dict[str, Any], now: datetime, tz: ZoneInfo) -> Subscription:
    """The stored subscription, with its next delivery worked out for ``now``."""
    sub = record.get("subscription")
    if not isinstance(sub, dict) or sub.get("state") not in ("active", "paused"):
        return Subscription()
    state: SubscriptionState = "active" if sub["state"] == "active" else "paused"
    upcoming = None
    if state == "active":
        upcoming = next_box(int(sub.get("weekday", 0)), int(sub.get("hour", 12)), now, tz)
    return Subscription(state, str(sub.get("plan") or ""), upcoming)


def account_facts(
    conn: sqlite3.Connection, customer_id: int, now: datetime, tz: ZoneInfo
) -> AccountFacts:
    """The customer's account facts as the pane reads them (UNKNOWN_ACCOUNT without one)."""
    record = account_record(conn, customer_id)
    if record is None:
        return UNKNOWN_ACCOUNT
    stored = AccountFacts.from_json({**record, "subscription": None})
    return AccountFacts(
        subscription=subscription_of(record, now, tz),
        address=stored.address,
        promos=stored.promos,
        app=stored.app,
    )


#: When in its slot an order arrives, as shares of the slot: the courier's ETA for the
#: store's orders, which have no courier tracking behind them (spread by order id).
ETA_SHARES = (0.15, 0.85)
#: An order still out once its ETA passed is said to be this many minutes away.
LATE_MINUTES = 10


def delivery_of(
    conn: sqlite3.Connection, row: sqlite3.Row, now: datetime, default_address: str
) -> Delivery:
    """The delivery of the order ``row`` as the store knows it: the courier status from the
    order's status, an ETA within its slot, the address changed for it or the account's."""
    record = delivery_record(conn, int(row["id"]))
    status = COURIER_OF_ORDER.get(str(row["status"]), "waiting")
    eta = None
    start, end = row["delivery_slot_start"], row["delivery_slot_end"]
    if start is not None and status in ("waiting", "preparing", "out_for_delivery"):
        length = (int(end) - int(start)) if end is not None and end > start else 3600
        low, high = ETA_SHARES
        share = low + (high - low) * ((int(row["id"]) * 37) % 100) / 100
        eta = dt(int(start)) + timedelta(minutes=int(length * share // 60))
        if status == "out_for_delivery" and eta <= now:
            eta = now + timedelta(minutes=LATE_MINUTES)
    return Delivery(
        order_number=str(row["number"]),
        status=status,
        eta=eta,
        address=str(record.get("address") or default_address),
        courier=str(record.get("courier") or "") if status != "waiting" else "",
    )


# -- changes ----------------------------------------------------------------------------------


def switch_subscription(
    conn: sqlite3.Connection, customer: Customer, kind: str, *, now: datetime, tz: ZoneInfo
) -> ActionResult:
    """Pause (``kind`` "pause") an active subscription or resume a paused one; the result's
    ``extra`` names the customer, the plan and the box concerned (pause: the one that will
    not come; resume: the next one that will). ActionRefused when there is nothing to do."""
    was, becomes = ("active", "paused") if kind == "pause" else ("paused", "active")
    record = account_record(conn, customer.id) or {}
    sub = record.get("subscription")
    state = sub.get("state") if isinstance(sub, dict) else None
    if not isinstance(sub, dict) or state not in ("active", "paused"):
        raise ActionRefused(f"{customer.name} has no subscription")
    if state != was:
        raise ActionRefused(f"{customer.name}'s subscription is already {state}")
    before = subscription_of(record, now, tz).next_delivery
    record["subscription"] = {**sub, "state": becomes}
    write_account(conn, customer.id, record)
    box = before if kind == "pause" else subscription_of(record, now, tz).next_delivery
    return ActionResult(
        kind="pause" if kind == "pause" else "resume",
        idempotency_key="",
        provider="store",
        extra={
            "customer_id": customer.id,
            "plan": str(sub.get("plan") or ""),
            "next_delivery": box.isoformat() if box else None,
        },
    )


def clean_address(address: str) -> str:
    """The address as typed, on one line; ActionRefused when empty or too long."""
    clean = " ".join(address.split())
    if not clean:
        raise ActionRefused("Type the new delivery address")
    if len(clean) > ADDRESS_CHARS:
        raise ActionRefused(f"An address fits in {ADDRESS_CHARS} characters")
    return clean


def move_order(conn: sqlite3.Connection, row: sqlite3.Row, address: str) -> ActionResult:
    """Deliver the order ``row`` to ``address``; refused once it is past ``placed``."""
    if row["status"] not in ADDRESS_OPEN:
        raise ActionRefused(address_closed(row["number"], row["status"]))
    oid = int(row["id"])
    record = delivery_record(conn, oid)
    account = account_record(conn, int(row["customer_id"])) or {}
    previous = str(record.get("address") or account.get("address") or "")
    write_delivery(conn, oid, {**record, "address": address})
    return ActionResult(
        kind="address",
        idempotency_key="",
        provider="store",
        order_number=row["number"],
        currency=row["currency"],
        extra={"address": address, "previous_address": previous, "order_id": oid},
    )


def undo(conn: sqlite3.Connection, result: ActionResult) -> None:
    """Take back a pause (resume it), a resume (pause again) or an address change. Undoing
    twice changes nothing; ActionRefused when it moved on since (the kitchen started, the
    address changed again)."""
    if result.kind == "address":
        _undo_address(conn, result)
        return
    cid = int(result.extra["customer_id"])
    account = account_record(conn, cid) or {}
    sub = account.get("subscription")
    if not isinstance(sub, dict):
        raise ActionRefused("The subscription no longer exists")
    back = "active" if result.kind == "pause" else "paused"
    if sub.get("state") != back:
        account["subscription"] = {**sub, "state": back}
        write_account(conn, cid, account)


def _undo_address(conn: sqlite3.Connection, result: ActionResult) -> None:
    oid = int(result.extra["order_id"])
    row = conn.execute("SELECT * FROM orders WHERE id = ?", (oid,)).fetchone()
    if row is None:
        raise ActionRefused(f"Order {result.order_number} no longer exists")
    record = delivery_record(conn, oid)
    account = account_record(conn, int(row["customer_id"])) or {}
    now_at = record.get("address") or account.get("address") or ""
    previous = result.extra.get("previous_address") or ""
    if now_at == previous:
        return
    if record.get("address") != result.extra.get("address"):
        raise ActionRefused(
            f"The address of {result.order_number} changed again since: left as it is"
        )
    if row["status"] not in ADDRESS_OPEN:
        raise ActionRefused(address_closed(row["number"], row["status"]))
    record.pop("address", None)  # the account's address again, unless it was another one
    if previous and previous != account.get("address"):
        record["address"] = previous
    write_delivery(conn, oid, record)
