"""Macros that do what they say: their order actions run with the reply, confirmed once,
within the goodwill policy, and undone with the same ``u`` as the customer pane's; titles
in the customer's language; a macro saved from a French reply stays with French speakers."""

from __future__ import annotations

from deskterm.domain.models import OrderStatus, Status
from deskterm.screens.checklist import ChecklistScreen
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.macro_picker import MacroPickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from tests.app.conftest import SIZE, settle
from tests.app.test_order_actions import (
    _gestures,
    _notes,
    _open_bread_customer_pane,
    _resend_one_bread,
    _warnings,
)
from tests.app.test_reply_meant import _hint
from tests.app.test_workstation import _export, desk, shown_id


def _add_macro(store, title: str, body: str, *orders: dict, **kw) -> int:
    actions = [{"field": "status", "value": "done"}, {"field": "order", "value": list(orders)}]
    return store.add_macro(title, body, actions=actions, **kw)


def _follow_ups(store, order_id: int) -> list[tuple]:
    return [
        tuple(r)
        for r in store.conn.execute(
            "SELECT number, status FROM orders WHERE parent_order_id = ? ORDER BY id", (order_id,)
        )
    ]


async def _insert(pilot, words: str) -> None:
    await settle(pilot)
    await pilot.press("m")
    await pilot.pause()
    assert isinstance(pilot.app.screen, MacroPickerScreen)
    await pilot.press(*words, "enter")
    await settle(pilot)


async def test_a_macro_resends_the_item_named_once_and_undo_takes_it_back(make_app, desk_store):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz resend what is missing",
        "Sorry {{ customer.first_name }}, we're sending it again with your next delivery.",
        {"do": "resend", "items": "{{ order.named_items }}"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz resend")
        screen = desk(app)
        assert shown_id(app) == ids["bread"]
        assert "On send: Status → done · Order: resend (items from" in _export(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Léa wrote that the bread is missing; she ordered two: how many, one offered.
        assert isinstance(app.screen, TextPromptScreen)
        assert app.screen.question == "How many Pain de campagne to send again? (1–2)"
        assert app.screen.value == "1"
        await pilot.press("enter")
        await settle(pilot)
        # One confirmation says what will run.
        assert isinstance(app.screen, ConfirmScreen)
        assert "Pain de campagne" in app.screen.detail and "PO-88213" in app.screen.detail
        await pilot.press("y")
        await settle(pilot, 5)
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "placed")]  # once
        follow_up = store.order_by_number("PO-88213-R1")
        assert [(i.name, i.quantity) for i in follow_up.items] == [("Pain de campagne", 1)]
        assert store.messages(ids["bread"])[-1].body.startswith("Sorry Léa")
        assert any(n.startswith("Order action: Send again") for n in _notes(store, ids["bread"]))
        assert store.conversation(ids["bread"]).status is Status.DONE
        assert screen.composer.text == ""
        await pilot.press("escape", "u")  # the reply went: u takes back what it did
        await settle(pilot, 5)
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "cancelled")]
        assert store.conversation(ids["bread"]).status is not Status.DONE
        assert "Order action undone" in _notes(store, ids["bread"])[-1]


async def test_undo_send_takes_back_the_reply_and_its_resend(make_app, desk_store):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz resend what is missing",
        "Sorry {{ customer.first_name }}, we're sending it again with your next delivery.",
        {"do": "resend", "items": "all"},
    )
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz resend")
        messages = len(store.messages(ids["bread"]))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "placed")]
        await pilot.press("u")  # still held: the words come back, the resend is taken back
        await settle(pilot, 5)
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "cancelled")]
        assert len([m for m in store.messages(ids["bread"]) if m.public]) == len(
            [m for m in store.messages(ids["bread"])[:messages] if m.public]
        )
        assert desk(app).composer.text.startswith("Sorry Léa")
        # Sent again, it runs again, once more (a new follow-up, not the cancelled one).
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert _follow_ups(store, ids["order"])[-1] == ("PO-88213-R2", "placed")


async def test_an_over_policy_credit_goes_to_a_lead_and_the_reply_waits_for_yes(
    make_app, desk_store
):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz big voucher",
        "Léa, I've added a €25 voucher to your account.",
        {"do": "goodwill", "as": "credit", "amount": "25"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz big")
        before = len(store.messages(ids["bread"]))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "a lead is asked to approve it" in app.screen.detail
        assert "€25.00 is above the €10.00 limit per gesture" in app.screen.detail
        await pilot.press("n")  # no: nothing is given, nothing is sent
        await settle(pilot)
        assert _gestures(store) == []
        assert len(store.messages(ids["bread"])) == before
        assert desk(app).composer.text.startswith("Léa, I've added")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, 5)
        assert _gestures(store) == [(ids["lea"], 2500, "credit", "approval_requested")]
        assert store.messages(ids["bread"])[-1].body.startswith("Léa, I've added")
        assert any("Approval requested" in n for n in _notes(store, ids["bread"]))


