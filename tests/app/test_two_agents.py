"""Two agents on one store file, one through the app, the other through a second Store (as a
second deskterm process would be): tags from both stay, and a take over someone else's is
refused with a notice, never silent."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from deskterm.backend.store import Store
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE, settle


def _warnings(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "warning"]


@pytest.fixture
def paul(desk_store, clock) -> Iterator[Store]:
    """Paul Roux's deskterm: a second Store on the same file, as another process has."""
    store, _ = desk_store
    other = Store(store.path, clock=clock)
    yield other
    other.close()


async def test_tags_added_by_two_agents_at_once_all_stay(make_app, desk_store, clock, paul):
    store, ids = desk_store
    app = make_app()
    # Paul tags the conversation at the very moment Camille's tag is being written: between
    # the read of the tags and the write (from another thread, as from another process).
    real_set_tags = store._triage.set_tags  # change_tags calls it between read and write
    raced: list[threading.Thread] = []

    def set_tags_while_paul_tags(cid, tags, **kw):
        if not raced:
            other = threading.Thread(
                target=lambda: paul.change_tags(cid, add=["paul-was-here"], agent_id=ids["paul"])
            )
            raced.append(other)
            other.start()
            other.join(timeout=0.5)  # it waits for the write lock if Camille holds it
        return real_set_tags(cid, tags, **kw)

    store._triage.set_tags = set_tags_while_paul_tags  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        await pilot.press("t", *"refund", "enter")
        await settle(pilot)
        raced[0].join(timeout=10)
        for n in range(5):
            paul.change_tags(target, add=[f"paul-{n}"], agent_id=ids["paul"])
            await pilot.press("t", *f"camille-{n}", "enter")
        await settle(pilot)
        tags = set(store.conversation(target).tags)
    expected = {"refund", "paul-was-here"} | {
        f"{who}-{n}" for who in ("paul", "camille") for n in range(5)
    }
    assert expected <= tags, f"lost: {sorted(expected - tags)}"


async def test_a_take_after_another_agent_took_it_is_refused_with_a_notice(
    make_app, desk_store, clock, paul
):
    store, ids = desk_store
    app = make_app(live_update_seconds=3600)  # the screen still shows what it read
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        assert store.conversation(target).assignee_id is None
        # Camille sees it unassigned; Paul takes it from his terminal; 10 s later she presses i.
        paul.assign(target, ids["paul"], agent_id=ids["paul"], seen={"assignee_id": None})
        clock.advance(seconds=10)
        await pilot.press("i")
        await settle(pilot)
        assert store.conversation(target).assignee_id == ids["paul"]
        assert [e.agent_id for e in store.events(target) if e.kind == "assign"] == [ids["paul"]]
        assert "Paul Roux took this 10 s ago — press i again to take it anyway" in _warnings(app)
        # She has been told: the same key again takes it.
        await pilot.press("i")
        await settle(pilot)
        assert store.conversation(target).assignee_id == app.agent.id


async def test_a_bulk_take_skips_and_counts_those_another_agent_took(
    make_app, desk_store, clock, paul
):
    store, ids = desk_store
    app = make_app(live_update_seconds=3600)  # the screen still shows what it read
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        for _ in range(3):
            await pilot.press("J")  # the row under the cursor and the next: 4 rows
        await settle(pilot)
        chosen = sorted(inbox.selected_ids)
        assert len(chosen) == 4
        taken = chosen[1]
        paul.assign(taken, ids["paul"], agent_id=ids["paul"])
        await pilot.press("i")
        await settle(pilot)
        assert store.conversation(taken).assignee_id == ids["paul"]
        others = [c for c in chosen if c != taken]
        assert all(store.conversation(c).assignee_id == app.agent.id for c in others)
        told = _warnings(app)[-1]
        assert "Assigned to you — 3 conversations" in told
        assert "1 of 4 skipped" in told and "(Paul Roux took this 0 s ago)" in told
        assert "press i again to take it anyway" in told
        # The skipped one stays selected, for the same key again.
        assert inbox.selected_ids == {taken}
        await pilot.press("i")
        await settle(pilot)
        assert store.conversation(taken).assignee_id == app.agent.id


async def test_a_priority_set_meanwhile_by_another_agent_is_not_overwritten(
    make_app, desk_store, clock, paul
):
    store, ids = desk_store
    app = make_app(live_update_seconds=3600)  # the screen still shows what it read
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        paul.update_conversation(
            target, {"priority": "urgent"}, agent_id=ids["paul"], kind="priority"
        )
        clock.advance(minutes=2)
        await pilot.press("p", *"high", "enter")
        await settle(pilot)
        assert store.conversation(target).priority == "urgent"
        assert (
            "Paul Roux set the priority to urgent 2 min ago — press p again to set it anyway"
            in _warnings(app)
        )
        await pilot.press("p", *"high", "enter")
        await settle(pilot)
        assert store.conversation(target).priority == "high"
