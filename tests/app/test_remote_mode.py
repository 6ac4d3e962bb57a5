"""The workstation in remote mode, on an in-memory helpdesk: streamed first sync, actions
through the outbox, offline footer, the quit warning."""

from __future__ import annotations

import asyncio
from pathlib import Path

from deskterm.app import create_app
from deskterm.app.sync_runner import SyncRunner
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.models import Status
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, until
from tests.conftest import T0
from tests.fakes.memory_connector import PAUL, MemoryConnector, MemoryHelpdesk


def _remote(tmp_path: Path, n: int = 30):
    desk = MemoryHelpdesk(T0)
    for i in range(n):
        desk.add_ticket(str(i + 1), f"Question {i + 1}", f"message {i + 1}", customer=f"c{i}")
    desk.tickets["1"].assignee = PAUL
    connector = MemoryConnector(desk, batch_size=5)
    store = Store(tmp_path / "mirror.db")
    engine = SyncEngine(store, connector)
    engine.identify()
    me = store.agent(engine.local_agent_id() or 0)
    assert me is not None
    runner = SyncRunner(engine, interval=0.3, drain_every=0.1)
    app = create_app(store, quiet_settings(), agent_email=me.email, sync_runner=runner)
    return desk, connector, store, app


def _status(app) -> str:
    return app.screen.query_one(StatusBar).sync_state


async def test_first_sync_streams_into_a_usable_inbox_and_actions_reach_the_remote(
    tmp_path: Path,
) -> None:
    desk, _connector, store, app = _remote(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _status(app) == "synced")
        inbox = app.screen.query_one(InboxList)
        await until(pilot, lambda: inbox.cursor_id is not None)
        await until(pilot, lambda: app.screen.bundle is not None)
        target = inbox.cursor_id
        conv = store.conversation(target)
        assert conv is not None and conv.external_id
        await pilot.press("e")  # done
        await until(pilot, lambda: desk.tickets[conv.external_id].status == Status.DONE)
        assert waiting(store) == 0
        assert "Paul" in {a.name for a in app.agents}  # an assignee the sync brought in
        app.sync_runner.shutdown()
    store.close()


async def test_offline_footer_and_quit_warning_keep_the_outbox(tmp_path: Path) -> None:
    _desk, connector, store, app = _remote(tmp_path, n=3)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _status(app) == "synced")
        await until(pilot, lambda: app.screen.bundle is not None)
        connector.online = False
        await pilot.press("e")
        await until(pilot, lambda: _status(app) == "offline, 1 action waiting")
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
        assert app.is_running  # warned, not gone
        assert any("not yet sent" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
        await asyncio.sleep(0.2)
    assert waiting(store) == 1  # kept for next time
    store.close()


async def test_on_a_remote_without_shared_macros_the_leads_desk_says_publishing_is_local(
    tmp_path: Path,
) -> None:
    from textual.widgets import OptionList

    from deskterm.backend.leads.proposals import propose_macro
    from deskterm.screens.leads import LeadsScreen

    class RequestTracker(MemoryConnector):
        label = "Request Tracker"  # like RT's connector: no shared macros to write to

    desk = MemoryHelpdesk(T0)
    desk.add_ticket("1", "Question", "message")
    store = Store(tmp_path / "mirror.db")
    engine = SyncEngine(store, RequestTracker(desk))
    engine.identify()
    me = store.agent(engine.local_agent_id() or 0)
    assert me is not None
    paul = store.add_agent("Paul", "paul@popote.example")
    mine = store.macro(store.add_macro("Late delivery", "Sorry {{ customer.first_name }}!",
                                       owner_agent_id=paul))  # fmt: skip
    assert mine is not None
    propose_macro(store, mine, agent=store.agent(paul))  # type: ignore[arg-type]
    runner = SyncRunner(engine, interval=60, drain_every=0.1)
    app = create_app(store, quiet_settings(leads=[me.email]), agent_email=me.email,
                     sync_runner=runner)  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _status(app) == "synced")
        await pilot.press("g", "l")
        await until(pilot, lambda: isinstance(app.screen, LeadsScreen) and bool(app.screen.items))
        leads = app.screen
        options = leads.query_one(OptionList)
        for _ in range(options.option_count):
            if leads.current is not None and leads.current.kind == "proposal":
                break
            await pilot.press("down")
        detail = str(leads.query_one("#leads-text").render())
        assert "Request Tracker has no shared macros API: this publishes in deskterm only." in (
            detail
        )
        await pilot.press("a")
        shared = "SELECT count(*) FROM macros WHERE owner_agent_id IS NULL AND title = ?"
        await until(
            pilot, lambda: store.conn.execute(shared, ("Late delivery",)).fetchone()[0] == 1
        )
        await until(pilot, lambda: any("deskterm only" in n.message for n in app._notifications))
        assert waiting(store) == 0
        app.sync_runner.shutdown()
    store.close()
