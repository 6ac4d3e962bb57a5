"""Unsent is visible, and a conflict keeps the agent's intent: on an in-memory helpdesk that
behaves as Request Tracker does, with the workstation in remote mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from deskterm.app import create_app
from deskterm.app.sync_runner import SyncRunner
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.domain.models import AuthorKind, Status
from deskterm.screens.snooze import SnoozeScreen
from deskterm.widgets.conversation_view import ThreadView
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.inbox_row import UNSENT_MARK
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, until
from tests.conftest import T0
from tests.fakes.memory_connector import PAUL, MemoryConnector, MemoryHelpdesk


def _remote(tmp_path: Path):
    desk = MemoryHelpdesk(T0)
    for i, who in enumerate(("Léa", "Ana", "Tom")):
        desk.add_ticket(str(i + 1), f"Question {i + 1}", f"message {i + 1}", customer=who)
    connector = MemoryConnector(desk)
    store = Store(tmp_path / "mirror.db")
    engine = SyncEngine(store, connector)
    engine.identify()
    me = store.agent(engine.local_agent_id() or 0)
    assert me is not None
    runner = SyncRunner(engine, interval=0.3, drain_every=0.1)
    app = create_app(
        store,
        quiet_settings(),
        agent_email=me.email,
        sync_runner=runner,
        live_update_seconds=0.1,
    )
    return desk, connector, store, app


def _thread(app) -> str:
    return app.screen.query_one(ThreadView).plain_text()


def _row_line(app, cid: int) -> str:
    """Both lines of the conversation's row in the inbox, as painted."""
    inbox = app.screen.query_one(InboxList)
    index = next(i for i in range(inbox.total) if (r := inbox.row_at(i)) and r.id == cid)
    top = index * 2 - int(inbox.scroll_offset.y)
    text = "\n".join(inbox.render_line(y).text for y in range(max(0, top - 1), top + 2))
    return text


async def test_an_unsent_reply_has_its_own_line_under_it_until_the_remote_takes_it(
    tmp_path: Path,
) -> None:
    desk, connector, store, app = _remote(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.bundle is not None)
        cid = app.screen.bundle.conversation.id
        connector.online = False
        store.add_message(
            cid,
            author_kind=AuthorKind.AGENT,
            author_id=app.agent.id,
            author_name=app.agent.name,
            body="On regarde tout de suite",
            outbox={"kind": "reply", "payload": {"body": "On regarde tout de suite"}},
        )
        # Answered, it waits on the customer: the agent finds it in that view.
        await until(pilot, lambda: store.unsent(cid) and store.unsent(cid)[0].attempts > 0)
        inbox = app.screen.query_one(InboxList)
        inbox.focus()
        await pilot.press("g", "w")
        await until(pilot, lambda: (r := inbox.row_at(0)) is not None and r.id == cid)
        await until(pilot, lambda: ": connection refused" in _thread(app))
        lines = _thread(app).splitlines()
        reply = next(i for i, line in enumerate(lines) if "On regarde tout de suite" in line)
        assert lines[reply + 2].strip().startswith("⧗ Not sent yet: your reply · ")
        assert UNSENT_MARK in _row_line(app, cid)
        connector.online = True
        app.sync_runner.sync_now()
        await until(pilot, lambda: "⧗" not in _thread(app), seconds=30)
        await until(pilot, lambda: UNSENT_MARK not in _row_line(app, cid))
        ticket = desk.tickets[store.conversation(cid).external_id]  # type: ignore[union-attr]
        assert ticket.messages[-1].body == "On regarde tout de suite"
        app.sync_runner.shutdown()
    store.close()


async def test_an_unsent_change_says_what_the_agent_did_and_marks_the_row(
    tmp_path: Path,
) -> None:
    desk, connector, store, app = _remote(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.bundle is not None)
        cid = app.screen.bundle.conversation.id
        assert UNSENT_MARK not in _row_line(app, cid)
        connector.online = False
        store.set_tags(cid, ["late"], agent_id=app.agent.id, outbox={"kind": "tags"})
        await until(pilot, lambda: "⧗ Not sent yet: you tagged this +late" in _thread(app))
        await until(pilot, lambda: UNSENT_MARK in _row_line(app, cid))
        connector.online = True
        app.sync_runner.sync_now()
        await until(pilot, lambda: UNSENT_MARK not in _row_line(app, cid), seconds=30)
        await until(pilot, lambda: "⧗" not in _thread(app), seconds=30)
        assert desk.tickets[store.conversation(cid).external_id].tags == ["late"]  # type: ignore[union-attr]
        app.sync_runner.shutdown()
    store.close()


