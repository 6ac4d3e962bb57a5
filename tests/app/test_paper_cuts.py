"""The lunch rush's paper cuts, each as it was seen: keys that did nothing silently, keys
that meant two things, lists that forgot what the session made."""

from __future__ import annotations

from deskterm.domain.models import Status
from deskterm.widgets.customer_panel import CustomerPanel
from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import _export, desk, shown_id


def _notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_send_keys_from_the_inbox_and_the_customer_pane_send_the_open_draft(
    make_app, desk_store
):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = shown_id(app)
        assert first is not None
        await pilot.press("ctrl+s")  # nothing written yet: said, not silent
        await settle(pilot)
        assert any("no draft" in n for n in _notices(app))
        before = len(store.messages(first))
        await pilot.press("r", *"On it", "escape")  # back in the inbox, the draft kept
        await settle(pilot)
        assert app.focused is desk(app).inbox
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [m.body for m in store.messages(first)][before:] == ["On it"]
        # From the customer pane, ctrl+o sends and closes.
        second = shown_id(app)
        await pilot.press("r", *"Done here", "escape", "f3")
        await settle(pilot)
        assert isinstance(app.focused, CustomerPanel)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert store.messages(second)[-1].body == "Done here"
        assert store.conversation(second).status is Status.DONE


async def test_r_replies_from_every_pane_and_d_resends_in_the_customer_pane(make_app, desk_store):
    from deskterm.screens.checklist import ChecklistScreen

    _store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_id(app) == ids["bread"]
        await pilot.press("f3")
        await settle(pilot)
        assert "d Resend items" in _export(app)  # the pane's own keys, in the footer
        await pilot.press("r")  # r in the customer pane: the reply, as in the two others
        await settle(pilot)
        assert app.focused is desk(app).composer.area
        await pilot.press("escape", "f3", "d")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)  # which items to deliver again


async def test_the_tag_picker_offers_session_tags_removal_and_flags_near_duplicates(
    make_app, desk_store
):
    from textual.widgets import OptionList

    from deskterm.screens.picker import PickerScreen

    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_id(app) == ids["bread"]
        await pilot.press("t", *"bug-notifs", "enter")
        await settle(pilot)
        assert "bug-notifs" in store.conversation(ids["bread"]).tags
        await pilot.press("j", "t")  # another conversation: the new tag is offered
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList)._options]
        assert "+ bug-notifs  1 conversations" in labels
        await pilot.press(*"bug-notifs-4.13")
        await pilot.pause()
        first = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.startswith("+ new: bug-notifs-4.13") and "close to bug-notifs" in first
        await pilot.press("escape", "k", "t")  # back on the tagged one: removal comes first
        await settle(pilot)
        first = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.startswith("− ") and "enter removes it" in first
        await pilot.press("escape")


def test_near_duplicate_tags():
    from deskterm.domain.fuzzy import near_duplicates

    tags = ["bug-notifs", "refund", "late-delivery", "vip"]
    assert near_duplicates("bug-notifs-4.13", tags) == ["bug-notifs"]
    assert near_duplicates("Bug_Notifs", tags) == ["bug-notifs"]
    assert near_duplicates("refunds", tags) == ["refund"]
    assert near_duplicates("late", tags) == ["late-delivery"]
    assert near_duplicates("delivery", tags) == []  # a word inside another is not a repeat
    assert near_duplicates("vips", tags) == []  # too short to judge by one letter
    assert near_duplicates("bug-notifs", tags) == []  # itself


async def test_the_palette_lists_keys_and_quit_once(make_app, desk_store):
    from deskterm.app.palette import DeskCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        system = [c.title for c in app.get_system_commands(app.screen)]
        ours = [name for name, _, _ in DeskCommands(app.screen)._entries()]
        every = system + ours
        assert every.count("Keys") == 1 and every.count("Quit") == 1
        assert "Send the open draft & done" in ours


