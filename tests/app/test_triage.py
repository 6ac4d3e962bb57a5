"""Inbox zero, driven by keys: send & done, done, snooze, wake, undo, assign, tags, bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input

from deskterm.backend.views import BUILTIN_VIEWS
from deskterm.domain.models import UNTIL_REPLY, AuthorKind, Status
from deskterm.domain.snooze import parse_snooze
from deskterm.screens.snooze import SnoozeScreen
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE, burst, settle, until
from tests.app.test_workstation import desk, shown_id

INBOX = BUILTIN_VIEWS[0]


async def test_send_and_done_answers_closes_and_advances(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = shown_id(app)
        assert first == ids["bread"]
        count = store.count(INBOX)
        await pilot.press("r", *"Désolée Léa, on renvoie le pain.", "ctrl+o")
        await settle(pilot, 5)
        conv = store.conversation(first)
        assert conv.status is Status.DONE
        assert store.messages(first)[-1].body == "Désolée Léa, on renvoie le pain."
        assert store.count(INBOX) == count - 1
        inbox = app.screen.query_one(InboxList)
        assert inbox.cursor_id not in (None, first)
        assert shown_id(app) == inbox.cursor_id
        assert store.draft(first, app.agent.id) is None


async def test_triage_the_whole_inbox_to_zero(make_app, desk_store):
    store, _ = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(store.count(INBOX)):
            await pilot.press("r", *"Thanks, done.", "ctrl+o")
            await settle(pilot, 4)
        assert store.count(INBOX) == 0
        assert "Inbox zero" in _text(app)


async def test_done_and_undo(make_app, desk_store):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        await pilot.press("e")
        await settle(pilot)
        assert store.conversation(target).status is Status.DONE
        await pilot.press("u")
        await settle(pilot)
        assert store.conversation(target).status is not Status.DONE
        await pilot.press("E")  # reopen works on a done one too; here: nothing breaks
        await settle(pilot)


async def test_snooze_with_a_preset_and_with_free_text(make_app, desk_store, clock):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, SnoozeScreen)
        await pilot.press("1")  # in one hour: shown, not yet done
        await pilot.pause()
        assert "in 1 h" in _text(app) and store.conversation(target).snoozed_until is None
        await pilot.press("enter")
        await settle(pilot)
        conv = store.conversation(target)
        assert conv.snoozed_until == clock.now + timedelta(hours=1)
        assert target not in [r.id for r in store.page(INBOX, limit=100)]
        nxt = app.screen.query_one(InboxList).cursor_id
        await pilot.press("z", *"demain 14h")
        await pilot.pause()
        assert "until" in _text(app)
        await pilot.press("enter")
        await settle(pilot)
        snoozed = store.conversation(nxt).snoozed_until
        assert snoozed is not None and snoozed.astimezone(app.tz).hour == 14


async def test_every_snooze_preset_parses(make_app, desk_store, clock):
    store, _ = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in "12345":
            target = app.screen.query_one(InboxList).cursor_id
            await pilot.press("z", key, "enter")
            await settle(pilot)
            assert store.conversation(target).snoozed_until is not None, key


async def test_snoozed_conversations_wake_by_time_and_by_reply(make_app, desk_store, clock):
    store, _ids = desk_store
    app = make_app(live_update_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.screen.query_one(InboxList).cursor_id
        await pilot.press("z", "1", "enter")
        await settle(pilot)
        second = app.screen.query_one(InboxList).cursor_id
        await pilot.press("z", "5", "enter")  # until the customer replies
        await settle(pilot)
        clock.advance(hours=1, minutes=1)
        await until(pilot, lambda: store.conversation(first).snoozed_until is None)  # the poll
        await settle(pilot)
        assert store.conversation(first).snoozed_until is None
        assert store.conversation(first).woken_at is not None
        assert store.conversation(second).snoozed_until is not None
        store.add_message(second, author_kind=AuthorKind.CUSTOMER, body="Here is the photo")
        assert store.conversation(second).snoozed_until is None
        ids_now = [r.id for r in store.page(INBOX, limit=100)]
        assert first in ids_now and second in ids_now


async def test_undo_send_puts_the_reply_back(make_app, desk_store):
    store, ids = desk_store
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = len(store.messages(ids["bread"]))
        await pilot.press("r", *"Oops, wrong customer", "ctrl+s")
        await settle(pilot)
        assert len(store.messages(ids["bread"])) == before  # held, not yet sent
        await pilot.press("escape", "u")
        await settle(pilot)
        assert desk(app).composer.text == "Oops, wrong customer"
        assert len(store.messages(ids["bread"])) == before


async def test_a_held_reply_is_sent_when_quitting(make_app, desk_store):
    store, ids = desk_store
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"On it", "ctrl+s")
        await settle(pilot)
        await app.action_quit()
    assert store.messages(ids["bread"])[-1].body == "On it"


async def test_take_assign_and_tag(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        await pilot.press("i")
        await settle(pilot)
        assert store.conversation(target).assignee_id == app.agent.id
        await pilot.press("a", *"paul", "enter")
        await settle(pilot)
        assert store.conversation(target).assignee_id == ids["paul"]
        await pilot.press("t", *"goodwill", "enter")
        await settle(pilot)
        assert "goodwill" in store.conversation(target).tags
        await pilot.press("u")
        await settle(pilot)
        assert "goodwill" not in store.conversation(target).tags


async def test_bulk_done_ten_and_undo_in_one_key(make_app, desk_store):
    store, _ = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        total = store.count(INBOX)
        assert total >= 10
        for _ in range(9):
            await pilot.press("J")  # the row under the cursor and the next: 10 rows
        await settle(pilot)
        chosen = set(app.screen.query_one(InboxList).selected_ids)
        assert len(chosen) == 10
        await pilot.press("e")
        await settle(pilot)
        assert store.count(INBOX) == total - 10
        assert all(store.conversation(c).status is Status.DONE for c in chosen)
        await pilot.press("u")
        await settle(pilot)
        assert store.count(INBOX) == total


async def test_stale_thread_asks_before_sending(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Your bread is on its way")
        store.add_message(
            ids["bread"], author_kind=AuthorKind.CUSTOMER, body="Actually forget it, I found it!"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Send your reply anyway?" in _text(app)
        await pilot.press("n")
        await settle(pilot)
        assert store.messages(ids["bread"])[-1].body == "Actually forget it, I found it!"


def _text(app) -> str:
    from tests.app.test_workstation import _export

    return _export(app)


async def test_a_preset_typed_in_the_same_burst_as_z_snoozes(make_app, desk_store, clock):
    """`z` `1` `enter` arriving together (typed while the app was busy): the `1` reached the
    inbox before the picker opened; it still picks the preset, in the picker's box."""
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        burst(app, "z", "1", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, SnoozeScreen)
        assert store.conversation(target).snoozed_until == clock.now + timedelta(hours=1)


