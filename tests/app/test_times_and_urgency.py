"""Times the customer reads are on the shop's clock; the inbox puts what is at stake first."""

from __future__ import annotations

from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import _export, desk, shown_id
from tests.unit.test_kept_waits import drop_kept_waits


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


def test_a_low_priority_compliment_never_sits_above_a_live_late_delivery(store, clock):
    from datetime import timedelta

    from deskterm.backend.views import BUILTIN_VIEWS
    from deskterm.domain.models import Channel, Priority

    inbox = BUILTIN_VIEWS[0]
    fan = store.add_customer("Liam Moreau")
    hungry = store.add_customer("Hugo Petit")
    t0 = clock.now
    clock.now = t0 - timedelta(hours=3)  # on chat, unanswered for three hours: long breached
    compliment = store.open_conversation(fan, Channel.CHAT, "Bravo", "Best lasagna ever!")
    store.update_conversation(
        compliment, {"priority": Priority.LOW}, agent_id=None, kind="priority"
    )
    clock.now = t0 - timedelta(minutes=10)  # by email (4 h to answer), order on its way
    with store.transaction() as c:
        c.execute(
            "INSERT INTO orders(number, customer_id, status, placed_at, total_cents) "
            "VALUES ('PO-1', ?, 'out_for_delivery', ?, 1500)",
            (hungry, int((t0 - timedelta(hours=1)).timestamp())),
        )
    late = store.open_conversation(hungry, Channel.EMAIL, "Late", "Where is my order?")
    clock.now = t0
    assert store.conversation(compliment).sla_due_at < store.conversation(late).sla_due_at
    order = [r.id for r in store.page(inbox, limit=10)]
    assert order.index(late) < order.index(compliment)
    # Still late, still counted: the header's count does not lose low-priority breaches.
    assert store.breaching_count() == 1


async def test_the_row_age_is_the_customers_wait_not_the_last_note(make_app, desk_store, clock):
    from datetime import timedelta

    from deskterm.domain.models import AuthorKind
    from deskterm.widgets.inbox_list import InboxList
    from deskterm.widgets.inbox_row import RowStyles, row_lines

    store, ids = desk_store
    # Léa wrote 50 minutes ago; Paul's internal note came after (build_small_desk).
    store.add_message(ids["bread"], author_kind=AuthorKind.AGENT, author_id=ids["paul"],
                      public=False, body="Still checking")  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        rows = [inbox.row_at(i) for i in range(inbox.total)]
        row = next(r for r in rows if r is not None and r.id == ids["bread"])
        assert row.waiting_since == clock.now - timedelta(minutes=50)
        first, _ = row_lines(row, width=60, now=clock.now, tz=app.tz, initials="",
                             selected=False, styles=RowStyles.plain())  # fmt: skip
        assert " 50m" in first.plain  # not "now": the note is not the customer's wait


def test_a_store_of_the_previous_version_gets_its_urgency_weighed(tmp_path, clock):
    from deskterm.backend.db import connect
    from deskterm.backend.store import Store
    from deskterm.domain.models import Channel, Priority
    from deskterm.domain.sla import DEFAULT_POLICIES

    path = tmp_path / "old.db"
    store = Store(path, clock=clock)
    store.set_sla_policies(DEFAULT_POLICIES)
    low = store.open_conversation(store.add_customer("Liam"), Channel.CHAT, "Bravo", "Merci !")
    store.update_conversation(low, {"priority": Priority.LOW}, agent_id=None, kind="priority")
    weighed = store.conversation(low)
    store.close()
    conn = connect(path)  # as version 5 left it: the due time alone
    drop_kept_waits(conn)  # and nothing of versions 7 and 8
    conn.execute("UPDATE conversations SET urgency = sla_due_at")
    conn.execute("UPDATE conversation_tags SET urgency = 0")
    conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    conn.close()
    store = Store(path, clock=clock)
    try:
        urgency = store.conn.execute(
            "SELECT urgency, sla_due_at FROM conversations WHERE id = ?", (low,)
        ).fetchone()
        assert urgency[0] == urgency[1] + 86400 - 600  # a day later, a little sooner: chat
        assert weighed.sla_due_at is not None
    finally:
        store.close()
