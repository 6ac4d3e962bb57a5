"""Macros from the keyboard: pick with preview, insert, fill a gap, send with actions, undo."""

from __future__ import annotations

from deskterm.domain.models import Status
from deskterm.screens.macro_picker import MacroPickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import _export, desk


async def test_pick_preview_insert_and_send_with_actions(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MacroPickerScreen)
        await pilot.press(*"missing")
        await pilot.pause()
        text = _export(app)
        # The preview is rendered for Léa, in French, with her order's items.
        assert "Bonjour Léa" in text and "PO-88213" in text
        assert "On send:" in text
        await pilot.press("enter")
        await settle(pilot)
        composer = desk(app).composer
        assert composer.text.startswith("Bonjour Léa, désolés !")
        assert "Tarama, Pain de campagne et Tiramisu" in composer.text
        await pilot.press(*"Bon appétit !", "ctrl+s")
        await settle(pilot, 5)
        conv = store.conversation(ids["bread"])
        assert conv.status is Status.DONE
        assert {"missing-item", "resent"} <= set(conv.tags)
        assert "Bon appétit !" in store.messages(ids["bread"])[-1].body
        assert store.macro(ids["macro_missing"]).usage_count == 1
        # One undo takes back what the macro did with the reply.
        await pilot.press("escape", "u")
        await settle(pilot)
        conv = store.conversation(ids["bread"])
        assert conv.status is not Status.DONE and "resent" not in conv.tags


async def test_a_missing_placeholder_blocks_sending_until_filled(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = len(store.messages(ids["bread"]))
        await pilot.press("m", *"tracking", "enter")
        await settle(pilot)
        composer = desk(app).composer
        assert "⟦order.tracking_url⟧" in composer.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Fill in order.tracking_url" in _export(app)
        assert len(store.messages(ids["bread"])) == before
        composer.area.load_text(
            composer.text.replace("⟦order.tracking_url⟧", "https://t.example/1")
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.messages(ids["bread"])[-1].body.startswith("Your parcel: https://t.example/1")


async def test_quick_insert_with_double_colon_and_tab(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"::photo", "tab")
        await settle(pilot)
        composer = desk(app).composer
        assert composer.text.startswith("Could you send us a photo")
        assert "::photo" not in composer.text
        assert composer.macro_ids == [ids["macro_photo"]]


async def test_suggestions_have_a_key_each(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 5)
        screen = desk(app)
        screen.suggest_for(screen.bundle)
        await pilot.pause()
        # "il manque le pain" finds the French wording of the missing-item macro first; a
        # macro that shares no word with the message is not offered.
        titles = [title for _, title in screen.suggestions]
        assert 1 <= len(titles) <= 3
        assert titles[0] == "Missing item — resend"
        assert "Tracking link" not in titles
        assert "Suggested" in _export(app)
        first_title = titles[0]
        await pilot.press("1")
        await settle(pilot)
        macro = next(m for m in app.macros if m.title == first_title)
        assert screen.composer.macro_ids == [macro.id]


async def test_a_macro_already_used_here_is_not_suggested(make_app, desk_store):
    """A colleague sent the missing-item macro; the customer wrote again: suggesting the same
    text a second time answers nothing."""
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 5)
        screen = desk(app)
        cid = screen.bundle.conversation.id
        resend = next(m for m in app.macros if m.title == "Missing item — resend")
        assert resend.id in [mid for mid, _ in screen.suggestions]
        store.record_macro_use(resend.id, agent_id=ids["paul"], conversation_id=cid)
        screen.load_conversation(cid)
        await settle(pilot)
        assert resend.id in screen.bundle.macros_used
        screen.suggest_for(screen.bundle)
        await pilot.pause()
        assert resend.id not in [mid for mid, _ in screen.suggestions]


async def test_save_reply_as_personal_macro(make_app, desk_store):
    store, _ = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Bonjour Léa, votre commande PO-88213 arrive.", "ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press("ctrl+u", *"Order on its way", "enter")
        await settle(pilot)
        mine = [m for m in store.macros(app.agent.id) if m.title == "Order on its way"]
        assert len(mine) == 1 and mine[0].owner_agent_id == app.agent.id
        assert "{{ customer.first_name }}" in mine[0].body
        assert "{{ order.number }}" in mine[0].body
