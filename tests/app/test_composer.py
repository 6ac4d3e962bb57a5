"""What is sent is exactly what was typed: bursts of keys and pastes right before a send,
keys typed right after undo-send, and control characters kept out of outgoing text."""

from __future__ import annotations

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from deskterm.domain.models import Status
from deskterm.screens.workstation import WorkstationScreen
from deskterm.widgets.composer import Composer
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE, burst, settle, until
from tests.app.test_workstation import desk

#: Words, accents, punctuation that the terminal sends under key names (`?`, `/`, `'`).
SAMPLE = "Bonjour Léa, votre commande n°88213 a été livrée ? Oui: 12/05, 19h-20h (€4,50) ! "


def typed(size: int, *, lines: bool = True) -> str:
    text = (SAMPLE * (size // len(SAMPLE) + 1))[:size]
    if lines and size >= 100:
        text = text[: size // 2] + "\n" + text[size // 2 + 1 :]
    return text


def key_events(text: str) -> list[events.Key]:
    """The key events a terminal sends for ``text``: named keys, enter for a newline."""
    return [
        events.Key("enter", "\r") if c == "\n" else events.Key(_character_to_key(c), c)
        for c in text
    ]


def post_all(app, *messages) -> None:
    """Post everything at once, as keys typed while the app is busy arrive."""
    for message in messages:
        app.post_message(message)


MODES = {
    # mode: (key opening the composer, send key, sent as a note, done after)
    "reply": ("r", "ctrl+s", False, False),
    "note": ("n", "ctrl+s", True, False),
    "send-and-done": ("r", "ctrl+o", False, True),
}


# Ten thousand keys once is enough (a reply); pastes of that size cover the other modes.
CASES = [
    pytest.param(size, how, mode, marks=[pytest.mark.slow] if size == 10_000 else [])
    for size in (10, 100, 1_000, 10_000)
    for how in ("keys", "paste")
    for mode in MODES
    if not (how == "keys" and size == 10_000 and mode != "reply")
]


@pytest.mark.parametrize(("size", "how", "mode"), CASES)
async def test_a_send_takes_everything_typed_before_it(make_app, desk_store, mode, how, size):
    store, ids = desk_store
    opener, send, note, done = MODES[mode]
    app = make_app()
    text = typed(size, lines=how == "paste" or size <= 1_000)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(opener)
        await pilot.pause()
        typing = key_events(text) if how == "keys" else [events.Paste(text)]
        post_all(app, *typing, events.Key(send, None))
        await settle(pilot, 5)
        last = store.messages(ids["bread"])[-1]
        assert len(last.body) == len(text)
        assert last.body == text
        assert last.public is not note
        assert (store.conversation(ids["bread"]).status is Status.DONE) is done
        assert store.draft(ids["bread"], app.agent.id) is None


async def test_keys_typed_right_after_undo_send_stay_in_the_composer(make_app, desk_store):
    store, ids = desk_store
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Votre pain arrive", "ctrl+s")
        await settle(pilot)
        assert desk(app).composer.text == ""
        post_all(app, events.Key("u", "u"), *key_events(" demain."))
        await settle(pilot)
        assert desk(app).composer.text == "Votre pain arrive demain."
        assert desk(app).focused is desk(app).composer.area
        assert store.messages(ids["bread"])[-1].body != "Votre pain arrive"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.action_quit()
    assert store.messages(ids["bread"])[-1].body == "Votre pain arrive demain."


async def test_a_reply_held_for_undo_is_its_draft_until_sent_and_after_undo(make_app, desk_store):
    store, ids = desk_store
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        post_all(app, *key_events("Le pain part à 14h."), events.Key("ctrl+s", None))
        await settle(pilot)
        assert desk(app).composer.text == ""  # sent, waiting out the undo delay
        assert store.draft(ids["bread"], app.agent.id).body == "Le pain part à 14h."
        await pilot.press("u")
        await settle(pilot)
        assert desk(app).composer.text == "Le pain part à 14h."
        # What a closed terminal or a kill leaves: the text, as the draft.
        assert store.draft(ids["bread"], app.agent.id).body == "Le pain part à 14h."
        assert store.messages(ids["bread"])[-1].body != "Le pain part à 14h."


async def test_two_agents_sending_in_the_same_undo_delay_send_one_reply(
    make_app, desk_store, clock
):
    """Camille and Paul, each in their own deskterm on one store file, answer Léa within
    the undo delay of each other: Camille's goes, Paul's comes back to him as a draft."""
    from deskterm.app import create_app
    from deskterm.backend.store import Store
    from tests.app.conftest import quiet_settings

    store, ids = desk_store
    other = Store(store.path, clock=clock)
    camille = make_app(undo_send_seconds=0.3)  # hers goes first
    paul = create_app(
        other,
        quiet_settings(undo_send_seconds=1),
        agent_email="paul@popote.example",
        clock=clock,
    )
    try:
        async with camille.run_test(size=SIZE) as pc, paul.run_test(size=SIZE) as pp:
            await settle(pc)
            await settle(pp)
            before = len(store.messages(ids["bread"]))
            await pc.press("r")
            await pp.press("r")
            await settle(pc)
            await settle(pp)
            post_all(
                camille, *key_events("Camille: on renvoie le pain."), events.Key("ctrl+s", None)
            )
            post_all(paul, *key_events("Paul: geste de 5 euros."), events.Key("ctrl+s", None))
            await pc.pause(0.4)
            await settle(pc)
            assert [m.body for m in store.messages(ids["bread"])[before:]] == [
                "Camille: on renvoie le pain."
            ]
            await pp.pause(0.8)
            await settle(pp)
            bodies = [m.body for m in store.messages(ids["bread"])[before:]]
            assert bodies == ["Camille: on renvoie le pain."]
            draft = store.draft(ids["bread"], paul.agent.id)
            assert draft is not None and draft.body == "Paul: geste de 5 euros."
            notices = [n.message for n in paul._notifications]
            assert any(n.startswith("Not sent: Camille Moreau wrote") for n in notices)
            # Paul reads it, and decides: his reply is there when he opens the conversation.
            desk(paul).open_conversation_by_id(ids["bread"])
            await settle(pp)
            assert desk(paul).composer.text == "Paul: geste de 5 euros."
    finally:
        other.close()


HOSTILE_PASTE = (
    "Bonjour \x1b[31mLéa\x1b[0m\x1b]0;title\x07, \u202evotre\x00 commande\tarrive.\nMerci"
)
CLEAN = "Bonjour Léa, votre commande\tarrive.\nMerci"


async def test_a_paste_with_escapes_goes_into_the_composer_and_out_clean(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        post_all(app, events.Paste(HOSTILE_PASTE))
        await settle(pilot)
        assert desk(app).composer.text == CLEAN
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert store.messages(ids["bread"])[-1].body == CLEAN


async def test_text_put_in_the_composer_otherwise_is_cleaned_when_sent(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        desk(app).composer.insert(HOSTILE_PASTE)  # as a macro's text would come in
        await pilot.press("ctrl+o")
        await settle(pilot)
    assert store.messages(ids["bread"])[-1].body == CLEAN


async def test_u_is_a_letter_in_the_composer_and_the_search_box(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # something that u would undo
        await settle(pilot)
        done = store.conversation(ids["bread"]).status
        assert done is Status.DONE
        await pilot.press("r", "u", "n", "ctrl+z", "u")
        await settle(pilot)
        assert desk(app).composer.text == "u"  # ctrl+z undid the typing, not the done
        await pilot.press("escape", "slash", *"curry")
        await settle(pilot)
        assert store.conversation(ids["bread"]).status is done
        from textual.widgets import Input

        assert desk(app).query_one("#search", Input).value == "curry"


async def test_text_typed_in_the_burst_of_r_goes_into_the_reply(make_app, desk_store):
    """`r` then "Merci…" typed in one go: the letters are the reply, not the inbox's keys
    (`M` opened the metrics, `e` marked the conversation done, `u` undid)."""
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        cid = app.screen.query_one(InboxList).cursor_id
        before = store.conversation(cid)
        text = "Merci, je m'en occupe. Bonne journée !"
        burst(app, "r", *text)
        await settle(pilot)
        assert isinstance(app.screen, WorkstationScreen)
        assert app.screen.query_one(Composer).text == text
        after = store.conversation(cid)
        assert (after.status, after.tags) == (before.status, before.tags)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: store.messages(cid)[-1].body == text)


async def test_a_search_typed_in_the_burst_of_slash_is_the_search(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "slash", *"spicy", "enter")
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "spicy"
        assert app.screen.query_one(InboxList).cursor_id == ids["ana"]


def test_the_key_line_drops_the_least_important_key_first() -> None:
    from rich.text import Text

    from deskterm.widgets.key_line import fit_line

    head = Text("Reply to Louise Richard · email · #259")
    keys = ["ctrl+s send", "ctrl+o send & done", "ctrl+n note"]
    full = fit_line(head, keys, 200).plain
    assert full.endswith("ctrl+s send · ctrl+o send & done · ctrl+n note")
    assert fit_line(head, keys, 75).plain == (
        "Reply to Louise Richard · email · #259   ctrl+s send · ctrl+o send & done"
    )
    narrow = fit_line(head, keys, 60).plain
    assert narrow.endswith("   ctrl+s send · ctrl+o send & done") and "…" in narrow
    assert len(narrow) <= 60
    for width in range(0, 90):
        line = fit_line(head, keys, width).plain
        assert len(line) <= width
        shown = line.split("   ", 1)[1].split(" · ") if "   " in line else []
        assert all(item in keys for item in shown)  # never a key cut mid-word


async def test_the_composer_keys_are_whole_with_three_panes(make_app, desk_store):
    """At 160 columns the three panes leave the composer too narrow for every key: "send &
    done" stays whole and the least important key goes."""
    from deskterm.widgets.key_line import KeyLine

    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        line = desk(app).composer.query_one("#composer-title", KeyLine)
        shown = line.render().plain
        assert len(shown) <= line.content_size.width
        assert "ctrl+s send · ctrl+o send & done" in shown
