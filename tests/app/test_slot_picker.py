"""The slot picker offers the shop's half-hour starts, and a typed time keeps those."""

from __future__ import annotations

from datetime import time

from deskterm.domain.models import OrderStatus
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.picker import PickerScreen
from tests.app.conftest import SIZE, settle
from tests.app.test_order_actions import _open_bread_customer_pane, _set_status
from tests.app.test_workstation import desk


def _shown(app) -> list[str]:
    options = app.screen.query_one("OptionList")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_typing_a_time_keeps_the_slots_starting_then(make_app, desk_store):
    store, ids = desk_store
    _set_status(store, "PO-88213", OrderStatus.PREPARING)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert any("18:30–19:30" in line for line in _shown(app))  # half-hour starts
        await pilot.press(*"18:30")
        await pilot.pause()
        shown = _shown(app)
        assert len(shown) == 2  # today's and tomorrow's (two days are offered)
        assert all("18:30–19:30" in line for line in shown)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        moved = store.order(ids["order"])
        start = moved.delivery_slot_start.astimezone(app.shop_tz)
        assert start.time() == time(18, 30)
        assert "entre 18h30 et 19h30" in desk(app).composer.text


async def test_french_time_and_no_match(make_app, desk_store):
    store, ids = desk_store
    _set_status(store, "PO-88213", OrderStatus.PREPARING)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*"19h30")
        await pilot.pause()
        assert [line.count("19:30–20:30") for line in _shown(app)] == [1, 1]
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press(*"16:30")  # the kitchen is closed then
        await pilot.pause()
        assert _shown(app) == []
        await pilot.press("enter")  # nothing to choose: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