async def test_a_refund_above_the_orders_total_is_refused_in_one_line(make_app, desk_store):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz huge refund",
        "I've refunded order {{ order.number }}.",
        {"do": "goodwill", "as": "refund", "amount": "500"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz huge")
        before = len(store.messages(ids["bread"]))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any(w.startswith("Not sent: A refund of €500.00 is more") for w in _warnings(app))
        assert len(store.messages(ids["bread"])) == before and _gestures(store) == []
        assert desk(app).composer.text.startswith("I've refunded order PO-88213.")


async def test_a_macro_asks_which_item_with_the_panes_picker(make_app, desk_store):
    store, _ = desk_store
    _add_macro(store, "Zz resend, ask", "We're resending it.", {"do": "resend"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz resend")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)  # the customer pane's question
        await pilot.press(*"tarama", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, 5)
        follow_up = store.order_by_number("PO-88213-R1")
        assert [(i.name, i.quantity) for i in follow_up.items] == [("Tarama", 1)]


async def test_a_cancel_and_refund_is_all_or_nothing(make_app, desk_store):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz cancel",
        "Your order {{ order.number }} is cancelled, and here is a €5 voucher.",
        {"do": "goodwill", "as": "credit", "amount": "5"},
        {"do": "cancel"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz cancel")
        before = len(store.messages(ids["bread"]))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, 5)
        # The order was delivered: it cannot be cancelled, so the credit is taken back.
        assert store.order(ids["order"]).status is OrderStatus.DELIVERED
        assert _gestures(store) == [(ids["lea"], 500, "credit", "reversed")]
        assert any(w.startswith("Not sent: Order PO-88213 is delivered") for w in _warnings(app))
        assert len([m for m in store.messages(ids["bread"]) if m.public]) == len(
            [m for m in store.messages(ids["bread"])[:before] if m.public]
        )
        assert desk(app).composer.text.startswith("Your order PO-88213 is cancelled")


async def test_the_picker_shows_titles_in_the_customers_language_and_flags_claims(
    make_app, desk_store
):
    store, _ = desk_store
    store.add_macro(
        "Zz missing item",
        "Sorry!",
        variants={"fr": "Désolés !"},
        titles={"fr": "Zz article manquant"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m", *"zz")
        await pilot.pause()
        text = _export(app)
        assert "Zz article manquant" in text and "Zz missing item" not in text  # Léa: fr
        await pilot.press("escape")
        await pilot.press("m", *"refund issued")
        await pilot.pause()
        # "We refunded…" and nothing refunds: marked in the list and the preview.
        assert "⚠ claims refund, carries none" in _export(app)


async def test_a_macro_saved_from_a_french_reply_stays_with_french_speakers(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Merci pour votre patience, tout est en ordre.", "ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press("ctrl+u", *"Zz merci patience", "enter")
        await settle(pilot)
        [saved] = [m for m in store.macros(ids["camille"]) if m.title == "Zz merci patience"]
        assert saved.language == "fr"
        screen = desk(app)
        assert saved.id in [m.id for m in screen.macros.offered("fr-FR")]
        assert saved.id not in [m.id for m in screen.macros.offered("en")]
        store.upsert_macro_by_title(
            saved.title,
            saved.body,
            variants={"en": "Thanks for your patience, all is well."},
            owner_agent_id=saved.owner_agent_id,
            language="fr",
        )
        app.load_macros()
        assert saved.id in [m.id for m in screen.macros.offered("en")]  # translated now


async def test_a_reply_that_does_not_go_takes_its_order_actions_back(make_app, desk_store):
    from deskterm.domain.models import AuthorKind

    store, ids = desk_store
    _add_macro(
        store,
        "Zz resend what is missing",
        "Sorry {{ customer.first_name }}, we're sending it again with your next delivery.",
        {"do": "resend", "items": "all"},
    )
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz resend")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "placed")]
        # Léa writes again while the reply waits out its undo delay: it is not sent.
        store.add_message(ids["bread"], author_kind=AuthorKind.CUSTOMER, body="Allô ?")
        desk(app).replies.flush()
        await settle(pilot, 5)
        assert not any(m.body.startswith("Sorry Léa") for m in store.messages(ids["bread"]))
        draft = store.draft(ids["bread"], app.agent.id)
        assert draft is not None and draft.body.startswith("Sorry Léa")
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "cancelled")]


async def test_a_macro_whose_text_was_deleted_stays_dropped_after_a_hand_resend(
    make_app, desk_store
):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz resend the bread",
        "Nous vous renvoyons votre Pain de campagne avec la prochaine commande.",
        {"do": "resend", "items": "all"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz resend the")
        composer = desk(app).composer
        assert "On send: Status → done · Order: resend" in _hint(app)
        await pilot.press("r", "f7", "backspace")  # the agent clears the draft
        await settle(pilot)
        assert composer.text == ""
        assert "Not applied (its text is gone): Zz resend the bread" in _hint(app)
        # One bread resent by hand: its sentence says what the macro said.
        await _open_bread_customer_pane(pilot, ids)
        await _resend_one_bread(pilot)
        assert composer.text.startswith("Nous vous renvoyons votre Pain de campagne")
        hint = _hint(app)
        assert "On send" not in hint and "Not applied (its text is gone)" in hint
        assert composer.macro_actions == []
        await pilot.press("r", "ctrl+end", *" Bonne soirée.", "ctrl+o")
        await settle(pilot, 5)
        assert not isinstance(app.screen, ConfirmScreen)  # nothing more to confirm
        assert _follow_ups(store, ids["order"]) == [("PO-88213-R1", "placed")]  # once, by hand
        assert store.messages(ids["bread"])[-1].body.endswith("Bonne soirée.")


async def test_typing_a_macros_words_again_does_not_bring_its_actions_back(make_app, desk_store):
    store, ids = desk_store
    store.add_macro(
        "Zz invoice sent",
        "Je viens de vous envoyer la facture par e-mail.",
        actions=[{"field": "add_tags", "value": ["invoice"]}, {"field": "status", "value": "done"}],
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz invoice")
        composer = desk(app).composer
        assert "On send: Tags + invoice · Status → done" in _hint(app)
        await pilot.press("r", "f7", "backspace", *"Je viens de vous appeler, à demain.")
        await settle(pilot)
        assert composer.text == "Je viens de vous appeler, à demain."
        hint = _hint(app)
        assert "On send" not in hint
        assert "Not applied (its text is gone): Zz invoice sent" in hint
        await pilot.press("ctrl+s")
        await settle(pilot, 5)
        conv = store.conversation(ids["bread"])
        assert "invoice" not in conv.tags and conv.status is not Status.DONE


def _set_order_status(store, order_id: int, status: str) -> None:
    with store.transaction() as c:
        c.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))


def _add_cancel_and_refund(store) -> None:
    _add_macro(
        store,
        "Zz cancel and refund",
        "Your order {{ order.number }} is cancelled and fully refunded.",
        {"do": "goodwill", "as": "refund", "amount": "{{ order.total }}"},
        {"do": "cancel"},
    )


async def test_a_cancel_and_refund_on_an_order_cancelled_since_does_neither(make_app, desk_store):
    store, ids = desk_store
    _add_cancel_and_refund(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz cancel and")
        # Cancelled meanwhile (by the customer, a colleague): the send reads it as it is now.
        _set_order_status(store, ids["order"], "cancelled")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        detail = app.screen.detail
        assert "PO-88213 is already cancelled: not cancelled again" in detail
        assert "PO-88213 is already cancelled, which refunded it: not refunded again" in detail
        assert "a lead is asked" not in detail and "Refund" not in detail
        await pilot.press("y")
        await settle(pilot, 5)
        assert _gestures(store) == []
        assert store.messages(ids["bread"])[-1].body.startswith("Your order PO-88213 is cancelled")


async def test_a_cancel_and_refund_refunds_by_the_cancel_alone(make_app, desk_store):
    store, ids = desk_store
    _add_cancel_and_refund(store)
    _set_order_status(store, ids["order"], "placed")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz cancel and")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        detail = app.screen.detail
        assert "• Cancel order PO-88213" in detail
        assert "PO-88213: cancelling it refunds it, no second refund" in detail
        assert "a lead is asked" not in detail
        await pilot.press("y")
        await settle(pilot, 5)
        assert store.order(ids["order"]).status is OrderStatus.CANCELLED
        assert _gestures(store) == []  # no second refund beside the cancellation


async def test_a_refund_of_an_order_refunded_in_full_is_left_out(make_app, desk_store):
    store, ids = desk_store
    _add_macro(
        store,
        "Zz refund it all",
        "I've refunded order {{ order.number }}.",
        {"do": "goodwill", "as": "refund", "amount": "{{ order.total }}"},
    )
    _set_order_status(store, ids["order"], "refunded")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz refund it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "PO-88213 is already refunded in full: not refunded again" in app.screen.detail
        await pilot.press("n")
        await settle(pilot)
        assert _gestures(store) == []


async def test_a_macro_refunding_a_named_item_asks_how_many(make_app, desk_store):
    from deskterm.backend.commerce import ledger

    store, ids = desk_store
    _add_macro(
        store,
        "Zz refund the dish",
        "I've refunded the dish.",
        {"do": "refund", "items": "{{ order.named_items }}"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz refund the")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The customer pane's question: two breads were ordered, one is offered.
        assert isinstance(app.screen, TextPromptScreen)
        assert app.screen.question == "How many Pain de campagne to refund? (1–2)"
        assert app.screen.value == "1"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "PO-88213: Pain de campagne (€2.80)" in app.screen.detail  # one of two
        await pilot.press("y")
        await settle(pilot, 5)
        assert list(ledger.refunded(store.conn, ids["order"])[0].values()) == [1]
