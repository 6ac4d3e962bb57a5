"""Order actions from the customer pane, driven by keys on the demo-like store: resend the
bread, move the slot, goodwill within and over the policy, a refused cancel, and undo."""

from __future__ import annotations

from deskterm.backend.commerce.store_provider import StoreProvider
from deskterm.domain.models import OrderStatus
from deskterm.screens.checklist import ChecklistScreen
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.picker import PickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.customer_panel import CustomerPanel
from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import _export, desk, shown_id


async def _open_bread_customer_pane(pilot, ids) -> None:
    await settle(pilot)
    assert shown_id(pilot.app) == ids["bread"]
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen.focused, CustomerPanel)
    assert desk(pilot.app).bundle.order.number == "PO-88213"


def _notes(store, cid) -> list[str]:
    return [m.body for m in store.messages(cid, limit=100) if not m.public]


def _warnings(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "warning"]


def _gestures(store) -> list[tuple]:
    return [
        tuple(r)
        for r in store.conn.execute(
            "SELECT customer_id, amount_cents, kind, state FROM gestures ORDER BY id"
        )
    ]


def _set_status(store, number: str, status: OrderStatus) -> None:
    with store.transaction() as c:
        c.execute("UPDATE orders SET status = ? WHERE number = ?", (status.value, number))


async def _resend_one_bread(pilot) -> None:
    await pilot.press("d")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ChecklistScreen)
    await pilot.press(*"pain", "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TextPromptScreen)  # two were ordered: how many?
    await pilot.press("backspace", "1", "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await pilot.press("y")
    await settle(pilot)


async def test_resend_the_bread(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        notes_before = len(_notes(store, ids["bread"]))
        await _resend_one_bread(pilot)
        follow_up = store.order_by_number("PO-88213-R1")
        assert follow_up is not None and follow_up.status is OrderStatus.PLACED
        assert follow_up.parent_order_id == ids["order"]
        assert [(i.name, i.quantity) for i in follow_up.items] == [("Pain de campagne", 1)]
        notes = _notes(store, ids["bread"])
        assert len(notes) == notes_before + 1
        assert "Pain de campagne" in notes[-1] and "PO-88213" in notes[-1]
        events = [e.kind for e in store.events(ids["bread"])]
        assert "order.resend" in events
        screen = desk(app)
        # Léa speaks French: the sentence is in French, waiting in the reply.
        assert "Nous vous renvoyons votre Pain de campagne" in screen.composer.text
        assert screen.bundle.order.number == "PO-88213"  # still the order she wrote about
        # Paging to the follow-up says what it is: not one more order she placed.
        for _ in range(len(screen.bundle.orders)):
            if screen.bundle.order.number == "PO-88213-R1":
                break
            await pilot.press("right_square_bracket")
            await pilot.pause()
        assert screen.bundle.order.number == "PO-88213-R1"
        assert "items sent again for PO-88213" in _export(app)


async def test_undo_a_resend(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await _resend_one_bread(pilot)
        assert store.order_by_number("PO-88213-R1").status is OrderStatus.PLACED
        await pilot.press("u")
        await settle(pilot)
        assert store.order_by_number("PO-88213-R1").status is OrderStatus.CANCELLED
        assert store.order(ids["order"]).status is OrderStatus.DELIVERED
        assert "Order action undone" in _notes(store, ids["bread"])[-1]
        await pilot.press("u")  # nothing order-related left: no error, nothing changes
        await settle(pilot)
        assert store.order_by_number("PO-88213-R1").status is OrderStatus.CANCELLED


async def test_change_the_delivery_slot(make_app, desk_store):
    store, ids = desk_store
    _set_status(store, "PO-88213", OrderStatus.PREPARING)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        order = store.order(ids["order"])
        expected = StoreProvider(store, tz=app.shop_tz).available_slots(order)[1]
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("down", "enter")  # the second slot offered
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        moved = store.order(ids["order"])
        assert (moved.delivery_slot_start, moved.delivery_slot_end) == (
            expected.start,
            expected.end,
        )
        assert "Votre livraison est maintenant prévue" in desk(app).composer.text
        assert "order.slot" in [e.kind for e in store.events(ids["bread"])]


async def test_slot_of_a_delivered_order_is_refused(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        before = store.order(ids["order"])
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, PickerScreen)
        assert any("can no longer change" in w for w in _warnings(app))
        assert store.order(ids["order"]).delivery_slot_start == before.delivery_slot_start


async def test_gesture_within_the_policy_is_recorded(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"4,50", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")  # credit, the first choice
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert _gestures(store) == [(ids["lea"], 450, "credit", "applied")]
        assert "Credit €4.50" in _notes(store, ids["bread"])[-1]
        assert "Nous avons ajouté 4,50 €" in desk(app).composer.text
        assert desk(app).bundle.goodwill_cents == 450  # the pane shows it after the reload


async def test_gesture_over_the_policy_is_refused_with_the_reason(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        notes_before = _notes(store, ids["bread"])
        await pilot.press("g", *"12", "enter")
        await pilot.pause()
        await pilot.press("enter", "y")
        await settle(pilot)
        assert _gestures(store) == []
        assert any("above the €10.00 limit per gesture" in w for w in _warnings(app))
        assert _notes(store, ids["bread"]) == notes_before
        await pilot.press("n")  # no request to a lead either
        await settle(pilot)
        assert _gestures(store) == []
        assert desk(app).composer.text == ""


async def test_cancel_is_refused_for_a_delivered_order(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        notes_before = _notes(store, ids["bread"])
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert store.order(ids["order"]).status is OrderStatus.DELIVERED
        assert any("only a placed or preparing order" in w for w in _warnings(app))
        assert _notes(store, ids["bread"]) == notes_before


async def test_cancel_a_placed_order(make_app, desk_store):
    store, ids = desk_store
    _set_status(store, "PO-88213", OrderStatus.PLACED)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("c", "y")
        await settle(pilot)
        assert store.order(ids["order"]).status is OrderStatus.CANCELLED
        assert "Nous avons annulé votre commande PO-88213." in desk(app).composer.text


async def test_a_gesture_over_the_policy_can_be_sent_to_a_lead(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("g", *"12", "enter")
        await pilot.pause()
        await pilot.press("enter", "y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # "Ask a lead to approve …?"
        await pilot.press("y")
        await settle(pilot)
        rows = store.conn.execute("SELECT amount_cents, state FROM gestures").fetchall()
        assert [tuple(r) for r in rows] == [(1200, "approval_requested")]
        assert any(n.startswith("Approval requested:") for n in _notes(store, ids["bread"]))
        # Waiting for a lead is not goodwill given: the customer's budget is untouched.
        await pilot.press("g", *"5", "enter")
        await pilot.pause()
        await pilot.press("enter", "y")
        await settle(pilot)
        states = store.conn.execute("SELECT state FROM gestures ORDER BY id").fetchall()
        assert [r[0] for r in states] == ["approval_requested", "applied"]
