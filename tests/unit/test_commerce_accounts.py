"""The customer's account and an order's delivery as the StoreProvider reads and changes
them: subscription pause and resume, the address before the kitchen starts, and undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deskterm.backend.commerce import store_accounts
from deskterm.backend.commerce.base import ActionRefused, ActionResult
from deskterm.backend.commerce.facts import AccountFacts, Delivery, PromoUse
from deskterm.backend.commerce.sentences import (
    address_sentence,
    pause_sentence,
    resume_sentence,
)
from deskterm.domain.models import OrderStatus
from tests.conftest import T0, Clock
from tests.unit.test_commerce import PARIS, Desk, add_order, desk, paris, slot_at

__all__ = ["desk"]  # the fixture, shared with test_commerce

HOME = "12 rue Oberkampf, 75011 Paris"
ACCOUNT = {
    # Thursdays at 19:00 in Paris; T0 is Tuesday 24 November 2026, 10:00 in Paris.
    "subscription": {
        "state": "active",
        "plan": "Popote Weekly, 4 meals",
        "weekday": 3,
        "hour": 19,
    },
    "address": HOME,
    "promo_codes": [
        {"code": "AMI10", "used_at": "2026-10-02T18:00:00+00:00", "result": "applied"},
        {"code": "HIVER15", "used_at": "2026-11-20T12:00:00+00:00", "result": "expired"},
    ],
    "app": {"version": "4.13.0", "platform": "iPhone 13", "seen_at": "2026-11-23T19:30:00+00:00"},
}


def give_account(desk: Desk, record: dict | None = None) -> None:
    with desk.store.transaction() as c:
        store_accounts.write_account(c, desk.customer.id, record or ACCOUNT)


def stored_state(desk: Desk) -> str:
    with desk.store.transaction() as c:
        record = store_accounts.account_record(c, desk.customer.id)
    assert record is not None
    return record["subscription"]["state"]


# -- reading -------------------------------------------------------------------------------


def test_a_customer_without_an_account_is_unknown(desk: Desk) -> None:
    assert desk.provider.account(desk.customer).known is False


def test_account_facts_with_the_next_box_worked_out_for_now(desk: Desk, clock: Clock) -> None:
    give_account(desk)

    facts = desk.provider.account(desk.customer)

    assert facts.known and facts.address == HOME
    assert (facts.subscription.state, facts.subscription.plan) == (
        "active",
        "Popote Weekly, 4 meals",
    )
    assert facts.subscription.next_delivery == paris(26, 19)  # Thursday
    assert [p.code for p in facts.promos] == ["HIVER15", "AMI10"]  # newest first
    assert facts.app is not None and facts.app.version == "4.13.0"
    clock.now = paris(26, 19) + timedelta(minutes=1)  # that box has left: the next one
    assert desk.provider.account(desk.customer).subscription.next_delivery == paris(26, 19) + (
        timedelta(days=7)
    )


def test_a_damaged_account_record_reads_as_none(desk: Desk) -> None:
    with desk.store.transaction() as c:
        c.execute(
            "INSERT INTO sync_state(connector, key, value) VALUES (?, ?, ?)",
            (store_accounts.ACCOUNTS, str(desk.customer.id), "{not json"),
        )

    assert desk.provider.account(desk.customer).known is False


@pytest.mark.parametrize(
    ("status", "courier", "eta"),
    [
        (OrderStatus.PLACED, "waiting", True),
        (OrderStatus.PREPARING, "preparing", True),
        (OrderStatus.OUT_FOR_DELIVERY, "out_for_delivery", True),
        (OrderStatus.DELIVERED, "delivered", False),
        (OrderStatus.CANCELLED, "cancelled", False),
        (OrderStatus.REFUNDED, "cancelled", False),
    ],
)
def test_delivery_follows_the_order(
    desk: Desk, status: OrderStatus, courier: str, eta: bool
) -> None:
    give_account(desk)
    order = add_order(desk.store, desk.customer.id, "PO-2", status=status, slot=slot_at(24, 12))

    delivery = desk.provider.delivery(order)

    assert (delivery.order_number, delivery.status, delivery.address) == ("PO-2", courier, HOME)
    if eta:
        assert delivery.eta is not None
        assert paris(24, 12) < delivery.eta < paris(24, 13)  # within its slot
    else:
        assert delivery.eta is None


def test_an_order_out_past_its_eta_is_said_to_be_minutes_away(desk: Desk, clock: Clock) -> None:
    order = add_order(
        desk.store, desk.customer.id, "PO-2", status=OrderStatus.OUT_FOR_DELIVERY,
        slot=slot_at(24, 12),
    )  # fmt: skip
    with desk.store.transaction() as c:
        store_accounts.write_delivery(c, order.id, {"courier": "Karim"})
    clock.now = paris(24, 14)

    delivery = desk.provider.delivery(order)

    assert delivery.eta == paris(24, 14) + timedelta(minutes=store_accounts.LATE_MINUTES)
    assert delivery.courier == "Karim"


# -- pause and resume ----------------------------------------------------------------------


def test_pause_then_undo(desk: Desk) -> None:
    give_account(desk)

    result = desk.provider.pause_subscription(desk.customer, idempotency_key="p")

    assert result.kind == "pause" and stored_state(desk) == "paused"
    assert result.extra["next_delivery"] == paris(26, 19).isoformat()  # the box skipped
    paused = desk.provider.account(desk.customer).subscription
    assert (paused.state, paused.next_delivery) == ("paused", None)
    desk.provider.undo(result)
    assert stored_state(desk) == "active"
    desk.provider.undo(result)  # twice: nothing more
    assert stored_state(desk) == "active"


def test_resume_says_the_next_box_then_undo_pauses_again(desk: Desk) -> None:
    give_account(desk, {**ACCOUNT, "subscription": {**ACCOUNT["subscription"], "state": "paused"}})

    result = desk.provider.resume_subscription(desk.customer, idempotency_key="r")

    assert stored_state(desk) == "active"
    assert result.extra["next_delivery"] == paris(26, 19).isoformat()
    desk.provider.undo(result)
    assert stored_state(desk) == "paused"


def test_pause_with_the_same_key_twice_applies_once(desk: Desk) -> None:
    give_account(desk)
    first = desk.provider.pause_subscription(desk.customer, idempotency_key="p")

    assert desk.provider.pause_subscription(desk.customer, idempotency_key="p") == first
    with pytest.raises(ActionRefused, match="already paused"):
        desk.provider.pause_subscription(desk.customer, idempotency_key="other")


@pytest.mark.parametrize(
    ("record", "act", "said"),
    [
        (None, "pause", " has no subscription"),
        ({"address": HOME, "subscription": {"state": "none"}}, "resume", " has no subscription"),
        (ACCOUNT, "resume", "'s subscription is already active"),
    ],
)
def test_pause_and_resume_refused_in_one_line(desk: Desk, record, act: str, said: str) -> None:
    if record is not None:
        give_account(desk, record)
    call = getattr(desk.provider, f"{act}_subscription")

    with pytest.raises(ActionRefused) as refused:
        call(desk.customer, idempotency_key="k")

    assert refused.value.reason == desk.customer.name + said


# -- the address ---------------------------------------------------------------------------


def test_address_change_before_the_kitchen_starts_then_undo(desk: Desk) -> None:
    give_account(desk)

    result = desk.provider.change_address(
        desk.order, "  3 rue Lepic,\n 75018 Paris", idempotency_key="a"
    )

    assert result.extra["address"] == "3 rue Lepic, 75018 Paris"
    assert result.extra["previous_address"] == HOME
    assert desk.provider.delivery(desk.order).address == "3 rue Lepic, 75018 Paris"
    # The account's own address does not move: only this order goes elsewhere.
    assert desk.provider.account(desk.customer).address == HOME
    desk.provider.undo(result)
    assert desk.provider.delivery(desk.order).address == HOME
    desk.provider.undo(result)  # twice: harmless
    assert desk.provider.delivery(desk.order).address == HOME


def test_two_changes_undone_one_at_a_time(desk: Desk) -> None:
    give_account(desk)
    first = desk.provider.change_address(desk.order, "3 rue Lepic", idempotency_key="a")
    second = desk.provider.change_address(desk.order, "8 rue des Martyrs", idempotency_key="b")

    with pytest.raises(ActionRefused, match="changed again since"):
        desk.provider.undo(first)
    desk.provider.undo(second)
    assert desk.provider.delivery(desk.order).address == "3 rue Lepic"
    desk.provider.undo(first)
    assert desk.provider.delivery(desk.order).address == HOME


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (OrderStatus.PREPARING, "preparing"),
        (OrderStatus.OUT_FOR_DELIVERY, "out for delivery"),
        (OrderStatus.DELIVERED, "delivered"),
    ],
)
def test_address_refused_once_the_kitchen_started(desk: Desk, status: OrderStatus, said) -> None:
    give_account(desk)
    order = add_order(desk.store, desk.customer.id, "PO-2", status=status)

    with pytest.raises(ActionRefused) as refused:
        desk.provider.change_address(order, "3 rue Lepic", idempotency_key="a")

    assert refused.value.reason == (
        f"Order PO-2 is {said}: its delivery address can only change before the kitchen starts"
    )
    assert desk.provider.delivery(order).address == HOME


def test_undo_of_an_address_refused_once_the_kitchen_started(desk: Desk) -> None:
    give_account(desk)
    result = desk.provider.change_address(desk.order, "3 rue Lepic", idempotency_key="a")
    with desk.store.transaction() as c:
        c.execute("UPDATE orders SET status = 'preparing' WHERE id = ?", (desk.order.id,))

    with pytest.raises(ActionRefused, match="before the kitchen starts"):
        desk.provider.undo(result)
    assert desk.provider.delivery(desk.order).address == "3 rue Lepic"


@pytest.mark.parametrize(("typed", "said"), [(" \n ", "Type the new"), ("x" * 161, "fits in")])
def test_a_bad_address_is_refused(desk: Desk, typed: str, said: str) -> None:
    with pytest.raises(ActionRefused, match=said):
        desk.provider.change_address(desk.order, typed, idempotency_key="a")


def test_results_survive_json(desk: Desk) -> None:
    give_account(desk)
    result = desk.provider.pause_subscription(desk.customer, idempotency_key="p")

    assert ActionResult.from_json(result.to_json()) == result


# -- facts and sentences -------------------------------------------------------------------


def test_account_json_round_trip() -> None:
    facts = AccountFacts.from_json({**ACCOUNT, "subscription": {"state": "paused", "plan": "x"}})

    assert AccountFacts.from_json(facts.to_json()) == facts
    assert facts.promos[0] == PromoUse("HIVER15", datetime(2026, 11, 20, 12, tzinfo=UTC), "expired")


def test_delivery_json_round_trip() -> None:
    delivery = Delivery("PO-1", "out_for_delivery", T0, "3 rue Lepic", "Karim")

    assert Delivery.from_json(delivery.to_json(), order_number="PO-1") == delivery


def test_sentences() -> None:
    now = T0
    assert pause_sentence(language="en") == (
        "We have paused your subscription: no more deliveries until you resume it."
    )
    assert resume_sentence(paris(26, 19), language="en", tz=PARIS, now=now) == (
        "We have resumed your subscription: your next delivery is on Thursday at 19:00."
    )
    assert resume_sentence(paris(25, 12), language="fr", tz=PARIS, now=now) == (
        "Nous avons repris votre abonnement : votre prochaine livraison est prévue demain à 12h00."
    )
    assert resume_sentence(None, language="en", tz=PARIS, now=now) == (
        "We have resumed your subscription."
    )
    # The address is the agent's typing, maybe pasted from the customer: inert, one line.
    assert address_sentence("PO-1", "3 rue Lepic\x1b[31m\n75018", language="en") == (
        "We have changed the delivery address of your order PO-1 to 3 rue Lepic 75018."
    )


def test_the_eta_stays_within_a_half_hour_slot(desk: Desk) -> None:
    half = add_order(desk.store, desk.customer.id, "PO-3", status=OrderStatus.PLACED,
                     slot=slot_at(24, 12))  # fmt: skip
    with desk.store.transaction() as c:
        c.execute(
            "UPDATE orders SET delivery_slot_end = delivery_slot_start + 1800 WHERE id = ?",
            (half.id,),
        )

    eta = desk.provider.delivery(half).eta

    assert eta is not None and paris(24, 12) < eta < paris(24, 12) + timedelta(minutes=30)
