"""Refunds of paid items: the price of what is picked, capped by what the order paid and was
not refunded yet, never counted against the goodwill policy, undone exactly once."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.backend.commerce import ledger
from deskterm.backend.commerce.base import ActionRefused
from deskterm.backend.commerce.catalogue import spec_for
from deskterm.backend.commerce.jobs import OrderJob, items_job, run_job, undo_job
from deskterm.backend.commerce.policy import check_gesture, check_refund, refund_cents
from deskterm.backend.commerce.sentences import refund_sentence
from deskterm.backend.commerce.store_provider import StoreProvider
from deskterm.backend.store import Store
from deskterm.config import GesturePolicy, RefundPolicy
from deskterm.domain.models import OrderStatus
from tests.conftest import T0, Clock, customer_writes
from tests.unit.test_commerce import ORDER_TOTAL, PARIS, Desk, add_order, item_id

BREAD, TARAMA, TIRAMISU = "Pain de campagne", "Tarama", "Tiramisu"


@pytest.fixture
def desk(store, team) -> Desk:
    customer = store.customer(team.customer)
    assert customer is not None
    provider = StoreProvider(store, tz=PARIS, limits=GesturePolicy())
    return Desk(store, provider, customer, add_order(store, team.customer), team)


def refund(desk: Desk, key: str, *picked: tuple[str, int]):
    items = [(item_id(desk.order, name), q) for name, q in picked]
    return desk.provider.refund_items(desk.order, items, idempotency_key=key)


def left(desk: Desk) -> int:
    return ledger.paid_left(desk.store.conn, desk.order.id, desk.order.total_cents)


def test_a_refund_pays_back_the_items_price(desk: Desk) -> None:
    result = refund(desk, "k", (BREAD, 2), (TARAMA, 1))

    assert (result.kind, result.amount_cents, result.currency) == ("refund", 2 * 280 + 450, "EUR")
    assert result.items == ((BREAD, 2), (TARAMA, 1))
    assert result.undoable
    done, cents = ledger.refunded(desk.store.conn, desk.order.id)
    assert done == {item_id(desk.order, BREAD): 2, item_id(desk.order, TARAMA): 1}
    assert cents == 1010
    assert left(desk) == ORDER_TOTAL - 1010


def test_a_refund_is_not_goodwill(desk: Desk) -> None:
    refund(desk, "k", (TIRAMISU, 1))

    assert desk.store.gestures_since(desk.customer.id, T0 - timedelta(days=90)) == 0
    assert desk.store.conn.execute("SELECT count(*) FROM gestures").fetchone()[0] == 0
    # The whole goodwill budget is still there after it.
    desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key="g")


def test_what_was_refunded_cannot_be_refunded_again(desk: Desk) -> None:
    refund(desk, "a", (BREAD, 1))
    refund(desk, "b", (BREAD, 1))  # the second of two

    with pytest.raises(ActionRefused, match="Pain de campagne was refunded already"):
        refund(desk, "c", (BREAD, 1))
    refund(desk, "d", (TARAMA, 1))
    with pytest.raises(ActionRefused, match="Tarama was refunded already"):
        refund(desk, "e", (TARAMA, 1))


def test_more_than_was_ordered_is_refused(desk: Desk) -> None:
    with pytest.raises(ActionRefused, match="2 of 2 left to refund, not 3"):
        refund(desk, "k", (BREAD, 3))
    with pytest.raises(ActionRefused, match="2 of 2 left to refund, not 3"):
        refund(desk, "k", (BREAD, 2), (BREAD, 1))  # the same item twice counts once
    with pytest.raises(ActionRefused, match="not part of order"):
        desk.provider.refund_items(desk.order, [(999, 1)], idempotency_key="k")
    with pytest.raises(ActionRefused, match="at least one item"):
        desk.provider.refund_items(desk.order, [], idempotency_key="k")
    assert left(desk) == ORDER_TOTAL


def test_the_same_key_twice_refunds_once(desk: Desk) -> None:
    first = refund(desk, "k", (BREAD, 1))
    again = refund(desk, "k", (BREAD, 1))

    assert again == first
    assert ledger.refunded(desk.store.conn, desk.order.id)[1] == 280


def test_goodwill_refunds_on_the_order_lower_what_is_left(desk: Desk) -> None:
    desk.provider.goodwill(desk.customer, desk.order, 900, "refund", idempotency_key="g")
    desk.provider.goodwill(desk.customer, desk.order, 500, "credit", idempotency_key="c")

    assert left(desk) == ORDER_TOTAL - 900  # a credit is not money back on the order
    result = refund(desk, "k", (TIRAMISU, 1), (TARAMA, 1), (BREAD, 1))  # 1280 asked
    assert result.amount_cents == ORDER_TOTAL - 900  # 660: capped by what was paid
    with pytest.raises(ActionRefused, match="refunded already"):
        refund(desk, "k2", (BREAD, 1))


def test_a_cancelled_order_is_not_refunded(desk: Desk, store: Store, team) -> None:
    cancelled = add_order(store, team.customer, "PO-2", status=OrderStatus.CANCELLED)
    with pytest.raises(ActionRefused, match="was cancelled"):
        desk.provider.refund_items(cancelled, [(cancelled.items[0].id, 1)], idempotency_key="k")


def test_free_items_have_nothing_to_refund(desk: Desk, store: Store, team) -> None:
    free = add_order(store, team.customer, "PO-2-R1", items=[("Pain de campagne", 1, 0)])
    with pytest.raises(ActionRefused, match="was free: nothing to refund"):
        desk.provider.refund_items(free, [(free.items[0].id, 1)], idempotency_key="k")


def test_undo_gives_the_refund_back_once(desk: Desk) -> None:
    result = refund(desk, "k", (BREAD, 2))
    desk.provider.undo(result)
    desk.provider.undo(result)  # twice: nothing more

    assert ledger.refunded(desk.store.conn, desk.order.id) == ({}, 0)
    assert left(desk) == ORDER_TOTAL
    refund(desk, "k2", (BREAD, 2))  # the bread can be refunded again


# -- through the catalogue, as the workstation runs it -----------------------------------


def job(desk: Desk, *picked: tuple[str, int]) -> OrderJob:
    cid = customer_writes(desk.store, desk.customer.id, "Le tiramisu était immangeable")
    chosen = [(next(i for i in desk.order.items if i.name == n), q) for n, q in picked]
    return items_job(spec_for("refund"), cid, desk.customer, desk.order, chosen)


def agent(desk: Desk):
    found = desk.store.agent(desk.team.agent)
    assert found is not None
    return found


def test_the_job_summary_says_what_is_paid_back(desk: Desk) -> None:
    j = job(desk, (TIRAMISU, 1), (BREAD, 2))
    assert j.summary == "Refund from order PO-1: Tiramisu, 2 × Pain de campagne (€11.10)"
    assert j.items == ((item_id(desk.order, TIRAMISU), 1), (item_id(desk.order, BREAD), 2))


def test_a_customer_over_the_goodwill_budget_is_still_refunded(desk: Desk) -> None:
    for n in range(3):  # the whole €30 of goodwill given
        desk.provider.goodwill(desk.customer, None, 1000, "credit", idempotency_key=f"g{n}")
    j = job(desk, (TIRAMISU, 1))

    result = run_job(
        desk.store, desk.provider, j, agent=agent(desk), limits=GesturePolicy(),
        refunds=RefundPolicy(),
    )  # fmt: skip

    assert result.amount_cents == 550
    notes = [m.body for m in desk.store.messages(j.conversation_id) if not m.public]
    assert notes[-1] == f"Order action: {j.summary}."
    assert "order.refund" in [e.kind for e in desk.store.events(j.conversation_id)]


def test_the_refund_policy_caps_one_refund(desk: Desk) -> None:
    j = job(desk, (TIRAMISU, 1), (TARAMA, 1))  # €10.00
    policy = RefundPolicy(max_per_refund_cents=900)

    with pytest.raises(ActionRefused, match=r"above the €9\.00 limit per refund: a lead"):
        run_job(
            desk.store, desk.provider, j, agent=agent(desk), limits=GesturePolicy(),
            refunds=policy,
        )  # fmt: skip
    assert left(desk) == ORDER_TOTAL
    ok = job(desk, (TIRAMISU, 1))
    run_job(
        desk.store, desk.provider, ok, agent=agent(desk), limits=GesturePolicy(), refunds=policy
    )


def test_undo_job_reverses_the_refund(desk: Desk) -> None:
    j = job(desk, (TIRAMISU, 1))
    result = run_job(desk.store, desk.provider, j, agent=agent(desk), limits=GesturePolicy())
    undo_job(
        desk.store, desk.provider, result, conversation_id=j.conversation_id,
        description=j.summary, agent=agent(desk),
    )  # fmt: skip

    assert left(desk) == ORDER_TOTAL
    kinds = [e.kind for e in desk.store.events(j.conversation_id)]
    assert {"order.refund", "order.refund.undo"} <= set(kinds)


# -- pure pieces ---------------------------------------------------------------------------


def test_refund_cents_is_the_price_capped_by_what_is_left() -> None:
    assert refund_cents([(280, 2), (450, 1)], paid_left_cents=5000) == 1010
    assert refund_cents([(280, 2), (450, 1)], paid_left_cents=600) == 600
    assert refund_cents([], paid_left_cents=600) == 0
    assert refund_cents([(280, 1)], paid_left_cents=-5) == 0


def test_check_refund() -> None:
    assert check_refund(1, limits=None, currency="EUR").allowed
    assert check_refund(5000, limits=RefundPolicy(), currency="EUR").allowed  # 0: no cap
    assert check_refund(900, limits=RefundPolicy(max_per_refund_cents=900), currency="EUR").allowed
    over = check_refund(901, limits=RefundPolicy(max_per_refund_cents=900), currency="EUR")
    assert not over.allowed and not over.approvable
    assert not check_refund(0, limits=None, currency="EUR").allowed


def test_refund_sentences() -> None:
    assert refund_sentence([("Pad thaï", 1)], 1250, "EUR", language="en") == (
        "We have refunded €12.50 for your Pad thaï; it will reach your account within 3 to 5 days."
    )
    assert refund_sentence([("Pad thaï", 1), ("Nems", 2)], 1850, "EUR", language="fr") == (
        "Nous vous avons remboursé 18,50 € pour vos articles (Pad thaï et 2 × Nems) ; le "
        "remboursement apparaîtra sur votre compte sous 3 à 5 jours."
    )
    hostile = refund_sentence([("\x1b[2Jpain\nau lait", 1)], 100, "EUR", language="en")
    assert "\x1b" not in hostile and "\n" not in hostile


@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from([BREAD, TARAMA, TIRAMISU]), st.integers(-1, 3)),
                 max_size=3),
        max_size=6,
    ),
    st.lists(st.integers(0, 2000), max_size=2),
)  # fmt: skip
@settings(max_examples=25, deadline=None)
def test_refunds_never_pay_back_more_than_was_paid(requests, goodwill_refunds) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "p.db", clock=Clock())
        try:
            customer = store.customer(store.add_customer("Léa Martin"))
            assert customer is not None
            order = add_order(store, customer.id)
            provider = StoreProvider(store, tz=PARIS)
            given_back = 0
            for n, cents in enumerate(goodwill_refunds):
                if cents:
                    provider.goodwill(customer, order, min(cents, 2000), "refund",
                                      idempotency_key=f"g{n}")  # fmt: skip
                    given_back += min(cents, 2000)
            paid: list[int] = []
            for n, picked in enumerate(requests):
                items = [(item_id(order, name), q) for name, q in picked]
                try:
                    paid.append(
                        provider.refund_items(order, items, idempotency_key=str(n)).amount_cents
                    )
                except ActionRefused:
                    pass
            done, cents = ledger.refunded(store.conn, order.id)
            ordered = {i.id: i.quantity for i in order.items}
            assert all(done[i] <= ordered[i] for i in done)
            assert cents == sum(paid)
            assert sum(paid) <= max(0, ORDER_TOTAL - given_back)
            assert all(p > 0 for p in paid)
        finally:
            store.close()


def test_a_macro_names_the_refund_by_kind() -> None:
    from deskterm.backend.commerce.macro_orders import check_order_action
    from deskterm.domain.macros.claims import unkept_claims

    action = {"do": "refund", "items": "{{ order.named_items }}"}
    assert check_order_action(action) is None
    assert (
        check_order_action({"do": "refund", "amount": "5"}) == "order action refund takes no amount"
    )
    assert unkept_claims(["I've refunded the dish you didn't get."], [action]) is None
    assert unkept_claims(["I've refunded the dish."], [{"do": "resend"}]) is not None


def test_a_goodwill_refund_counts_what_the_items_refunds_paid_back(desk: Desk) -> None:
    refund(desk, "k", (TIRAMISU, 1), (TARAMA, 1), (BREAD, 1))  # €12.80 of €15.60
    provider = StoreProvider(desk.store, tz=PARIS, limits=GesturePolicy())

    with pytest.raises(ActionRefused, match=r"more than the €2\.80 left of the order's €15\.60"):
        provider.goodwill(desk.customer, desk.order, 500, "refund", idempotency_key="g")
    provider.goodwill(desk.customer, desk.order, 280, "refund", idempotency_key="g2")
    verdict = check_gesture(
        500, given_cents=0, limits=GesturePolicy(), kind="refund", order_total_cents=1560
    )
    assert verdict.allowed  # no item refunded: the whole total, as before
