"""A macro a lead publishes on a Zendesk mirror, against the fake Zendesk: created or changed
in Zendesk's shared library, pulled back without a duplicate, refused (403) for a role that
may not manage shared macros, retried after a 500 or a 429 without making it twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from deskterm.backend.connectors.zendesk import ZendeskConnector
from deskterm.backend.leads import reads
from deskterm.backend.leads.proposals import propose_macro, publish_proposal
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from deskterm.backend.sync.protocol import MacroPublication
from tests.fakes import FakeZendesk

NOW = datetime.now(UTC).replace(microsecond=0)


def _engine(zendesk: FakeZendesk, path: Path) -> SyncEngine:
    options = ConnectorOptions(
        url=zendesk.url, user=zendesk.agent["email"], token=zendesk.api_token, timeout=3.0
    )
    engine = SyncEngine(Store(path), ZendeskConnector.from_options(options))
    engine.identify()
    return engine


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=NOW, incremental_rate_limit=None) as server:
        yield server
    assert not server.errors, server.errors[0]


@pytest.fixture
def engine(zendesk: FakeZendesk, tmp_path: Path) -> Iterator[SyncEngine]:
    e = _engine(zendesk, tmp_path / "zd.db")
    yield e
    e.connector.close()
    e.store.close()


def _publish(engine: SyncEngine, title: str, body: str, actions: Any = ()) -> int:
    store = engine.store
    found = store.conn.execute("SELECT id FROM agents WHERE email = 'paul@popote.example'")
    row = found.fetchone()
    paul = int(row[0]) if row else store.add_agent("Paul", "paul@popote.example")
    lead = store.agent(engine.local_agent_id() or 0)
    mine = store.macro(store.add_macro(title, body, actions=actions, owner_agent_id=paul))
    assert lead is not None and mine is not None
    proposal = propose_macro(store, mine, agent=store.agent(paul))  # type: ignore[arg-type]
    return publish_proposal(store, proposal, lead=lead, remote=True)


def _shared(zendesk: FakeZendesk, title: str) -> list[dict[str, Any]]:
    return [m for m in zendesk.macros.values() if m["title"] == title]


def test_a_new_macro_is_created_in_zendesks_shared_library(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    actions = [{"field": "status", "value": "pending"}, {"field": "snooze", "value": "2h"}]
    shared = _publish(engine, "Late delivery", "Hi {{ customer.first_name }}, on its way.", actions)
    assert engine.drain().pushed == 1
    [macro] = _shared(zendesk, "Late delivery")
    assert macro["restriction"] is None and macro["active"] is True
    assert macro["actions"] == [
        {"field": "status", "value": "pending"},
        {"field": "comment_value", "value": "Hi {{ ticket.requester.first_name }}, on its way."},
    ]
    assert engine.store.macro(shared).external_id == str(macro["id"])  # type: ignore[union-attr]
    # The next pull brings it back onto the same macro, its snooze kept.
    engine.import_macros()
    mine = [m for m in engine.store.macros() if m.shared and m.title == "Late delivery"]
    assert [m.id for m in mine] == [shared]
    assert {a.field for a in mine[0].actions} == {"status", "snooze"}
    assert mine[0].body == "Hi {{ ticket.requester.first_name }}, on its way."


def test_a_change_to_a_macro_from_zendesk_changes_it_there(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    zendesk.add_macro("Refund", [{"field": "comment_value", "value": "On its way."}])
    engine.import_macros()
    _publish(engine, "Refund", "Refunded today.", [{"field": "add_tags", "value": "refund"}])
    engine.drain()
    [macro] = _shared(zendesk, "Refund")
    assert macro["actions"] == [
        {"field": "current_tags", "value": "refund"},
        {"field": "comment_value", "value": "Refunded today."},
    ]
    assert [r.method for r in zendesk.requests if "/macros" in r.path][-1] == "PUT"


def test_an_agent_whose_role_may_not_manage_shared_macros_gets_a_line(tmp_path: Path) -> None:
    with FakeZendesk(now=NOW, incremental_rate_limit=None, agent_role="agent") as zendesk:
        engine = _engine(zendesk, tmp_path / "zd.db")
        shared = _publish(engine, "Late delivery", "On its way.")
        report = engine.drain()
        assert report.failed == 1 and zendesk.macros == {}
        [line] = reads.unshared(engine.store.conn)
        assert line.macro_id == shared
        assert line.reason.startswith("Zendesk refused it: your Zendesk role may not manage")
        assert engine.store.macro(shared).body == "On its way."  # type: ignore[union-attr]
        # Once the role allows it, publishing again creates it.
        zendesk.agents_manage_shared_macros = True
        _publish(engine, "Late delivery", "On its way!")
        engine.drain()
        assert len(_shared(zendesk, "Late delivery")) == 1
        assert reads.unshared(engine.store.conn) == []
        engine.connector.close()
        engine.store.close()


@pytest.mark.parametrize("status", [500, 429])
def test_a_failed_try_is_retried_and_makes_one_macro(
    zendesk: FakeZendesk, engine: SyncEngine, status: int
) -> None:
    _publish(engine, "Late delivery", "On its way.")
    zendesk.fail_next(1, status, retry_after=1 if status == 429 else None)
    engine.drain()
    assert _shared(zendesk, "Late delivery") == []
    engine.drainer.paused_until = None  # the wait is over
    engine.drainer.hurry()
    assert engine.drain().pushed == 1
    assert len(_shared(zendesk, "Late delivery")) == 1


def test_a_create_that_landed_without_its_answer_is_not_made_twice(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    comment = [{"field": "comment_value", "value": "On its way."}]
    landed = zendesk.add_macro("Late delivery", comment)
    publication = MacroPublication("Late delivery", "On its way.", [], None, "key", attempts=2)
    assert engine.connector.publish_macro(publication) == str(landed["id"])  # type: ignore[attr-defined]
    assert len(_shared(zendesk, "Late delivery")) == 1


# -- on the leads' desk, in the app ----------------------------------------------------------


async def _lead_publishes(
    engine: SyncEngine, title: str, body: str, *, refused: bool = False
) -> Any:
    """Run the app as the signed-in Zendesk user (a lead), publish the one proposal on the
    leads' desk; returns the detail text and the notices shown."""
    from textual.widgets import OptionList

    from deskterm.app import create_app
    from deskterm.app.sync_runner import SyncRunner
    from deskterm.screens.leads import LeadsScreen
    from tests.app.conftest import SIZE, quiet_settings, until

    store = engine.store
    paul = store.add_agent("Paul", "paul@popote.example")
    mine = store.macro(store.add_macro(title, body, owner_agent_id=paul))
    assert mine is not None
    propose_macro(store, mine, agent=store.agent(paul))  # type: ignore[arg-type]
    me = store.agent(engine.local_agent_id() or 0)
    assert me is not None
    runner = SyncRunner(engine, interval=60, drain_every=0.1)
    app = create_app(
        store, quiet_settings(leads=[me.email]), agent_email=me.email, sync_runner=runner
    )
    async with app.run_test(size=SIZE) as pilot:
        # The sync worker never completes: wait for what each step shows, not for workers.
        await until(pilot, lambda: _synced(app))
        await pilot.press("g", "l")
        await until(pilot, lambda: isinstance(app.screen, LeadsScreen))
        leads = app.screen
        assert isinstance(leads, LeadsScreen)
        await until(pilot, lambda: bool(leads.items))
        options = leads.query_one(OptionList)
        for _ in range(options.option_count):
            if leads.current is not None and leads.current.kind == "proposal":
                break
            await pilot.press("down")
        detail = str(leads.query_one("#leads-text").render())
        await pilot.press("a")
        await until(pilot, lambda: not any(i.kind == "proposal" for i in leads.items))
        outbox = "SELECT state FROM outbox WHERE kind = 'shared_macro'"
        await until(pilot, lambda: store.conn.execute(outbox).fetchone()[0] != "pending")

        def listed() -> list[str]:
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        if refused:
            await until(pilot, lambda: any("deskterm only" in line for line in listed()))
        else:
            await pilot.pause(0.3)
        notices = [f"{n.title}: {n.message}" for n in app._notifications]
        lines = listed()
        runner.shutdown()
    return detail, notices, lines


