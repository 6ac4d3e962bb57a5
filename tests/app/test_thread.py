"""The thread pane: long threads read lazily, notes and messages drawn apart, text selectable."""

from __future__ import annotations

from datetime import timedelta

from textual.geometry import Offset
from textual.selection import Selection

from deskterm.domain.models import AuthorKind, Channel
from deskterm.widgets.conversation_view import ThreadView
from tests.app.conftest import SIZE, settle
from tests.conftest import T0


def _long_thread(store, clock, messages: int) -> int:
    clock.now = T0 - timedelta(days=3)
    customer = store.add_customer("Nora Long")
    cid = store.open_conversation(customer, Channel.EMAIL, "A long story", "message 0")
    for n in range(1, messages):
        clock.now += timedelta(minutes=1)
        kind = AuthorKind.CUSTOMER if n % 2 else AuthorKind.AGENT
        store.add_message(cid, author_kind=kind, body=f"message {n}", author_name="Nora")
    clock.now = T0
    return cid


async def _open(pilot, cid: int) -> ThreadView:
    screen = pilot.app.screen
    screen.open_conversation_by_id(cid)
    await settle(pilot)
    assert screen.bundle.conversation.id == cid
    return screen.thread


async def test_a_long_thread_opens_on_its_newest_messages_and_reads_older_ones_on_demand(
    make_app, desk_store, clock
):
    store, _ = desk_store
    cid = _long_thread(store, clock, 130)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        thread = await _open(pilot, cid)
        text = thread.plain_text()
        assert thread.message_count == 40
        assert "message 129" in text and "message 90" in text and "message 89" not in text
        assert "90 older messages" in text
        assert thread.scroll_y == thread.max_scroll_y  # newest at the bottom, in view
        bottom_before = thread.max_scroll_y - thread.scroll_y

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert thread.message_count == 100
        assert "message 30" in thread.plain_text() and "30 older messages" in thread.plain_text()
        # The agent stays where they were: the same lines are on screen.
        assert thread.max_scroll_y - thread.scroll_y == bottom_before

        thread.scroll_home(animate=False)  # scrolling to the top reads the rest
        await settle(pilot)
        assert thread.message_count == 130
        assert "older messages" not in thread.plain_text()


async def test_a_message_wider_than_the_pane_wraps_and_rewraps_on_resize(
    make_app, desk_store, clock
):
    store, _ = desk_store
    customer = store.add_customer("Wide Writer")
    words = " ".join(f"word{n}" for n in range(200))
    cid = store.open_conversation(customer, Channel.EMAIL, "Wide", words)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        thread = await _open(pilot, cid)
        lines = thread.plain_text().splitlines()
        assert all(len(line) <= thread.scrollable_content_region.width for line in lines)
        assert "word199" in thread.plain_text()
        before = thread.virtual_size.height
        await pilot.resize_terminal(220, 45)
        await settle(pilot)
        assert thread.virtual_size.height < before
        assert "word199" in thread.plain_text()


async def test_selected_text_is_the_message_as_shown(make_app, desk_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        thread = app.screen.thread
        lines = thread.plain_text().splitlines()
        row = next(i for i, line in enumerate(lines) if "il manque le pain" in line)
        selection = Selection.from_offsets(Offset(0, row), Offset(200, row))
        text, _ = thread.get_selection(selection)
        assert "Bonjour, il manque le pain dans ma commande PO-88213 !" in text


async def test_an_empty_view_says_so_in_the_thread(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "s")  # Snoozed: nothing snoozed in the small desk
        await settle(pilot)
        assert "Nothing here" in app.screen.thread.plain_text()
