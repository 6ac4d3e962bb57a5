"""The workstation driven by keys, as an agent would: move, open, search, views, drafts."""

from __future__ import annotations

import os

from deskterm.backend.store import Store
from deskterm.domain.models import Channel
from deskterm.screens.goto import GotoScreen
from deskterm.screens.help import HelpScreen
from deskterm.screens.workstation import WorkstationScreen
from deskterm.widgets.composer import Composer
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, burst, settle, until


def desk(app) -> WorkstationScreen:
    screen = app.screen
    assert isinstance(screen, WorkstationScreen)
    return screen


def shown_id(app) -> int | None:
    bundle = desk(app).bundle
    return bundle.conversation.id if bundle else None


def _export(app) -> str:
    """Everything on screen as plain text (what a person reads)."""
    import re

    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return (
        text.replace("&#160;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )


async def test_opens_on_the_inbox_most_urgent_first(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        assert app.screen.query_one(StatusBar).count == store.count(desk(app).view)
        # Léa's WhatsApp has waited longest against the strictest SLA: first in line.
        assert inbox.cursor_id == ids["bread"]
        assert shown_id(app) == ids["bread"]


async def test_j_k_move_and_the_conversation_follows(make_app, desk_store):
    _, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        first = inbox.cursor_id
        await pilot.press("j")
        await settle(pilot)
        second = inbox.cursor_id
        assert second != first and shown_id(app) == second
        await pilot.press("k")
        await settle(pilot)
        assert inbox.cursor_id == first and shown_id(app) == first


async def test_enter_opens_and_r_writes_a_draft_that_survives_quitting(make_app, desk_store, clock):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is desk(app).thread
        await pilot.press("r")
        assert app.focused is desk(app).composer.area
        await pilot.press(*"Bonjour Léa")
        await pilot.pause(0.6)  # past the draft debounce
        await settle(pilot)
        assert store.draft(ids["bread"], app.agent.id).body == "Bonjour Léa"
        await pilot.press(*" !")
        await app.action_quit()
    assert store.draft(ids["bread"], app.agent.id).body == "Bonjour Léa !"
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert desk(again).composer.text == "Bonjour Léa !"


async def test_n_writes_an_internal_note(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        composer = desk(app).query_one(Composer)
        assert composer.note
        await pilot.press(*"Called the kitchen", "ctrl+s")
        await settle(pilot)
        last = store.messages(ids["bread"])[-1]
        assert last.body == "Called the kitchen" and not last.public


async def test_search_as_you_type_and_inline_errors(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"spicy")
        await pilot.pause(0.3)
        await settle(pilot)
        assert desk(app).view.key == "search"
        assert app.screen.query_one(StatusBar).count == 1
        assert app.screen.query_one(InboxList).cursor_id == ids["ana"]
        await pilot.press(*" channel:fax")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "Unknown channel" in _export(app)
        await pilot.press(*["backspace"] * len(" channel:fax"))
        await pilot.pause(0.3)
        await settle(pilot)
        assert "Unknown channel" not in _export(app)  # gone with the results' frame
        assert app.screen.query_one(StatusBar).view_title == "Search: spicy"
        await pilot.press("escape")
        await settle(pilot)
        assert desk(app).view.key == "inbox"
        assert app.screen.query_one(StatusBar).view_title == "Inbox"


async def test_g_then_a_letter_switches_views(make_app, desk_store):
    _store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "d")
        await settle(pilot)
        assert desk(app).view.key == "done"
        assert app.screen.query_one(InboxList).cursor_id == ids["old"]
        await pilot.press("g", "a")
        await settle(pilot)
        assert desk(app).view.key == "channel:whatsapp"
        await pilot.press("g", "i")
        await settle(pilot)
        assert desk(app).view.key == "inbox"


async def test_question_mark_lists_every_key_with_its_id(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = _export(app)
        for binding_id in ("desk.done", "desk.snooze", "inbox.down"):
            assert binding_id in text
        from rich.console import Console

        from deskterm.screens.help import cheat_sheet

        console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(cheat_sheet({}))
        whole = console.export_text()  # the rest of the sheet, below the fold
        assert "composer.send_done" in whole and "leads.approve" in whole
        assert "[keymap] section" in text  # the section's name, not read as markup
        await pilot.press("escape")
        assert isinstance(app.screen, WorkstationScreen)


async def test_remapped_keys_work(make_app, desk_store):
    _, _ids = desk_store
    app = make_app(keymap={"inbox.down": "ctrl+j,down"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        first = inbox.cursor_id
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert inbox.cursor_id != first


async def test_tab_moves_between_panes(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = desk(app)
        assert app.focused is screen.inbox
        await pilot.press("tab")
        assert app.focused is screen.thread
        await pilot.press("tab")
        assert app.focused is screen.query_one(CustomerPanel)
        await pilot.press("tab")
        assert app.focused is screen.inbox


async def test_narrow_terminal_shows_one_pane_and_switches(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = desk(app)
        assert screen.query_one("#inbox-pane").display
        assert not screen.query_one("#conversation-pane").display
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#conversation-pane").display
        assert not screen.query_one("#inbox-pane").display
        await pilot.press("f3")
        assert screen.query_one("#customer").display


async def test_hostile_customer_text_is_shown_inert(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"from:mallory")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert shown_id(app) == ids["[bold"]
        text = _export(app)
        assert "[bold red]Mallory[/]" in text
        assert "[link=https://evil.example]click[/link]" in text
        assert "\x1b" not in text and "\u202e" not in text


async def test_customer_pane_shows_orders_and_history(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = _export(app)
        assert "Léa Martin" in text and "VIP" in text
        assert "PO-88213" in text and "Pain de campagne" in text
        assert "Late delivery last week" in text
        await pilot.press("f3", "right_square_bracket")
        await pilot.pause()
        assert "PO-87001" in _export(app)


async def test_a_customer_first_seen_today_is_new(make_app, desk_store):
    """Léa has been a customer for a while; someone who first wrote today is a new customer
    (not a customer "for now")."""
    store, _ = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "customer for" in _export(app) and "new customer" not in _export(app)
        newcomer = store.add_customer("Nora Petit", language="fr")
        cid = store.open_conversation(newcomer, Channel.EMAIL, "Bonjour", "Première commande")
        app.screen.open_conversation_by_id(cid)
        await until(pilot, lambda: "FR · new customer" in _export(app))


async def test_live_update_when_another_process_writes(make_app, desk_store, clock):
    store, _ = desk_store
    app = make_app(live_update_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.screen.query_one(StatusBar).count
        other = Store(store.path, clock=clock)
        lea = other.find_customers("Léa")[0][0]
        from deskterm.domain.models import Channel

        other.open_conversation(lea, Channel.CHAT, "Another question", "Are you open Sunday?")
        other.close()
        await until(pilot, lambda: app.screen.query_one(StatusBar).count == before + 1)


async def test_escape_backs_out_one_level_keeping_the_search(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"spicy")
        await pilot.pause(0.3)
        await pilot.press("enter", "f3")
        await settle(pilot)
        assert app.focused is app.screen.query_one(CustomerPanel)
        await pilot.press("escape")  # customer pane → the results, still searched
        await settle(pilot)
        assert desk(app).view.key == "search"
        assert app.screen.query_one(InboxList).cursor_id == ids["ana"]
        await pilot.press("escape")  # and then out of the search
        await settle(pilot)
        assert desk(app).view.key == "inbox"


async def test_g_shows_the_letters_it_waits_for(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        text = _export(app)
        for line in ("Go to…", "i  Inbox", "d  Done", "a  WhatsApp", "esc cancel"):
            assert line in text
        await pilot.press("escape")


async def test_keys_that_reach_a_closing_picker_go_to_the_workstation(make_app):
    """A letter and `/` that reach the view picker in one burst (typed while the app was
    busy): the letter picks the view, `/` opens the search. The second key used to close
    the workstation along with the picker, leaving an empty screen no key could leave."""
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GotoScreen)
        burst(app.screen, "d", "slash")
        await settle(pilot)
        assert isinstance(app.screen, WorkstationScreen)
        assert desk(app).view.key == "done"
        search = app.screen.query_one("#search", Input)
        assert search.display and app.focused is search


async def test_a_letter_typed_in_the_same_burst_as_g_picks_the_view(make_app, desk_store):
    """`g` `e` arriving together: `e` reached the inbox before the picker opened. It must
    pick the Email view, never mark the conversation done (the inbox's own `e`)."""
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        first = inbox.cursor_id
        burst(app, "g", "e")
        await settle(pilot)
        assert isinstance(app.screen, WorkstationScreen)
        assert desk(app).view.key == "channel:email"
        assert store.conversation(first).status.value != "done"


async def test_started_as_the_command_starts_full_collections_wait_for_a_pause(make_app):
    """The command pauses the collector for start-up; the app then freezes what start-up
    made and takes over the timing of full collections, and gives it back on exit."""
    import gc

    from deskterm.app import collector

    before = gc.get_threshold()
    app = make_app()
    gc.disable()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert gc.isenabled()
            assert app.collector is not None
            assert gc.get_threshold()[2] == collector.NEVER
            await pilot.press("j")
            assert app.collector.clock() - app.collector.last_input < 5
    finally:
        gc.enable()
        gc.unfreeze()
    assert gc.get_threshold() == before


async def test_ctrl_s_in_the_search_box_saves_it_as_a_view_g_goes_back_to(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"spicy", "ctrl+s")
        await pilot.pause(0.3)
        await settle(pilot)
        assert [query for _, _, query in store.saved_views()] == ["spicy"]
        assert any("g then 1" in n.message for n in app._notifications)
        await pilot.press("escape", "g")
        await settle(pilot)
        assert isinstance(app.screen, GotoScreen)
        await pilot.press("1")
        await settle(pilot)
        assert desk(app).view.title == "spicy"
        assert app.screen.query_one(InboxList).cursor_id == ids["ana"]
