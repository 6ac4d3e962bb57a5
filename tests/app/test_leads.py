"""The lead's side, in the real app: routing a conversation as it arrives, a gesture over
the policy approved or refused on the leads' desk, a flag answered, and a macro proposed by
an agent and published by a lead."""

from __future__ import annotations

from textual.widgets import OptionList

from deskterm.app import create_app
from deskterm.backend.commerce import ledger
from deskterm.backend.leads.reads import NEEDS_LEAD
from deskterm.domain.models import Channel
from deskterm.screens.leads import LeadsScreen
from deskterm.screens.picker import PickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation import WorkstationScreen
from tests.app.conftest import SIZE, quiet_settings, settle, until

RULES = [
    {
        "name": "Allergies to Escalations",
        "when": {"text": "allerg"},
        "set": {"group": "Escalations", "priority": "urgent", "assignee": "paul@popote.example"},
    }
]


def _gesture_waiting(store, ids, amount: int = 2500) -> int:
    with store.transaction() as c:
        gid = ledger.record_gesture(
            c,
            key="test-approval",
            customer_id=ids["lea"],
            conversation_id=ids["bread"],
            order_id=ids["order"],
            agent_id=ids["paul"],
            amount_cents=amount,
            kind="credit",
            state="approval_requested",
            reason="€25.00 is above the €10.00 limit per gesture",
            when=store.now(),
        )
    return gid


def _notes(store, cid: int) -> list[str]:
    return [m.body for m in store.messages(cid) if not m.public]


async def _open_leads(pilot) -> LeadsScreen:
    await settle(pilot)
    await pilot.press("g", "l")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LeadsScreen)
    await until(pilot, lambda: bool(screen.items))
    return screen


async def _highlight(pilot, screen: LeadsScreen, kind: str) -> None:
    options = screen.query_one(OptionList)
    for _ in range(options.option_count):
        current = screen.current
        if current is not None and current.kind == kind:
            return
        await pilot.press("down")
    raise AssertionError(f"no {kind} in the leads' desk")


async def test_a_conversation_that_arrives_is_routed_by_the_rules(desk_store, make_app):
    store, ids = desk_store
    app = make_app(rules=RULES, live_update_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Another agent's process, or the shop's form, writes the new conversation.
        cid = store.open_conversation(
            ids["lea"], Channel.EMAIL, "Allergie", "Mon fils est allergique aux noix"
        )
        conv = store.conversation(cid)
        assert conv is not None and conv.assignee_id == ids["paul"]
        assert conv.priority.value == "urgent"
        assert {g.id: g.name for g in store.groups()}[conv.group_id] == "Escalations"  # type: ignore[index]
        assert isinstance(pilot.app.screen, WorkstationScreen)
        # The live poll shows it in the inbox, most urgent first.
        await until(pilot, lambda: "Allergie" in pilot.app.export_screenshot(), seconds=60)


async def test_a_lead_approves_a_gesture_and_it_is_given(desk_store, make_app):
    store, ids = desk_store
    gid = _gesture_waiting(store, ids)
    app = make_app(leads=["camille@popote.example"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_leads(pilot)
        await _highlight(pilot, screen, "gesture")
        detail = str(screen.query_one("#leads-text").render())
        assert "€25.00" in detail and "Goodwill so far" in detail
        await pilot.press("a")
        await until(pilot, lambda: ledger.gesture_state(store.conn, gid) == "approved")
    given = store.conn.execute(
        "SELECT agent_id, amount_cents, state FROM gestures WHERE id != ? ", (gid,)
    ).fetchall()
    assert [tuple(r) for r in given] == [(ids["paul"], 2500, "applied")]
    assert any("Approved by Camille Moreau" in n for n in _notes(store, ids["bread"]))


async def test_a_lead_refuses_a_gesture_and_the_agent_reads_why(desk_store, make_app):
    store, ids = desk_store
    gid = _gesture_waiting(store, ids)
    app = make_app(leads=["camille@popote.example"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_leads(pilot)
        await _highlight(pilot, screen, "gesture")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TextPromptScreen)
        await pilot.press(*"Already credited last week", "enter")
        await until(pilot, lambda: ledger.gesture_state(store.conn, gid) == "refused")
    assert store.conn.execute("SELECT count(*) FROM gestures").fetchone()[0] == 1
    assert any(
        "Refused by Camille Moreau" in n and "Already credited last week" in n
        for n in _notes(store, ids["bread"])
    )


async def test_an_agent_asks_a_lead_and_the_lead_answers(desk_store, make_app):
    store, ids = desk_store
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, WorkstationScreen)
        screen.open_conversation_by_id(ids["bread"])
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        await pilot.press(*"Can I refund the whole order?", "enter")
        await until(pilot, lambda: NEEDS_LEAD in store.conversation(ids["bread"]).tags)  # type: ignore[union-attr]
    app = make_app(leads=["camille@popote.example"])
    async with app.run_test(size=SIZE) as pilot:
        leads = await _open_leads(pilot)
        await _highlight(pilot, leads, "flag")
        assert "Can I refund the whole order?" in str(leads.query_one("#leads-text").render())
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Yes, up to 30 euros", "enter")
        await until(pilot, lambda: NEEDS_LEAD not in store.conversation(ids["bread"]).tags)  # type: ignore[union-attr]
    assert any("Lead's answer: Yes, up to 30 euros" in n for n in _notes(store, ids["bread"]))


async def test_an_agent_proposes_a_macro_and_a_lead_publishes_it(desk_store, make_app, clock):
    store, ids = desk_store
    shared = store.add_macro("Where is my order", "Your order is on its way.")
    mine = store.add_macro(
        "Where is my order",
        "Hi {{ customer.first_name }}, order {{ order.number }} is 10 minutes away. "
        "I've refunded the delivery.",
        owner_agent_id=ids["paul"],
    )
    for _ in range(3):
        store.record_macro_use(mine, agent_id=ids["paul"], conversation_id=ids["bread"])
    paul = create_app(store, quiet_settings(), agent_email="paul@popote.example", clock=clock)
    async with paul.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PickerScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"Customers love the ETA", "enter")
        await until(
            pilot,
            lambda: store.conn.execute("SELECT count(*) FROM macro_proposals").fetchone()[0] == 1,
        )
    lead = make_app(leads=["camille@popote.example"])
    async with lead.run_test(size=SIZE) as pilot:
        leads = await _open_leads(pilot)
        await _highlight(pilot, leads, "proposal")
        detail = str(leads.query_one("#leads-text").render())
        assert "used 3 times" in detail
        assert "customer.first_name, order.number" in detail
        assert "⚠ claims refund, carries none" in detail  # the lead sees it before publishing
        assert "-Your order is on its way." in detail and "+Hi {{ customer.first_name }}" in detail
        await pilot.press("a")
        await until(
            pilot,
            lambda: store.macro(shared).body.startswith("Hi {{ customer.first_name }}"),  # type: ignore[union-attr]
        )
    state = store.conn.execute("SELECT state, decided_by FROM macro_proposals").fetchone()
    assert tuple(state) == ("published", ids["camille"])


async def test_the_leads_desk_is_for_leads(desk_store, make_app):
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, WorkstationScreen)
