"""A damaged store: the app still opens, says so in one line, and refuses to write into it."""

from __future__ import annotations

import pytest

from deskterm.app import create_app
from deskterm.backend import store as store_module
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind
from tests.app.conftest import SIZE, quiet_settings
from tests.damage import damage_table


async def test_a_damaged_store_found_after_start_is_announced_and_read_only(
    desk_store, clock, monkeypatch: pytest.MonkeyPatch
):
    store, ids = desk_store
    for n in range(60):
        store.add_message(
            ids["bread"], author_kind=AuthorKind.CUSTOMER, body=f"again {n} " + "words " * 80
        )
    store.close()
    # The search index: a page start-up does not read, so only the check finds the damage.
    damage_table(store.path, "messages_fts_data")
    # As a large store: not checked as it opens, only by the app after the first paint.
    monkeypatch.setattr(store_module, "CHECK_AT_OPEN_BYTES", 0)
    damaged = Store(store.path, clock=clock)
    app = create_app(damaged, quiet_settings(), agent_email="camille@popote.example", clock=clock)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            notices = [n for n in app._notifications if n.title == "Store damaged"]
            assert len(notices) == 1
            assert notices[0].message.startswith("The store is damaged (")
            assert "read-only now" in notices[0].message
            assert "\n" not in notices[0].message
            assert damaged.read_only_reason == notices[0].message
    finally:
        damaged.close()
