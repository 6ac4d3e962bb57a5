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
