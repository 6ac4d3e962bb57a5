"""The inbox list over a store far larger than a page: jumps, pages and live updates agree
with the store row for row."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm.app import create_app
from deskterm.backend.demo import generate_demo
from deskterm.backend.store import Store
from deskterm.backend.views import BUILTIN_VIEWS
from deskterm.models import Status
from deskterm.widgets.inbox_list import PAGE, InboxList
from tests.app.conftest import SIZE, quiet_settings, settle

DONE = next(v for v in BUILTIN_VIEWS if v.key == "done")


@pytest.fixture(scope="module")
def big_store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "demo.db"
    generate_demo(path, conversations=1500, seed=3)
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
