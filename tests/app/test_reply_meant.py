"""What is sent is what the agent meant: macros' actions merged and shown, inserted text
placed as paragraphs, undo taking back its sentence, and undo keeping a sent reply counted."""

from __future__ import annotations

from deskterm.domain.models import Status
from deskterm.screens.confirm import ConfirmScreen
from tests.app.conftest import SIZE, settle
from tests.app.test_order_actions import _open_bread_customer_pane, _resend_one_bread
from tests.app.test_workstation import _export, desk

RESENT = "Nous vous renvoyons votre Pain de campagne"


def _hint(app) -> str:
    return str(desk(app).composer.query_one("#composer-hint").render())


async def _insert(pilot, title_words: str, *, replace: bool = False) -> None:
    await pilot.press("escape", "m")
    await pilot.pause()
    await pilot.press(*title_words, "ctrl+r" if replace else "enter")
    await settle(pilot)


def _sentence(text: str) -> str:
    return next(p for p in text.split("\n\n") if p.startswith(RESENT))


def _two_status_macros(store) -> None:
    """Two macros that each set a status: "wait for" (pending), then "close it" (done)."""
    store.add_macro(
        "Wait for them",
        "We will wait for your answer.",
        actions=[{"field": "status", "value": "pending"}],
    )
    store.add_macro(
        "Close it", "All sorted, closing this.", actions=[{"field": "status", "value": "done"}]
    )


async def test_two_macros_setting_statuses_merge_and_the_last_wins(make_app, desk_store):
    store, ids = desk_store
    _two_status_macros(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "wait for")
        await pilot.press("r")
        await _insert(pilot, "close it")
        composer = desk(app).composer
        assert "We will wait for your answer." in composer.text
        assert "All sorted, closing this." in composer.text
        assert "On send: Status → done (replaces pending)" in _hint(app)
        await pilot.press("ctrl+s")
        await settle(pilot, 5)
        assert app.is_running and app.return_code is None
        conv = store.conversation(ids["bread"])
        assert conv.status is Status.DONE
        assert "All sorted" in store.messages(ids["bread"])[-1].body


async def test_an_order_sentence_is_its_own_paragraph_before_the_signature(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "missing")
        composer = desk(app).composer
        assert composer.text.endswith("\nCamille")
        await _open_bread_customer_pane(pilot, ids)
        await _resend_one_bread(pilot)
        paragraphs = composer.text.split("\n\n")
        assert paragraphs[0].startswith("Bonjour Léa, désolés !")
        assert paragraphs[1].startswith(RESENT)
        assert paragraphs[-1] == "Camille"
        assert "Camille " + RESENT not in composer.text