async def test_the_line_goes_when_the_remote_took_the_action_while_the_agent_was_between_rows(
    tmp_path: Path,
) -> None:
    """A poll that comes while a row is about to open does not touch the thread; the next
    one must still see that the remote took the action."""
    _desk, connector, store, app = _remote(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.bundle is not None)
        cid = app.screen.bundle.conversation.id
        connector.online = False
        store.set_tags(cid, ["late"], agent_id=app.agent.id, outbox={"kind": "tags"})
        await until(pilot, lambda: "⧗ Not sent yet: you tagged this +late" in _thread(app))
        screen = app.screen
        screen._show_timer = screen.set_timer(3600, lambda: None)  # a row about to open
        connector.online = True
        app.sync_runner.sync_now()
        await until(pilot, lambda: UNSENT_MARK not in _row_line(app, cid), seconds=30)
        assert "⧗" in _thread(app)  # the thread waited while the agent was moving
        screen._show_timer.stop()
        screen._show_timer = None
        await until(pilot, lambda: "⧗" not in _thread(app), seconds=30)
        app.sync_runner.shutdown()
    store.close()


async def test_a_done_overtaken_by_a_colleague_shows_a_conflict_and_e_closes_it_anyway(
    tmp_path: Path,
) -> None:
    desk, connector, store, app = _remote(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.bundle is not None)
        cid = app.screen.bundle.conversation.id
        tid = store.conversation(cid).external_id  # type: ignore[union-attr]
        connector.online = False
        store.set_status(cid, Status.DONE, agent_id=app.agent.id, outbox={"kind": "status"})
        # The agent has moved on to another conversation (one on screen is read as it changes).
        other = store.conn.execute(
            "SELECT id FROM conversations WHERE id != ? ORDER BY id LIMIT 1", (cid,)
        ).fetchone()[0]
        app.screen.open_conversation_by_id(other)
        await until(pilot, lambda: app.screen.bundle.conversation.id == other)
        await until(pilot, lambda: "offline" in app.screen.query_one(StatusBar).sync_state)
        desk.add_message(tid, "Le pain arrive demain", author=PAUL)
        connector.online = True
        app.sync_runner.sync_now()
        line = "⚠ You closed this; Paul replied meanwhile. Close anyway? e"
        await until(pilot, lambda: store.messages(cid)[-1].body == line, seconds=30)
        assert desk.tickets[tid].status is Status.OPEN
        said = "Question 1: " + line
        await until(pilot, lambda: any(n.message == said for n in app._notifications))
        assert store.conversation(cid).unread  # type: ignore[union-attr]
        # Paul's reply waits on the customer: the conversation is in that view, not closed.
        inbox = app.screen.query_one(InboxList)
        inbox.focus()
        await pilot.press("g", "w")
        await until(pilot, lambda: any((r := inbox.row_at(i)) and r.id == cid for i in range(3)))
        inbox.cursor = next(i for i in range(3) if (r := inbox.row_at(i)) and r.id == cid)
        await until(pilot, lambda: line in _thread(app))
        assert app.screen.bundle.conversation.id == cid
        await pilot.press("e")
        await until(pilot, lambda: desk.tickets[tid].status is Status.DONE, seconds=30)
        app.sync_runner.shutdown()
    store.close()


async def test_a_snooze_overtaken_by_the_customer_is_snoozed_again_to_the_same_time(
    tmp_path: Path,
) -> None:
    desk, connector, store, app = _remote(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.bundle is not None)
        cid = app.screen.bundle.conversation.id
        tid = store.conversation(cid).external_id  # type: ignore[union-attr]
        connector.online = False
        until_then = (datetime.now(UTC) + timedelta(hours=5)).replace(second=0, microsecond=0)
        store.snooze(cid, until_then, agent_id=app.agent.id, outbox={"kind": "snooze"})
        await until(pilot, lambda: "offline" in app.screen.query_one(StatusBar).sync_state)
        desk.add_message(tid, "Still waiting, any news?", author=None)
        connector.online = True
        app.sync_runner.sync_now()
        line = "wrote meanwhile. Snooze anyway? z"
        await until(pilot, lambda: store.messages(cid)[-1].body.endswith(line), seconds=30)
        assert desk.tickets[tid].snoozed_until is None
        # The customer's message woke it: it is in the inbox again; open it.
        inbox = app.screen.query_one(InboxList)
        inbox.focus()
        await until(pilot, lambda: any((r := inbox.row_at(i)) and r.id == cid for i in range(3)))
        inbox.cursor = next(i for i in range(3) if (r := inbox.row_at(i)) and r.id == cid)
        await until(pilot, lambda: "Snooze anyway? z" in _thread(app))
        await pilot.press("z")
        await until(pilot, lambda: isinstance(app.screen, SnoozeScreen))
        assert app.screen.kept is not None and app.screen.kept.until == until_then
        await pilot.press("0", "enter")
        await until(pilot, lambda: desk.tickets[tid].snoozed_until == until_then, seconds=30)
        app.sync_runner.shutdown()
    store.close()