async def test_the_keys_screen_shows_keymap_and_a_legend_of_the_row(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "[keymap]" in _export(app)  # the section's name, not swallowed as markup
    from rich.console import Console

    from deskterm.screens.help import cheat_sheet

    console = Console(width=100, record=True)
    console.print(cheat_sheet({}))
    sheet = console.export_text()
    assert "An inbox row" in sheet and "VIP customer" in sheet and "-16m" in sheet


async def test_at_100_columns_the_footer_keeps_the_keys_key(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        footer = [line for line in _export(app).splitlines() if "^p Commands" in line]
        assert len(footer) == 1 and footer[0].lstrip().startswith("? Keys")


async def test_a_notice_does_not_cover_the_composer(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r", *"A reply being written")
        await settle(pilot)
        app.notify("Tag +something · u to undo")
        await pilot.pause(0.3)
        composer = desk(app).composer.region
        toasts = [t.region for t in app.screen.query("Toast")]
        assert toasts and not any(t.overlaps(composer) for t in toasts)


async def test_home_goes_to_the_wrapped_line_start_then_the_paragraphs(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        area = desk(app).composer.area
        area.insert("word " * 40)  # one paragraph, wrapped over several screen lines
        await pilot.pause()
        end = area.cursor_location
        await pilot.press("home")
        wrapped_start = area.cursor_location
        assert wrapped_start[0] == 0 and 0 < wrapped_start[1] < end[1]
        await pilot.press("home")
        assert area.cursor_location == (0, 0)
        await pilot.press("end")
        assert 0 < area.cursor_location[1] < end[1]
        await pilot.press("end")
        assert area.cursor_location == end


async def test_an_empty_store_says_how_to_start(tmp_path, clock):
    from deskterm.app import create_app
    from deskterm.backend.store import Store
    from tests.app.conftest import quiet_settings

    store = Store(tmp_path / "new.db", clock=clock)
    try:
        app = create_app(store, quiet_settings(), clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            text = _export(app)
            assert "Inbox zero" not in text
            assert "deskterm demo" in text and "--remote rt" in text
            assert "deskterm macros import" in text
    finally:
        store.close()


def test_an_agent_the_store_lacks_is_offered_to_be_created(tmp_path):
    import pytest

    from deskterm.backend.db import StoreError
    from deskterm.backend.store import Store
    from deskterm.cli.workstation import offer_agent

    store = Store(tmp_path / "desk.db")
    try:
        asked: list[str] = []
        offer_agent(store, "camille.moreau@popote.example", lambda q: asked.append(q) or "")
        assert "Create Camille Moreau <camille.moreau@popote.example>?" in asked[0]
        made = store.agent_by_email("camille.moreau@popote.example")
        assert made is not None and made.name == "Camille Moreau"
        offer_agent(store, "camille.moreau@popote.example", lambda q: pytest.fail(q))  # known
        with pytest.raises(StoreError, match=r"No agent paul@x\.example.*camille\.moreau"):
            offer_agent(store, "paul@x.example", lambda q: "n")
        assert store.agent_by_email("paul@x.example") is None
    finally:
        store.close()


async def test_x_then_J_J_selects_the_rows_passed_and_rests_on_the_last(make_app, desk_store):
    from deskterm.widgets.inbox_list import InboxList

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        first = inbox.cursor_id
        await pilot.press("x", "J", "J")
        await settle(pilot)
        assert len(inbox.selected_ids) == 3 and first in inbox.selected_ids
        assert inbox.cursor_id in inbox.selected_ids
        await pilot.press("K")  # back up: still the same three, the cursor on a selected one
        assert len(inbox.selected_ids) == 3 and inbox.cursor_id in inbox.selected_ids


def test_waiting_means_waiting_on_the_customer_only():
    from deskterm.backend.metrics.report import CSV_FIELDS
    from deskterm.backend.metrics.types import Figures
    from deskterm.backend.views import BUILTIN_VIEWS, GOTO

    # The view of conversations waiting on the customer's answer is the only "waiting".
    assert GOTO["w"] == ("pending", "Waiting on customer")
    assert [v.title for v in BUILTIN_VIEWS if v.key == "pending"] == ["Waiting on customer"]
    # Metrics count the customers still waiting on us as "unanswered".
    assert "unanswered" in Figures.__dataclass_fields__ and "waiting" not in CSV_FIELDS


async def test_a_view_per_group_and_the_group_filter(make_app, desk_store):
    from deskterm.backend.views import View
    from deskterm.widgets.inbox_list import InboxList
    from deskterm.widgets.status_bar import StatusBar

    store, ids = desk_store
    instant = next(g.id for g in store.groups() if g.name == "Instant")
    routed = [ids["bread"], ids["ana"]]
    for cid in routed:
        store.update_conversation(cid, {"group_id": instant}, agent_id=None, kind="group")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from deskterm.app.palette import DeskCommands

        entries = {name: run for name, _, run in DeskCommands(app.screen)._entries()}
        entries["View: Group Instant"]()
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        assert inbox.view == View(f"group:{instant}", "Group: Instant")
        assert inbox.total == 2
        assert app.screen.query_one(StatusBar).view_title.startswith("Group: Instant")
        await pilot.press("g", "i", "slash", *"group:inst")
        await settle(pilot)
        assert inbox.total == 2
        assert {inbox.row_at(i).id for i in range(2)} == set(routed)
