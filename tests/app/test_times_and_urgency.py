"""Times the customer reads are on the shop's clock; the inbox puts what is at stake first."""

from __future__ import annotations

from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import _export, desk, shown_id


async def test_slots_a_customer_reads_are_in_the_shops_time_zone(make_app, desk_store):
    _store, ids = desk_store
    # The agent works on UTC; the shop (the default) is in Paris: PO-88213's slot starts at
    # 08:00 UTC, which the customer knows as 09:00.
    app = make_app(timezone="UTC")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_id(app) == ids["bread"]
        context = desk(app).macros._context()
        assert "09:00" in context["order"]["delivery_slot"]
        assert "08:00" not in context["order"]["delivery_slot"]
        assert "09:00–10:00" in _export(app)  # the customer pane, as the customer says it
        assert str(app.tz) == "UTC" and str(app.shop_tz) == "Europe/Paris"


async def test_the_slot_sentence_is_on_the_shops_clock_when_the_agent_is_on_utc(
    make_app, desk_store
):
    from zoneinfo import ZoneInfo

    from deskterm.backend.commerce.sentences import clock_time
    from deskterm.backend.commerce.store_provider import StoreProvider
    from deskterm.domain.models import OrderStatus
    from tests.app.test_order_actions import _open_bread_customer_pane, _set_status

    store, ids = desk_store
    _set_status(store, "PO-88213", OrderStatus.PREPARING)
    app = make_app(timezone="UTC")
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        paris = ZoneInfo("Europe/Paris")
        chosen = StoreProvider(store, tz=paris).available_slots(store.order(ids["order"]))[0]
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter", "y")
        await settle(pilot)
        sentence = desk(app).composer.text
        assert clock_time(chosen.start, paris, "fr") in sentence
        assert clock_time(chosen.start, ZoneInfo("UTC"), "fr") not in sentence
