"""Hostile data on screen: rows another program spoiled, huge names, tag names typed in a
picker. Every row stays readable, every pane stays its size, nothing unintended is changed."""

from __future__ import annotations

from textual.widgets import Static

from deskterm.domain.models import AuthorKind
from deskterm.screens.picker import PickerScreen
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import _export, desk, shown_id

HUGE = 5_000_000


def _inbox_lines(app) -> list[str]:
    inbox = app.screen.query_one(InboxList)
    return [inbox.render_line(y).text for y in range(inbox.size.height)]


async def test_a_row_that_is_not_utf8_is_listed_opened_and_found(make_app, desk_store):
    store, ids = desk_store
    store.conn.execute(
        "UPDATE messages SET body = CAST(X'70616e6e65ff20766f6974757265' AS TEXT) "
        "WHERE conversation_id = ?",
        (ids["paul"],),
    )
    store.conn.execute(
        "UPDATE conversations SET subject = CAST(X'526566756e64ff' AS TEXT) WHERE id = ?",
        (ids["paul"],),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = _inbox_lines(app)
        assert not [line for line in lines if line.strip() == "…"]  # no row left unread
        assert any("Refund\ufffd" in line for line in lines)
        app.screen.query_one(InboxList).move_to(ids["paul"])
        await pilot.press("enter")
        await settle(pilot)
        assert shown_id(app) == ids["paul"]
        assert "panne\ufffd voiture" in _export(app)
        await pilot.press("escape", "slash", *"panne")
        await pilot.pause(0.3)
        await settle(pilot)
        assert desk(app).view.key == "search"
        assert app.screen.query_one(InboxList).cursor_id == ids["paul"]


async def test_a_five_megabyte_name_and_subject_stay_one_short_line(make_app, desk_store):
    store, ids = desk_store
    name, subject = "N" * HUGE, "S" * HUGE
    customer = store.conversation(ids["bread"]).customer_id
    store.conn.execute("UPDATE customers SET name = ? WHERE id = ?", (name, customer))
    store.conn.execute("UPDATE conversations SET subject = ? WHERE id = ?", (subject, ids["bread"]))
    store.add_message(
        ids["bread"],
        author_kind=AuthorKind.CUSTOMER,
        author_name=name,
        body="encore moi",
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(InboxList).move_to(ids["bread"])
        await settle(pilot)
        assert shown_id(app) == ids["bread"]
        # Each pane shows one short line of the name (inbox row, thread header, customer
        # pane, the message's author, the composer's line naming whom the reply goes to) and
        # of the subject (inbox row, thread header, where its 120 cells may wrap once).
        lines = _export(app).splitlines()
        assert len([line for line in lines if "N" * 10 in line]) <= 5
        assert len([line for line in lines if "S" * 10 in line]) <= 3
        assert all(line.count("N") <= 3 * 60 for line in lines)
        profile = app.screen.query_one("#customer-profile", Static)
        assert profile.virtual_size.height <= 12
        await pilot.press("m")  # the macro picker's title names the customer
        await settle(pilot)
        assert len([line for line in _export(app).splitlines() if "N" * 70 in line]) == 0
        await pilot.press("escape", "ctrl+p", *"NNN")  # the palette finds her conversations
        await pilot.pause(0.5)
        await settle(pilot)
        shown = _export(app)
        assert "#1 SSS" in shown
        assert len([line for line in shown.splitlines() if "N" * 70 in line]) == 0
    row = store.conn.execute("SELECT name FROM customers WHERE id = ?", (customer,)).fetchone()
    assert row[0] == name  # the store keeps it whole


async def test_typing_a_new_tag_adds_it_rather_than_a_similar_one(make_app, desk_store):
    """``late`` fuzzy-matches the existing ``late-delivery``: enter used to toggle that one."""
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        assert target == ids["bread"]
        await pilot.press("t", *"late")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        await settle(pilot)
        tags = store.conversation(target).tags
        assert "late" in tags and "late-delivery" not in tags
        # An existing tag is still one arrow away, and an exact name picks it.
        await pilot.press("t", *"late", "down", "enter")
        await settle(pilot)
        assert "late-delivery" in store.conversation(target).tags
        await pilot.press("t", *"missing-item", "enter")
        await settle(pilot)
        assert "missing-item" not in store.conversation(target).tags  # toggled off


async def test_a_name_in_markup_is_shown_as_typed_in_titles_and_the_palette(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(InboxList).move_to(ids["[bold"])
        await settle(pilot)
        await pilot.press("m")  # the macro picker's title names the customer
        await settle(pilot)
        assert "Macros for [bold red]Mallory[/]" in _export(app)
        await pilot.press("escape", "ctrl+p", *"mallory")
        await pilot.pause(0.5)
        await settle(pilot)
        assert f"[bold red]Mallory[/] — #{ids['[bold']}" in _export(app)