@pytest.mark.parametrize("typed", ["14h30", "2h", "30m", "1er janvier", "5 min"])
async def test_free_text_starting_with_a_preset_digit_is_read_as_typed(
    make_app, desk_store, clock, typed
):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        await pilot.press("z", *typed)
        await settle(pilot)
        assert isinstance(app.screen, SnoozeScreen)  # no preset fired on the first digit
        assert store.conversation(target).snoozed_until is None
        expected = parse_snooze(typed, clock.now, app.tz).until
        await pilot.press("enter")
        await settle(pilot)
        assert store.conversation(target).snoozed_until == expected


async def test_until_her_reply_in_french_and_wake_now(make_app, desk_store, clock):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(InboxList).cursor_id
        await pilot.press("z")
        await pilot.pause()
        app.screen.query_one(Input).value = "jusqu'à sa réponse"
        await pilot.pause()
        assert "until the customer replies" in _text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert store.conversation(target).snoozed_until == UNTIL_REPLY
        # From the Snoozed view, the same picker wakes it: "now" (or "réveiller").
        await pilot.press("g", "s")
        await settle(pilot)
        assert app.screen.query_one(InboxList).cursor_id == target
        await pilot.press("z", *"now")
        await pilot.pause()
        assert "wake it now" in _text(app)
        await pilot.press("enter")
        await settle(pilot)
        conv = store.conversation(target)
        assert conv.snoozed_until is None
        assert target in [r.id for r in store.page(INBOX, limit=100)]
        await pilot.press("u")  # and it can be undone
        await settle(pilot)
        assert store.conversation(target).snoozed_until == UNTIL_REPLY