def _synced(app: Any) -> bool:
    from deskterm.widgets.status_bar import StatusBar

    bars = app.screen.query(StatusBar)
    return bool(bars) and bars.first().sync_state == "synced"


async def test_a_lead_publishes_on_the_leads_desk_and_zendesk_has_it(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    body = "Hi {{ customer.first_name }}, order {{ order.number }} is on its way."
    detail, notices, listed = await _lead_publishes(engine, "Late delivery", body)
    assert "Publishing also writes it to Zendesk's shared library." in detail
    assert "Zendesk's own agents see nothing for: order.number" in detail
    assert ": Published to the shared library; going to Zendesk's too" in notices
    [macro] = _shared(zendesk, "Late delivery")
    assert macro["restriction"] is None
    assert {"field": "comment_value", "value": body.replace("customer.", "ticket.requester.")} in (
        macro["actions"]
    )
    assert not any("deskterm only" in line for line in listed)


async def test_a_lead_whose_zendesk_role_may_not_sees_the_macro_is_deskterms_only(
    tmp_path: Path,
) -> None:
    with FakeZendesk(now=NOW, incremental_rate_limit=None, agent_role="agent") as zendesk:
        engine = _engine(zendesk, tmp_path / "zd.db")
        _detail, notices, listed = await _lead_publishes(
            engine, "Late delivery", "On its way.", refused=True
        )
        assert zendesk.macros == {}
        [line] = [line for line in listed if "deskterm only" in line]
        assert "“Late delivery” is in deskterm only: Zendesk refused it: your Zendesk role" in (
            line
        )
        assert [m.title for m in engine.store.macros() if m.shared] == ["Late delivery"]
        # Said at once wherever the lead is, and listed on the leads' desk without a refresh.
        assert (
            "Published in deskterm only: “Late delivery”: Zendesk refused it: your Zendesk role "
            "may not manage shared macros (403): ask a Zendesk admin"
        ) in notices
        engine.connector.close()
        engine.store.close()


def test_a_change_to_a_macro_deleted_in_zendesk_since_creates_it_again(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    old = zendesk.add_macro("Refund", [{"field": "comment_value", "value": "On its way."}])
    engine.import_macros()
    del zendesk.macros[old["id"]]
    shared = _publish(engine, "Refund", "Refunded today.")
    assert engine.drain().pushed == 1
    [macro] = _shared(zendesk, "Refund")
    assert macro["id"] != old["id"]
    assert engine.store.macro(shared).external_id == str(macro["id"])  # type: ignore[union-attr]
