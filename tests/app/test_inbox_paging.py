"""The inbox list over a store far larger than a page: jumps, pages and live updates agree
with the store row for row."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm.app import create_app
from deskterm.backend.demo import generate_demo
from deskterm.backend.store import Store
from deskterm.backend.views import BUILTIN_VIEWS
from deskterm.domain.models import Status
from deskterm.widgets.inbox_list import PAGE, InboxList
from tests.app.conftest import SIZE, quiet_settings, settle
from tests.conftest import T0

DONE = next(v for v in BUILTIN_VIEWS if v.key == "done")


@pytest.fixture(scope="module")
def big_store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "demo.db"
    generate_demo(path, conversations=1500, seed=3, now=T0)
    return path


@pytest.fixture
def big_store(big_store_path: Path, tmp_path: Path):
    copy = tmp_path / "demo.db"
    copy.write_bytes(big_store_path.read_bytes())
    store = Store(copy)
    yield store
    store.close()


async def test_end_home_and_pages_agree_with_the_store(big_store: Store):
    total = big_store.count(DONE)
    assert total > 5 * PAGE
    app = create_app(big_store, quiet_settings(), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "d")
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        assert inbox.total == total
        await pilot.press("end")
        await settle(pilot)
        assert inbox.cursor == total - 1
        assert inbox.cursor_id == big_store.page(DONE, limit=1, backwards=True)[0].id
        await pilot.press("home")
        await settle(pilot)
        assert inbox.cursor_id == big_store.page(DONE, limit=1)[0].id
        for _ in range(12):  # well past the first page, read by keyset from the one before
            await pilot.press("pagedown")
        await settle(pilot)
        assert inbox.cursor > 2 * PAGE
        expected = big_store.page_at(DONE, inbox.cursor, limit=1)[0].id
        assert inbox.cursor_id == expected
        assert app.screen.bundle is not None and app.screen.bundle.conversation.id == expected


async def test_the_cursor_keeps_its_conversation_when_rows_above_leave(big_store: Store):
    app = create_app(big_store, quiet_settings(), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "d")
        await settle(pilot)
        for _ in range(10):
            await pilot.press("j")
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        held = inbox.cursor_id
        above = [r.id for r in big_store.page(DONE, limit=3)]
        for cid in above:  # another agent reopens three conversations above the cursor
            big_store.set_status(cid, Status.OPEN, agent_id=None)
        inbox.refresh_rows()
        await settle(pilot)
        assert inbox.cursor_id == held
        assert inbox.cursor == 7


async def test_the_scrollbar_and_the_lines_follow_the_length_of_the_view(big_store: Store):
    """A short view after a long one: the scrollbar goes, the rows past its end are blank,
    and the header names the view once its rows are on screen; back again, it all returns."""
    from textual.geometry import Region
    from textual.widgets import Input

    from deskterm.widgets.status_bar import StatusBar

    app = create_app(big_store, quiet_settings(), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        status = app.screen.query_one(StatusBar)
        assert inbox.total is not None and inbox.total * 2 > inbox.size.height
        assert inbox.show_vertical_scrollbar
        long_lines = [inbox.render_line(y).text for y in range(inbox.size.height)]
        assert all(line.strip() for line in long_lines[:-1:2])  # a row on every first line
        await pilot.press("slash", *'"zzz-no-such-word"')
        await settle(pilot)
        assert inbox.total == 0 and not inbox.show_vertical_scrollbar
        assert status.view_title.startswith("Search:") and status.count == 0
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert status.view_title == "Inbox" and status.count == inbox.total
        assert inbox.show_vertical_scrollbar
        await pilot.press("slash")
        # Typed into the box at once (an address has keys pilot names otherwise).
        handle = big_store.conn.execute(
            "SELECT h.value FROM customer_handles h WHERE h.value LIKE '%@%' AND "
            "(SELECT count(*) FROM conversations c WHERE c.customer_id = h.customer_id) "
            "BETWEEN 2 AND 5 LIMIT 1"
        ).fetchone()[0]
        app.screen.query_one("#search", Input).value = f"from:{handle}"
        await settle(pilot)
        few = inbox.total
        assert few is not None and 0 < few * 2 < inbox.size.height
        assert not inbox.show_vertical_scrollbar
        # As painted: through the widget's line cache, which keeps what is not refreshed.
        lines = [strip.text for strip in inbox.render_lines(Region(0, 0, *inbox.size))]
        assert all(line.strip() for line in lines[: few * 2 : 2])
        assert not any(line.strip() for line in lines[few * 2 :])


async def test_a_new_view_replaces_the_rows_on_screen_only_when_its_own_are_read(
    make_app, desk_store
):
    """No frame of placeholders between two views: the old rows stay until the new ones."""
    import threading

    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        first_in_inbox = inbox.cursor_id
        release = threading.Event()
        read = store.first_page

        def slow_first_page(*args, **kwargs):
            release.wait(5)
            return read(*args, **kwargs)

        store.first_page = slow_first_page  # type: ignore[method-assign]
        await pilot.press("g", "d")
        await pilot.pause()
        # The closing picker laid the screen out again: still the inbox's rows, no "…".
        assert inbox.awaiting_rows
        assert inbox.row_at(0) is not None and inbox.row_at(0).id == first_in_inbox
        lines = [inbox.render_line(y).text for y in range(6)]
        assert not any(line.strip() == "…" for line in lines)
        release.set()
        store.first_page = read  # type: ignore[method-assign]
        await settle(pilot)
        assert not inbox.awaiting_rows
        assert inbox.cursor_id == ids["old"]  # the Done view's newest


async def test_a_change_while_a_view_loads_is_read_once_its_rows_are_in(make_app, desk_store):
    """The store changed after the new view's first page was read, before it came back:
    the list reads again once that page is in, rather than keeping stale rows."""
    import threading

    from deskterm.domain.models import Priority

    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        read_done, release = threading.Event(), threading.Event()
        read = store.first_page

        def first_page_then_wait(*args, **kwargs):
            rows = read(*args, **kwargs)
            read_done.set()
            release.wait(5)
            return rows

        store.first_page = first_page_then_wait  # type: ignore[method-assign]
        await pilot.press("g", "d")
        for _ in range(100):
            if read_done.is_set():
                break
            await pilot.pause(0.01)
        store.first_page = read  # type: ignore[method-assign]
        store.update_conversation(
            ids["old"], {"priority": Priority.URGENT}, agent_id=None, kind="priority"
        )
        inbox.refresh_rows()  # what the poll does when it sees the change
        release.set()
        await settle(pilot)
        assert inbox.row_at(0).id == ids["old"]
        assert inbox.row_at(0).priority is Priority.URGENT
