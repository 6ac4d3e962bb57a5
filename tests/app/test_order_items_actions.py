"""Order actions on several items at once, driven by keys: resend the tarama and one bread
in one follow-up order, refund an inedible dish (not goodwill), and undo each with ``u``."""

from __future__ import annotations

from deskterm.backend.commerce import ledger
from deskterm.domain.models import OrderStatus
from deskterm.screens.checklist import TICKED, ChecklistScreen
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.text_prompt import TextPromptScreen
from tests.app.conftest import SIZE, burst, settle
from tests.app.test_order_actions import _notes, _open_bread_customer_pane, _warnings
from tests.app.test_workstation import _export, desk


def _shown(app) -> list[str]:
    options = app.screen.query_one("OptionList")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_resend_two_items_in_one_follow_up(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("space", "down", "space")  # the tarama, then the bread
        await pilot.pause()
        assert [line[0] for line in _shown(app)[:3]] == [TICKED, TICKED, "☐"]
        await pilot.press("enter")
        await pilot.pause()
        # Two breads were ordered: how many? (one tarama: not asked)
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press("backspace", "1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        follow_up = store.order_by_number("PO-88213-R1")
        assert follow_up is not None
        assert [(i.name, i.quantity) for i in follow_up.items] == [
            ("Tarama", 1),
            ("Pain de campagne", 1),
        ]
        assert store.order_by_number("PO-88213-R2") is None  # one job, one follow-up
        assert "vos articles (Tarama et Pain de campagne)" in desk(app).composer.text
        await pilot.press("u")  # one undo takes both back
        await settle(pilot)
        assert store.order_by_number("PO-88213-R1").status is OrderStatus.CANCELLED
        assert "Nous vous renvoyons" not in desk(app).composer.text


async def test_ticking_works_while_filtering(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("d", *"tira", "space")
        await pilot.pause()
        assert app.screen.query_one("Input").value == "tira"  # space ticked, typed nothing
        await pilot.press(*["backspace"] * 4, *"tara", "space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        follow_up = store.order_by_number("PO-88213-R1")
        assert [i.name for i in follow_up.items] == ["Tarama", "Tiramisu"]  # the order's order


async def test_ticks_typed_in_one_burst_apply_in_order(make_app, desk_store):
    """space, down, space as a fast typist sends them: the second space ticked the first
    item again (it reached the list before the arrow did)."""
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("d")
        await pilot.pause()
        burst(app, "space", "down", "space", "down", "down", "space")
        await settle(pilot)
        # Tarama, bread, then (past the tiramisu) "All items of the order".
        order = store.order(ids["order"])
        assert app.screen.ticked == {str(order.items[0].id), str(order.items[1].id), "all"}


async def test_a_quantity_out_of_range_stops_with_one_line(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("d", *"pain", "enter")
        await pilot.pause()
        await pilot.press("backspace", "3", "enter")
        await settle(pilot)
        assert "Type a number from 1 to 2." in _warnings(app)
        assert store.order_by_number("PO-88213-R1") is None


async def test_refund_the_inedible_tiramisu(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        assert any("Tiramisu" in line and "€5.50 each" in line for line in _shown(app))
        await pilot.press(*"tiramisu", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        tiramisu = next(i.id for i in store.order(ids["order"]).items if i.name == "Tiramisu")
        assert ledger.refunded(store.conn, ids["order"]) == ({tiramisu: 1}, 550)
        assert store.conn.execute("SELECT count(*) FROM gestures").fetchone()[0] == 0
        assert desk(app).bundle.goodwill_cents == 0  # not goodwill
        note = _notes(store, ids["bread"])[-1]
        assert note == "Order action: Refund from order PO-88213: Tiramisu (€5.50)."
        assert "Nous vous avons remboursé 5,50 € pour votre Tiramisu" in desk(app).composer.text
        assert "Tiramisu  €5.50 · refunded" in _export(app)  # the pane says so
        # Refunded: it is no longer offered.
        await pilot.press("f")
        await settle(pilot)
        assert not any("Tiramisu" in line for line in _shown(app))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("u")
        await settle(pilot)
        assert ledger.refunded(store.conn, ids["order"]) == ({}, 0)
        assert "refunded" not in _export(app)
        assert "remboursé" not in desk(app).composer.text
        assert "Order action undone" in _notes(store, ids["bread"])[-1]


async def test_refund_over_the_refund_policy_is_refused(make_app, desk_store):
    store, ids = desk_store
    app = make_app(refunds={"max_per_refund_cents": 500})
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        notes_before = _notes(store, ids["bread"])
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*"tiramisu", "enter", "y")
        await settle(pilot)
        assert any(
            "above the €5.00 limit per refund: a lead can do it" in w for w in _warnings(app)
        )
        assert ledger.refunded(store.conn, ids["order"]) == ({}, 0)
        assert _notes(store, ids["bread"]) == notes_before
        assert not isinstance(app.screen, ConfirmScreen)  # no lead's approval to ask for


async def test_a_macro_refunds_the_item_named_not_as_goodwill(make_app, desk_store):
    from deskterm.domain.models import Status
    from tests.app.test_macro_order_actions import _add_macro, _insert

    store, ids = desk_store
    _add_macro(
        store,
        "Zz refund what is missing",
        "Sorry {{ customer.first_name }}, I've refunded it.",
        {"do": "refund", "items": "{{ order.named_items }}"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz refund")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Two were ordered: the agent says how many (1 offered), here both.
        assert isinstance(app.screen, TextPromptScreen) and app.screen.value == "1"
        await pilot.press("backspace", "2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Refund from order PO-88213: 2 × Pain de campagne (€5.60)" in app.screen.detail
        await pilot.press("y")
        await settle(pilot, 5)
        bread = next(i.id for i in store.order(ids["order"]).items if i.name == "Pain de campagne")
        assert ledger.refunded(store.conn, ids["order"]) == ({bread: 2}, 560)
        assert store.conn.execute("SELECT count(*) FROM gestures").fetchone()[0] == 0
        assert store.conversation(ids["bread"]).status is Status.DONE
        await pilot.press("escape", "u")  # the reply went: u takes back its refund
        await settle(pilot, 5)
        assert ledger.refunded(store.conn, ids["order"]) == ({}, 0)
