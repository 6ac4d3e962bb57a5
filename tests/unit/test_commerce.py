"""The commerce backend: StoreProvider on a real store, the goodwill policy, the sentences."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.backend.commerce import ledger
from deskterm.backend.commerce.base import (
    ActionContext,
    ActionRefused,
    ActionResult,
    NeedsApproval,
    Slot,
)
from deskterm.backend.commerce.policy import (
    MAX_AMOUNT_CENTS,
    AmountError,
    check_gesture,
    format_money,
    parse_amount,
    remaining,
)
from deskterm.backend.commerce.sentences import (
    approval_sentence,
    cancel_sentence,
    clock_time,
    day_phrase,
    goodwill_sentence,
    item_list,
    language_of,
    resend_sentence,
    slot_sentence,
)
from deskterm.backend.commerce.slots import (
    OPENING_HOURS,
    Service,
    is_opening_slot,
    next_slots,
    start_times,
    typed_time,
)
from deskterm.backend.commerce.store_provider import StoreProvider
from deskterm.backend.store import Store
from deskterm.config import GesturePolicy
from deskterm.domain.models import Customer, Order, OrderStatus
from tests.conftest import T0, Clock, Team

PARIS = ZoneInfo("Europe/Paris")
ITEMS = [("Tarama", 1, 450), ("Pain de campagne", 2, 280), ("Tiramisu", 1, 550)]
ORDER_TOTAL = 450 + 2 * 280 + 550


def paris(day: int, hour: int) -> datetime:
    """An hour of November 2026 in Paris, as UTC (T0 is the 24th, 10:00 in Paris)."""
    return datetime(2026, 11, day, hour, tzinfo=PARIS).astimezone(UTC)


def slot_at(day: int, hour: int) -> Slot:
    return Slot(paris(day, hour), paris(day, hour + 1))


def half_past(day: int, hour: int) -> Slot:
    return Slot(
        paris(day, hour) + timedelta(minutes=30), paris(day, hour + 1) + timedelta(minutes=30)
    )


def add_order(
    store: Store,
    customer: int,
    number: str = "PO-1",
    *,
    status: OrderStatus = OrderStatus.PLACED,
    slot: Slot | None = None,
    items=ITEMS,
) -> Order:
    """Insert an order the way tests/app/conftest.py does, with a chosen status and slot."""
    slot = slot or slot_at(24, 12)
    with store.transaction() as c:
        oid = c.execute(
            "INSERT INTO orders(number, customer_id, status, placed_at, delivery_slot_start, "
            "delivery_slot_end, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                customer,
                status.value,
                int((T0 - timedelta(hours=1)).timestamp()),
                int(slot.start.timestamp()),
                int(slot.end.timestamp()),
                sum(q * p for _, q, p in items),
            ),
        ).lastrowid
        c.executemany(
            "INSERT INTO order_items(order_id, name, quantity, unit_price_cents) "
            "VALUES (?, ?, ?, ?)",
            [(oid, n, q, p) for n, q, p in items],
        )
    order = store.order(int(oid or 0))
    assert order is not None
    return order


def item_id(order: Order, name: str) -> int:
    return next(i.id for i in order.items if i.name == name)


def count(store: Store, sql: str, *args) -> int:
    return int(store.conn.execute(sql, args).fetchone()[0])


@dataclass
class Desk:
    store: Store
    provider: StoreProvider
    customer: Customer
    order: Order
    team: Team


@pytest.fixture
def desk(store: Store, team: Team) -> Desk:
    customer = store.customer(team.customer)
    assert customer is not None
    provider = StoreProvider(store, tz=PARIS, limits=GesturePolicy())
    return Desk(store, provider, customer, add_order(store, team.customer), team)


# -- slots ---------------------------------------------------------------------------------


def test_available_slots_start_now_and_leave_out_the_orders_own_slot(desk: Desk) -> None:
    slots = desk.provider.available_slots(desk.order)

    assert len(slots) == 24
    assert slot_at(24, 12) not in slots  # the order's own
    # 10:00 in Paris: the rest of lunch, every half hour, then dinner.
    assert slots[:5] == [
        slot_at(24, 11),
        half_past(24, 11),
        half_past(24, 12),
        slot_at(24, 13),
        slot_at(24, 18),
    ]
    assert slots == sorted(slots)
    assert all(is_opening_slot(s, PARIS) for s in slots)


def test_available_slots_refused_once_delivered(desk: Desk) -> None:
    delivered = add_order(desk.store, desk.customer.id, "PO-2", status=OrderStatus.DELIVERED)

    with pytest.raises(ActionRefused, match="PO-2 is delivered"):
        desk.provider.available_slots(delivered)


def test_next_slots_skip_closed_hours_and_started_slots() -> None:
    # 13:30 in Paris: the 13:00 slot has started, the next one is at 18:00.
    now = paris(24, 13) + timedelta(minutes=30)
    assert next_slots(now, PARIS, 3) == [slot_at(24, 18), half_past(24, 18), slot_at(24, 19)]
    # 12:10: the next start is half past.
    assert next_slots(paris(24, 12) + timedelta(minutes=10), PARIS, 1) == [half_past(24, 12)]
    # After the last slot of the day, the next is tomorrow's lunch.
    assert next_slots(paris(24, 22), PARIS, 1) == [slot_at(25, 11)]
    assert next_slots(now, PARIS, 0) == []


@pytest.mark.parametrize(
    ("slot", "ok"),
    [
        (slot_at(24, 11), True),
        (slot_at(24, 21), True),
        (slot_at(24, 14), False),  # closed between lunch and dinner
        (slot_at(24, 22), False),  # would end after closing
        (Slot(paris(24, 11), paris(24, 13)), False),  # two hours
        (half_past(24, 18), True),  # the shop offers half-hour starts: "18:30–19:30"
        (half_past(24, 20), True),
        (half_past(24, 21), False),  # would end after closing
        (half_past(24, 13), False),  # 13:30–14:30 too
        (Slot(paris(24, 11) + timedelta(minutes=15), paris(24, 12) + timedelta(minutes=15)), False),
    ],
)
def test_is_opening_slot(slot: Slot, ok: bool) -> None:
    assert is_opening_slot(slot, PARIS) is ok


def test_a_shop_on_the_hour_offers_no_half_hours() -> None:
    hourly = (Service(time(11), time(14)), Service(time(18), time(22)))
    assert start_times(hourly) == [time(h) for h in (11, 12, 13, 18, 19, 20, 21)]
    assert not is_opening_slot(half_past(24, 18), PARIS, hours=hourly)
    assert next_slots(paris(24, 12) + timedelta(minutes=10), PARIS, 1, hours=hourly) == [
        slot_at(24, 13)
    ]


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)))
@settings(max_examples=50, deadline=None)
def test_every_slot_offered_is_a_delivery_slot(moment: datetime) -> None:
    now = moment.replace(tzinfo=UTC)
    slots = next_slots(now, PARIS, 30)
    assert len(slots) == 30
    assert all(s.start >= now and is_opening_slot(s, PARIS) for s in slots)
    assert slots == sorted(set(slots))
    starts = {s.start.astimezone(PARIS).time() for s in slots}
    assert starts <= set(start_times(OPENING_HOURS))


@pytest.mark.parametrize(
    ("typed", "at"),
    [
        ("18:30", time(18, 30)),
        ("18h30", time(18, 30)),
        ("18.30", time(18, 30)),
        (" 18H ", time(18)),
        ("9:05", time(9, 5)),
        ("18", None),  # a date as well as an hour: left to the fuzzy filter
        ("18:3", None),
        ("24:00", None),
        ("18:61", None),
        ("tue 18:30", None),
    ],
)
def test_typed_time(typed: str, at: time | None) -> None:
    assert typed_time(typed) == at


# -- resend --------------------------------------------------------------------------------


def test_resend_creates_a_free_follow_up_order_for_the_chosen_items(desk: Desk) -> None:
    bread = item_id(desk.order, "Pain de campagne")
    tiramisu = item_id(desk.order, "Tiramisu")

    result = desk.provider.resend_items(
        desk.order, [(bread, 2), (tiramisu, 1)], idempotency_key="k-resend"
    )

    assert result.kind == "resend"
    assert result.order_number == "PO-1"
    assert result.new_order_number == "PO-1-R1"
    assert result.items == (("Pain de campagne", 2), ("Tiramisu", 1))
    assert result.slot == slot_at(24, 11)  # the next slot from now
    follow_up = desk.store.order_by_number("PO-1-R1")
    assert follow_up is not None
    assert follow_up.parent_order_id == desk.order.id
    assert follow_up.customer_id == desk.customer.id
    assert follow_up.status is OrderStatus.PLACED
    assert follow_up.total_cents == 0
    assert [(i.name, i.quantity, i.unit_price_cents) for i in follow_up.items] == [
        ("Pain de campagne", 2, 0),
        ("Tiramisu", 1, 0),
    ]
    assert (follow_up.delivery_slot_start, follow_up.delivery_slot_end) == (
        paris(24, 11),
        paris(24, 12),
    )
    # The original order is left as it was, and customer totals ignore the follow-up.
    original = desk.store.order(desk.order.id)
    assert original is not None
    assert original.status is OrderStatus.PLACED
    assert len(original.items) == 3
    assert desk.store.customer_totals(desk.customer.id) == (1, ORDER_TOTAL)


def test_resend_twice_with_two_keys_numbers_the_follow_ups(desk: Desk) -> None:
    tarama = item_id(desk.order, "Tarama")
    first = desk.provider.resend_items(desk.order, [(tarama, 1)], idempotency_key="a")
    second = desk.provider.resend_items(desk.order, [(tarama, 1)], idempotency_key="b")

    assert (first.new_order_number, second.new_order_number) == ("PO-1-R1", "PO-1-R2")


def test_resend_with_the_same_key_twice_creates_one_follow_up(desk: Desk) -> None:
    tarama = item_id(desk.order, "Tarama")
    first = desk.provider.resend_items(desk.order, [(tarama, 1)], idempotency_key="same")
    again = desk.provider.resend_items(desk.order, [(tarama, 1)], idempotency_key="same")

    assert again == first
    assert (
        count(desk.store, "SELECT count(*) FROM orders WHERE parent_order_id = ?", desk.order.id)
        == 1
    )


@pytest.mark.parametrize(
    ("choose", "message"),
    [
        (lambda o: [], "at least one item"),
        (lambda o: [(999_999, 1)], "Item 999999 is not part of order PO-1"),
        (lambda o: [(item_id(o, "Tarama"), 2)], "Tarama: between 1 and 1 .* not 2"),
        (lambda o: [(item_id(o, "Tarama"), 0)], "Tarama: send at least 1, not 0"),
        # The same item twice must not get past the quantity that was ordered.
        (
            lambda o: [(item_id(o, "Pain de campagne"), 2), (item_id(o, "Pain de campagne"), 1)],
            "Pain de campagne: between 1 and 2 .* not 3",
        ),
    ],
)
def test_resend_refuses_what_was_not_ordered(desk: Desk, choose, message: str) -> None:
    with pytest.raises(ActionRefused, match=message):
        desk.provider.resend_items(desk.order, choose(desk.order), idempotency_key="k")

    assert count(desk.store, "SELECT count(*) FROM orders") == 1
    assert ledger.recall(desk.store.conn, "commerce.store", "k") is None


def test_resend_refused_for_a_cancelled_order(desk: Desk) -> None:
    cancelled = add_order(desk.store, desk.customer.id, "PO-2", status=OrderStatus.CANCELLED)

    with pytest.raises(ActionRefused, match="PO-2 was cancelled"):
        desk.provider.resend_items(
            cancelled, [(item_id(cancelled, "Tarama"), 1)], idempotency_key="k"
        )


def test_undo_resend_cancels_the_follow_up_once(desk: Desk) -> None:
    result = desk.provider.resend_items(
        desk.order, [(item_id(desk.order, "Tarama"), 1)], idempotency_key="k"
    )

    desk.provider.undo(result)
    desk.provider.undo(result)  # harmless the second time

    follow_up = desk.store.order_by_number("PO-1-R1")
    assert follow_up is not None
    assert follow_up.status is OrderStatus.CANCELLED
    original = desk.store.order(desk.order.id)
    assert original is not None
    assert original.status is OrderStatus.PLACED


def test_undo_resend_refused_once_the_kitchen_started(desk: Desk) -> None:
    result = desk.provider.resend_items(
        desk.order, [(item_id(desk.order, "Tarama"), 1)], idempotency_key="k"
    )
    with desk.store.transaction() as c:
        c.execute("UPDATE orders SET status = 'preparing' WHERE number = 'PO-1-R1'")

    with pytest.raises(ActionRefused, match="PO-1-R1 is already preparing"):
        desk.provider.undo(result)


# -- slot change ---------------------------------------------------------------------------


def test_change_slot_moves_the_delivery_and_keeps_the_previous_slot(desk: Desk) -> None:
    result = desk.provider.change_slot(desk.order, slot_at(24, 19), idempotency_key="k")

    assert (result.kind, result.slot, result.previous_slot) == (
        "slot",
        slot_at(24, 19),
        slot_at(24, 12),
    )
    moved = desk.store.order(desk.order.id)
    assert moved is not None
    assert (moved.delivery_slot_start, moved.delivery_slot_end) == (paris(24, 19), paris(24, 20))


def test_change_slot_with_the_same_key_twice_applies_the_first_only(desk: Desk) -> None:
    first = desk.provider.change_slot(desk.order, slot_at(24, 19), idempotency_key="k")
    again = desk.provider.change_slot(desk.order, slot_at(24, 20), idempotency_key="k")

    assert again == first
    moved = desk.store.order(desk.order.id)
    assert moved is not None
    assert moved.delivery_slot_start == paris(24, 19)


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        (slot_at(24, 15), "not a delivery slot"),
        (Slot(paris(24, 19), paris(24, 21)), "not a delivery slot"),
        (slot_at(23, 19), "already started"),
    ],
)
def test_change_slot_refuses_a_bad_slot(desk: Desk, slot: Slot, message: str) -> None:
    with pytest.raises(ActionRefused, match=message):
        desk.provider.change_slot(desk.order, slot, idempotency_key="k")

    unchanged = desk.store.order(desk.order.id)
    assert unchanged is not None
    assert unchanged.delivery_slot_start == paris(24, 12)


@pytest.mark.parametrize("status", [OrderStatus.DELIVERED, OrderStatus.OUT_FOR_DELIVERY])
def test_change_slot_refused_once_delivered_or_on_the_road(desk: Desk, status) -> None:
    gone = add_order(desk.store, desk.customer.id, "PO-2", status=status)

    with pytest.raises(ActionRefused, match="can no longer change"):
        desk.provider.change_slot(gone, slot_at(24, 19), idempotency_key="k")


def test_undo_slot_restores_the_previous_one(desk: Desk) -> None:
    result = desk.provider.change_slot(desk.order, slot_at(24, 19), idempotency_key="k")

    desk.provider.undo(result)
    desk.provider.undo(result)  # already undone: nothing happens

    back = desk.store.order(desk.order.id)
    assert back is not None
    assert (back.delivery_slot_start, back.delivery_slot_end) == (paris(24, 12), paris(24, 13))


def test_undo_slot_refused_when_it_moved_again(desk: Desk) -> None:
    first = desk.provider.change_slot(desk.order, slot_at(24, 19), idempotency_key="a")
    desk.provider.change_slot(desk.order, slot_at(24, 20), idempotency_key="b")

    with pytest.raises(ActionRefused, match="changed again"):
        desk.provider.undo(first)
    later = desk.store.order(desk.order.id)
    assert later is not None
    assert later.delivery_slot_start == paris(24, 20)


# -- goodwill ------------------------------------------------------------------------------


def given_now(desk: Desk) -> int:
    return ledger.given_since(desk.store.conn, desk.customer.id, T0 - timedelta(days=90))


def test_goodwill_within_policy_is_recorded(desk: Desk) -> None:
    context = ActionContext(conversation_id=None, agent_id=desk.team.agent, reason="cold pizza")

    result = desk.provider.goodwill(
        desk.customer, desk.order, 750, "credit", idempotency_key="k", context=context
    )

    assert (result.kind, result.amount_cents, result.goodwill_kind, result.currency) == (
        "goodwill",
        750,
        "credit",
        "EUR",
    )
    row = desk.store.conn.execute(
        "SELECT * FROM gestures WHERE id = ?", (result.gesture_id,)
    ).fetchone()
    assert dict(row) | {"id": 0} == {
        "id": 0,
        "customer_id": desk.customer.id,
        "conversation_id": None,
        "order_id": desk.order.id,
        "agent_id": desk.team.agent,
        "amount_cents": 750,
        "kind": "credit",
        "state": "applied",
        "reason": "cold pizza",
        "created_at": int(T0.timestamp()),
    }
    assert desk.store.gestures_since(desk.customer.id, T0 - timedelta(days=90)) == 750


def test_goodwill_over_the_per_gesture_cap_needs_approval(desk: Desk) -> None:
    with pytest.raises(NeedsApproval) as refused:
        desk.provider.goodwill(desk.customer, desk.order, 1200, "credit", idempotency_key="k")

    assert refused.value.reason == "€12.00 is above the €10.00 limit per gesture"
    assert count(desk.store, "SELECT count(*) FROM gestures") == 0
    # Refused, so the key is still free: once a lead lowered it, it goes through.
    result = desk.provider.goodwill(desk.customer, desk.order, 1000, "credit", idempotency_key="k")
    assert result.amount_cents == 1000


def test_goodwill_over_the_customer_window_needs_approval(desk: Desk) -> None:
    for n, amount in enumerate((1000, 1000, 800)):
        desk.provider.goodwill(desk.customer, None, amount, "credit", idempotency_key=f"g{n}")

    with pytest.raises(NeedsApproval) as refused:
        desk.provider.goodwill(desk.customer, None, 500, "credit", idempotency_key="over")

    assert refused.value.reason == (
        "€5.00 would bring this customer's goodwill to €33.00 in 90 days, "
        "above the €30.00 limit per customer"
    )
    assert given_now(desk) == 2800
    # Up to the limit exactly is still fine.
    desk.provider.goodwill(desk.customer, None, 200, "credit", idempotency_key="last")
    assert given_now(desk) == 3000


def test_goodwill_window_slides(desk: Desk, clock: Clock) -> None:
    for n in range(3):
        desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key=f"g{n}")
    with pytest.raises(NeedsApproval):
        desk.provider.goodwill(desk.customer, None, 100, "credit", idempotency_key="x")

    clock.advance(days=90, seconds=1)

    desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key="x")
    assert ledger.given_since(desk.store.conn, desk.customer.id, clock() - timedelta(days=90)) == (
        1000
    )


def test_goodwill_budget_is_per_customer(desk: Desk) -> None:
    other_id = desk.store.add_customer("Paul Durand", language="en")
    other = desk.store.customer(other_id)
    assert other is not None
    for n in range(3):
        desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key=f"g{n}")

    result = desk.provider.goodwill(other, None, 1000, "credit", idempotency_key="other")
    assert result.amount_cents == 1000


def test_refund_above_the_order_total_is_refused_outright(desk: Desk) -> None:
    small = add_order(desk.store, desk.customer.id, "PO-2", items=[("Houmous", 1, 390)])

    with pytest.raises(ActionRefused) as refused:
        desk.provider.goodwill(desk.customer, small, 500, "refund", idempotency_key="k")

    assert not isinstance(refused.value, NeedsApproval)
    assert refused.value.reason == "A refund of €5.00 is more than the order's €3.90 total"


def test_goodwill_on_another_customers_order_is_refused(desk: Desk) -> None:
    other_id = desk.store.add_customer("Paul Durand", language="en")
    theirs = add_order(desk.store, other_id, "PO-9", items=[("Tiramisu", 2, 550)])

    with pytest.raises(ActionRefused, match="PO-9 is not"):
        desk.provider.goodwill(desk.customer, theirs, 500, "refund", idempotency_key="k")

    assert count(desk.store, "SELECT count(*) FROM gestures") == 0


def test_goodwill_with_the_same_key_twice_applies_once(desk: Desk) -> None:
    first = desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key="k")
    for n in range(2):
        desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key=f"g{n}")

    # The budget is now full; a retry of the first gesture still answers its first result.
    again = desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key="k")

    assert again == first
    assert count(desk.store, "SELECT count(*) FROM gestures") == 3
    assert given_now(desk) == 3000


def test_a_key_used_for_one_action_is_refused_for_another(desk: Desk) -> None:
    desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key="k")
    order = add_order(desk.store, desk.customer.id, "PO-3", items=[("Houmous", 1, 390)])

    with pytest.raises(ActionRefused, match="already used for a goodwill"):
        desk.provider.cancel_order(order, idempotency_key="k")

    assert (
        desk.store.conn.execute("SELECT status FROM orders WHERE id = ?", (order.id,)).fetchone()[0]
        != "cancelled"
    )


def test_goodwill_refuses_a_non_positive_amount(desk: Desk) -> None:
    with pytest.raises(ActionRefused, match="above zero"):
        desk.provider.goodwill(desk.customer, None, 0, "credit", idempotency_key="k")


def test_undo_goodwill_reverses_it_and_frees_the_budget(desk: Desk) -> None:
    results = [
        desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key=f"g{n}")
        for n in range(3)
    ]

    desk.provider.undo(results[0])
    desk.provider.undo(results[0])

    assert ledger.gesture_state(desk.store.conn, results[0].gesture_id or 0) == "reversed"
    assert given_now(desk) == 2000
    desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key="again")
    assert given_now(desk) == 3000


@given(
    amounts=st.lists(st.integers(1, 2500), min_size=1, max_size=12),
    per_gesture=st.integers(1, 2000),
    per_customer=st.integers(1, 5000),
)
@settings(max_examples=25, deadline=None)
def test_accepted_gestures_never_exceed_the_caps(
    amounts: list[int], per_gesture: int, per_customer: int
) -> None:
    limits = GesturePolicy(max_per_gesture_cents=per_gesture, max_per_customer_cents=per_customer)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "p.db", clock=Clock())
        try:
            customer = store.customer(store.add_customer("Léa Martin"))
            assert customer is not None
            provider = StoreProvider(store, tz=PARIS, limits=limits)
            accepted = []
            for n, amount in enumerate(amounts):
                before = sum(accepted)
                try:
                    provider.goodwill(customer, None, amount, "credit", idempotency_key=str(n))
                except NeedsApproval:
                    # Refused only when the policy says so.
                    assert amount > remaining(before, limits)
                else:
                    assert amount <= remaining(before, limits)
                    accepted.append(amount)
            given_cents = store.gestures_since(customer.id, T0 - timedelta(days=90))
            assert given_cents == sum(accepted) <= per_customer
            assert all(a <= per_gesture for a in accepted)
        finally:
            store.close()


# -- cancel --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [OrderStatus.PLACED, OrderStatus.PREPARING])
def test_cancel_allowed_before_the_order_leaves(desk: Desk, status: OrderStatus) -> None:
    order = add_order(desk.store, desk.customer.id, "PO-2", status=status)

    result = desk.provider.cancel_order(order, idempotency_key="k")

    assert (result.kind, result.order_number, result.amount_cents, result.undoable) == (
        "cancel",
        "PO-2",
        ORDER_TOTAL,
        False,
    )
    assert result.extra == {"previous_status": status.value}
    cancelled = desk.store.order(order.id)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (OrderStatus.OUT_FOR_DELIVERY, "out for delivery"),
        (OrderStatus.DELIVERED, "delivered"),
        (OrderStatus.CANCELLED, "cancelled"),
        (OrderStatus.REFUNDED, "refunded"),
    ],
)
def test_cancel_refused_once_the_order_left(desk: Desk, status: OrderStatus, said: str) -> None:
    order = add_order(desk.store, desk.customer.id, "PO-2", status=status)

    with pytest.raises(ActionRefused) as refused:
        desk.provider.cancel_order(order, idempotency_key="k")

    assert refused.value.reason == (
        f"Order PO-2 is {said}: only a placed or preparing order can be cancelled"
    )
    unchanged = desk.store.order(order.id)
    assert unchanged is not None
    assert unchanged.status is status


def test_cancel_with_the_same_key_twice_answers_the_first_result(desk: Desk) -> None:
    first = desk.provider.cancel_order(desk.order, idempotency_key="k")
    # The order is cancelled now; a retry must not be refused as "already cancelled".
    again = desk.provider.cancel_order(desk.order, idempotency_key="k")

    assert again == first
    with pytest.raises(ActionRefused, match="is cancelled"):
        desk.provider.cancel_order(desk.order, idempotency_key="other")


def test_a_cancellation_cannot_be_undone(desk: Desk) -> None:
    result = desk.provider.cancel_order(desk.order, idempotency_key="k")

    with pytest.raises(ActionRefused, match="cannot be restored"):
        desk.provider.undo(result)
    still = desk.store.order(desk.order.id)
    assert still is not None
    assert still.status is OrderStatus.CANCELLED


def test_action_result_survives_json() -> None:
    result = ActionResult(
        kind="slot",
        idempotency_key="k",
        provider="store",
        order_number="PO-1",
        slot=slot_at(24, 19),
        previous_slot=slot_at(24, 12),
        items=(("Tarama", 1),),
        extra={"new_order_id": 3},
    )
    assert ActionResult.from_json(result.to_json()) == result


@pytest.mark.parametrize(
    "data",
    [
        {"start": "2026-11-24T19:00:00Z"},
        {"start": "2026-11-24T19:00:00", "end": "2026-11-24T20:00:00"},  # naive
        {"start": "2026-11-24T20:00:00Z", "end": "2026-11-24T19:00:00Z"},  # backwards
        {"start": "tomorrow", "end": "later"},
    ],
)
def test_slot_from_json_refuses_what_is_not_a_slot(data: dict) -> None:
    with pytest.raises(ValueError):
        Slot.from_json(data)


# -- policy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "currency", "language", "text"),
    [
        (1250, "EUR", "en", "€12.50"),
        (1250, "EUR", "fr", "12,50 €"),
        (123456, "EUR", "fr", "1 234,56 €"),
        (123456, "GBP", "en", "£1,234.56"),
        (5, "USD", "en", "$0.05"),
        (1000, "CHF", "en", "CHF 10.00"),
        (1000, "chf", "fr", "10,00 CHF"),
        (-300, "EUR", "en", "-€3.00"),
    ],
)
def test_format_money(cents: int, currency: str, language: str, text: str) -> None:
    assert format_money(cents, currency, language=language) == text


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("5", 500),
        ("5.5", 550),
        ("5,50", 550),
        ("0.05", 5),
        ("€5", 500),
        ("5 €", 500),
        ("5 EUR", 500),
        ("  7.50 eur ", 750),
        ("1 000,50", 100050),
        ("1\u202f000", 100000),
        ("1,234.50", 123450),
        ("1.234,50", 123450),
        ("€1,000.00", 100000),
    ],
)
def test_parse_amount_reads_what_agents_type(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Nothing is not an amount"),
        ("five", "five is not an amount"),
        ("-5", "is not an amount"),
        ("5.555", "is not an amount"),
        ("5 50", "is not an amount"),
        ("1,234", "is not an amount"),  # a thousand and more, or one and a bit?
        ("1.234", "is not an amount"),
        ("1,234,50", "is not an amount"),
        ("1,234 567.00", "is not an amount"),
        ("0", "above zero"),
        ("0,00", "above zero"),
        ("10001", "too large"),
    ],
)
def test_parse_amount_refuses_the_rest(text: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(text)


def test_parse_amount_accepts_the_largest_gesture() -> None:
    assert parse_amount("10 000,00") == MAX_AMOUNT_CENTS


LIMITS = GesturePolicy(max_per_gesture_cents=1000, max_per_customer_cents=3000, window_days=90)


@pytest.mark.parametrize(
    ("amount", "given_cents", "allowed", "approvable"),
    [
        (1000, 0, True, False),  # the per-gesture limit itself is fine
        (1001, 0, False, True),
        (1000, 2000, True, False),  # reaching the customer limit exactly is fine
        (1000, 2001, False, True),
        (0, 0, False, False),
        (-5, 0, False, False),
    ],
)
def test_check_gesture_boundaries(
    amount: int, given_cents: int, allowed: bool, approvable: bool
) -> None:
    verdict = check_gesture(amount, given_cents=given_cents, limits=LIMITS)

    assert (verdict.allowed, verdict.approvable) == (allowed, approvable)
    assert bool(verdict.reason) is not allowed


def test_check_gesture_refund_against_the_order_total() -> None:
    over = check_gesture(800, given_cents=0, limits=LIMITS, kind="refund", order_total_cents=700)
    at = check_gesture(700, given_cents=0, limits=LIMITS, kind="refund", order_total_cents=700)
    credit = check_gesture(800, given_cents=0, limits=LIMITS, kind="credit", order_total_cents=700)

    assert (over.allowed, over.approvable) == (False, False)
    assert over.reason == "A refund of €8.00 is more than the order's €7.00 total"
    assert at.allowed and credit.allowed


def test_remaining() -> None:
    assert remaining(0, LIMITS) == 1000
    assert remaining(2500, LIMITS) == 500
    assert remaining(3500, LIMITS) == 0


@given(
    amount=st.integers(-100, 20_000),
    given_cents=st.integers(0, 20_000),
    per_gesture=st.integers(1, 10_000),
    per_customer=st.integers(1, 20_000),
)
def test_policy_allows_exactly_what_remains(
    amount: int, given_cents: int, per_gesture: int, per_customer: int
) -> None:
    limits = GesturePolicy(max_per_gesture_cents=per_gesture, max_per_customer_cents=per_customer)
    verdict = check_gesture(amount, given_cents=given_cents, limits=limits)

    assert verdict.allowed == (0 < amount <= remaining(given_cents, limits))
    if verdict.allowed:
        assert amount <= per_gesture
        assert given_cents + amount <= per_customer
    else:
        assert verdict.reason and "\n" not in verdict.reason
        assert verdict.approvable == (amount > 0)


@given(cents=st.integers(1, MAX_AMOUNT_CENTS))
def test_french_money_reads_back(cents: int) -> None:
    assert parse_amount(format_money(cents, language="fr")) == cents


@given(cents=st.integers(1, 99_999))
def test_english_money_below_a_thousand_reads_back(cents: int) -> None:
    assert parse_amount(format_money(cents)) == cents


# -- sentences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "language"), [("fr", "fr"), ("fr-BE", "fr"), ("FR", "fr"), ("en", "en"), (None, "en")]
)
def test_language_of(code: str | None, language: str) -> None:
    assert language_of(code) == language


def test_clock_time_is_local() -> None:
    assert clock_time(paris(24, 13), PARIS, "en") == "13:00"
    assert clock_time(paris(24, 13), PARIS, "fr") == "13h00"


@pytest.mark.parametrize(
    ("moment", "en", "fr"),
    [
        (paris(24, 21), "", ""),
        # 23:30 UTC on the 24th is already the 25th in Paris.
        (datetime(2026, 11, 24, 23, 30, tzinfo=UTC), "tomorrow", "demain"),
        (paris(26, 12), "on Thursday", "jeudi"),
        (paris(30, 12), "on Monday", "lundi"),
        (datetime(2026, 12, 1, 12, tzinfo=PARIS), "on 1 December", "le 1 décembre"),
    ],
)
def test_day_phrase(moment: datetime, en: str, fr: str) -> None:
    assert day_phrase(moment, T0, PARIS, "en") == en
    assert day_phrase(moment, T0, PARIS, "fr") == fr


def test_item_list_joins_and_counts() -> None:
    items = [("Tarama", 1), ("Pain", 2), ("Tiramisu", 1), ("Rien", 0)]
    assert item_list(items, "en") == "Tarama, 2 × Pain and Tiramisu"
    assert item_list(items, "fr") == "Tarama, 2 × Pain et Tiramisu"
    assert item_list([("Pain", 1)], "en") == "Pain"
    assert item_list([], "en") == ""


def test_item_names_from_customers_are_made_inert() -> None:
    text = item_list([("\x1b[2J\x1b]0;pwned\x07Pain\nde campagne", 1)], "en")

    assert "\x1b" not in text and "\x07" not in text and "\n" not in text
    assert "Pain de campagne" in text


def test_resend_sentence_english() -> None:
    one = resend_sentence([("bread", 1)], slot_at(24, 12), language="en", tz=PARIS, now=T0)
    many = resend_sentence(
        [("Tarama", 1), ("Pain", 2)], slot_at(25, 12), language="en", tz=PARIS, now=T0
    )
    no_slot = resend_sentence([("bread", 2)], None, language="en", tz=PARIS, now=T0)

    assert one == "We have sent your bread again, it will arrive before 13:00."
    assert many == (
        "We have sent your items (Tarama and 2 × Pain) again, they will arrive tomorrow "
        "before 13:00."
    )
    assert no_slot == "We have sent your items (2 × bread) again."


def test_resend_sentence_french() -> None:
    one = resend_sentence([("pain", 1)], slot_at(24, 12), language="fr", tz=PARIS, now=T0)
    many = resend_sentence(
        [("Tarama", 1), ("Pain", 2)], slot_at(26, 19), language="fr", tz=PARIS, now=T0
    )

    assert one == "Nous vous renvoyons votre pain, livraison prévue avant 13h00."
    assert many == (
        "Nous vous renvoyons vos articles (Tarama et 2 × Pain), livraison prévue jeudi avant 20h00."
    )


def test_slot_sentence() -> None:
    today, tomorrow = slot_at(24, 19), slot_at(25, 19)

    assert slot_sentence(today, language="en", tz=PARIS, now=T0) == (
        "Your delivery is now planned for today between 19:00 and 20:00."
    )
    assert slot_sentence(tomorrow, language="en", tz=PARIS, now=T0) == (
        "Your delivery is now planned tomorrow between 19:00 and 20:00."
    )
    assert slot_sentence(today, language="fr", tz=PARIS, now=T0) == (
        "Votre livraison est maintenant prévue aujourd'hui entre 19h00 et 20h00."
    )
    assert slot_sentence(tomorrow, language="fr", tz=PARIS, now=T0) == (
        "Votre livraison est maintenant prévue demain entre 19h00 et 20h00."
    )


def test_goodwill_cancel_and_approval_sentences() -> None:
    assert goodwill_sentence(500, "EUR", "credit", language="en") == (
        "We have added €5.00 to your account as a goodwill gesture."
    )
    assert goodwill_sentence(1250, "EUR", "refund", language="fr") == (
        "Nous vous avons remboursé 12,50 € ; le remboursement apparaîtra sur votre compte "
        "sous 3 à 5 jours."
    )
    assert "refunded €12.50" in goodwill_sentence(1250, "EUR", "refund", language="en")
    assert cancel_sentence("PO-1", language="fr") == "Nous avons annulé votre commande PO-1."
    assert cancel_sentence("PO-1\n\x1b[31m", language="en") == "We have cancelled your order PO-1."
    assert "15,00 €" in approval_sentence(1500, "EUR", language="fr")
    assert "approve a gesture of €15.00" in approval_sentence(1500, "EUR", language="en")