async def test_a_macro_inserted_mid_word_goes_after_the_paragraph(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Bonjour Léa, merci pour votre patience.")
        await pilot.press(*["left"] * 12)  # inside "patience"
        await pilot.press("escape")
        await _insert(pilot, "photo")
        text = desk(app).composer.text
        assert text == (
            "Bonjour Léa, merci pour votre patience.\n\n"
            "Could you send us a photo of the damaged packaging, Léa?"
        )


async def test_undoing_an_order_action_takes_its_unedited_sentence_out(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "missing")
        composer = desk(app).composer
        before = composer.text
        await _open_bread_customer_pane(pilot, ids)
        await _resend_one_bread(pilot)
        assert RESENT in composer.text
        await pilot.press("u")
        await settle(pilot)
        assert composer.text == before
        assert not isinstance(app.screen, ConfirmScreen)


async def _resend_then_edit(pilot, ids) -> tuple[str, str]:
    app = pilot.app
    await settle(pilot)
    await pilot.press("r", *"Bonjour Léa,")
    await _open_bread_customer_pane(pilot, ids)
    await _resend_one_bread(pilot)
    composer = desk(app).composer
    sentence = _sentence(composer.text)
    edited = sentence.replace("Nous vous renvoyons", "Je vous renvoie")
    start = composer.text.index(sentence)
    doc = composer.area.document
    composer.area.replace(
        edited,
        doc.get_location_from_index(start),
        doc.get_location_from_index(start + len(sentence)),
    )
    await settle(pilot)
    await pilot.press("u")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    assert "You edited it" in _export(app)
    return sentence, edited


async def test_undo_asks_before_removing_an_edited_sentence_and_removes_it(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _, edited = await _resend_then_edit(pilot, ids)
        await pilot.press("y")
        await settle(pilot)
        assert desk(app).composer.text == "Bonjour Léa,"
        assert edited not in desk(app).composer.text


async def test_undo_asks_before_removing_an_edited_sentence_and_keeps_it(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _, edited = await _resend_then_edit(pilot, ids)
        await pilot.press("n")
        await settle(pilot)
        assert desk(app).composer.text == f"Bonjour Léa,\n\n{edited}"


async def test_replacing_the_draft_with_a_macro_replaces_its_actions(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "missing")
        assert "Status → done" in _hint(app)
        await pilot.press("r")
        await _insert(pilot, "photo", replace=True)
        composer = desk(app).composer
        assert composer.text.startswith("Could you send us a photo")
        hint = _hint(app)
        assert "Snooze until reply" in hint and "Status" not in hint and "resent" not in hint
        await pilot.press("ctrl+s")
        await settle(pilot, 5)
        conv = store.conversation(ids["bread"])
        assert conv.status is not Status.DONE and "resent" not in conv.tags
        assert conv.snoozed_until is not None
        assert store.macro(ids["macro_missing"]).usage_count == 0


async def test_rewriting_the_whole_draft_drops_the_macro_actions(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "missing")
        await pilot.press("r", "f7", *"Je vous rappelle dans une heure.")
        await settle(pilot)
        composer = desk(app).composer
        assert composer.text == "Je vous rappelle dans une heure."
        hint = _hint(app)
        assert "On send" not in hint
        assert "Not applied (its text is gone): Missing item — resend" in hint
        # ctrl+z brings the text back, and the actions with it.
        for _ in range(20):
            if "Bonjour Léa" in composer.text:
                break
            await pilot.press("ctrl+z")
            await settle(pilot, 1)
        assert "On send: Tags + missing-item, resent · Status → done" in _hint(app)
        await pilot.press("f7", "backspace", *"Je vous rappelle.", "ctrl+s")
        await settle(pilot, 5)
        conv = store.conversation(ids["bread"])
        assert store.messages(ids["bread"])[-1].body == "Je vous rappelle."
        assert conv.status is Status.PENDING and "resent" not in conv.tags


async def test_undoing_send_and_done_keeps_the_first_response(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert store.conversation(ids["bread"]).first_response_at is None
        await pilot.press("r", *"On vous renvoie le pain.", "ctrl+o")
        await settle(pilot, 5)
        sent = store.conversation(ids["bread"])
        assert sent.status is Status.DONE and sent.first_response_at is not None
        await pilot.press("escape", "u")
        await settle(pilot)
        back = store.conversation(ids["bread"])
        assert back.status is not Status.DONE
        assert back.first_response_at == sent.first_response_at


async def test_a_rewritten_macro_signed_as_before_drops_its_actions(make_app, desk_store):
    store, ids = desk_store
    store.add_macro(
        "Bread resent",
        "Désolés pour le pain, nous vous le renvoyons ce soir.\n\nBon appétit,\n"
        "{{ agent.first_name }}",
        actions=[{"field": "add_tags", "value": ["resent"]}],
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "bread resent")
        composer = desk(app).composer
        assert "On send: Tags + resent" in _hint(app)
        signature = composer.text.rindex("\n\nBon appétit,")
        # The agent rewrites everything but the sign-off macros end with.
        end = composer.area.document.get_location_from_index(signature)
        composer.area.replace("Je vous appelle dans dix minutes.", (0, 0), end)
        await settle(pilot)
        assert composer.text == "Je vous appelle dans dix minutes.\n\nBon appétit,\nCamille"
        assert "Not applied (its text is gone): Bread resent" in _hint(app)
        assert composer.macro_actions == []
        await pilot.press("ctrl+s")
        await settle(pilot, 5)
        assert "resent" not in store.conversation(ids["bread"]).tags


async def test_undo_send_puts_back_the_macros_and_their_on_send_line(make_app, desk_store):
    store, ids = desk_store
    _two_status_macros(store)
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "wait for")
        await pilot.press("r")
        await _insert(pilot, "close it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape", "u")
        await settle(pilot)
        composer = desk(app).composer
        assert "All sorted, closing this." in composer.text
        assert "On send: Status → done (replaces pending)" in _hint(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.action_quit()
    assert store.conversation(ids["bread"]).status is Status.DONE


async def test_a_macro_action_that_cannot_apply_is_shown_and_the_rest_is_sent(make_app, desk_store):
    store, ids = desk_store
    store.add_macro(
        "Odd one",
        "Nous regardons cela de près.",
        actions=[{"field": "status", "value": "sideways"}, {"field": "add_tags", "value": "odd"}],
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _insert(pilot, "odd one")
        hint = _hint(app)
        assert "On send: Tags + odd" in hint and "Ignored: action 1: status must be" in hint
        await pilot.press("ctrl+s")
        await settle(pilot, 5)
        assert app.is_running
        assert "odd" in store.conversation(ids["bread"]).tags
