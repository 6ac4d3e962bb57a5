"""Agents without admin rights sync through the search export, to the same mirror as an admin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.zendesk import DELETED_EVERY, SEARCH_LAG, ZendeskConnector
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from deskterm.backend.sync.mirror import get_state
from deskterm.backend.views import View
from deskterm.domain.models import Channel
from tests.fakes import FakeZendesk

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(hours=2)


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=NOW, incremental_rate_limit=None) as server:
        yield server
    assert not server.errors, server.errors[0]


@pytest.fixture
def paul(zendesk: FakeZendesk) -> dict:
    return zendesk.add_user("Paul Agent", "paul@example.com", role="agent", created_at=PAST)


def _engine(zendesk: FakeZendesk, email: str, path: Path) -> SyncEngine:
    options = ConnectorOptions(url=zendesk.url, user=email, token=zendesk.api_token, timeout=3.0)
    connector = ZendeskConnector.from_options(options)
    connector.clock = lambda: zendesk.clock()  # its throttle follows the fake's time
    engine = SyncEngine(Store(path), connector)
    engine.identify()
    return engine


@pytest.fixture
def both(zendesk: FakeZendesk, paul: dict, tmp_path: Path) -> Iterator[list[SyncEngine]]:
    engines = [
        _engine(zendesk, zendesk.agent["email"], tmp_path / "admin.db"),
        _engine(zendesk, paul["email"], tmp_path / "agent.db"),
    ]
    yield engines
    for e in engines:
        e.connector.close()
        e.store.close()


def _mirror(engine: SyncEngine) -> dict[str, tuple]:
    """What the mirror holds, by remote id (local ids and clocks aside)."""
    rows = engine.store.conn.execute(
        "SELECT c.external_id, c.subject, c.status, c.channel, c.tags, c.bucket, c.priority, "
        "a.external_id AS assignee, cu.external_id AS customer FROM conversations c "
        "LEFT JOIN agents a ON a.id = c.assignee_id JOIN customers cu ON cu.id = c.customer_id"
    ).fetchall()
    mirror = {}
    for r in rows:
        conv = engine.store.conversation_by_external(r["external_id"])
        assert conv is not None
        thread = tuple(
            (m.external_id, str(m.author_kind), m.public, m.body)
            for m in engine.store.messages(conv.id)
        )
        mirror[r["external_id"]] = (*tuple(r)[1:], thread)
    return mirror


def _seed(zendesk: FakeZendesk, paul: dict) -> dict[str, int]:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    a = zendesk.add_ticket("Missing bread", lea["id"], "il manque le pain", created_at=PAST,
                           via="whatsapp", tags=["vip"])  # fmt: skip
    b = zendesk.add_ticket("Refund", lea["id"], "where is my refund?", created_at=PAST,
                           via="email", assignee_id=paul["id"], status="open")  # fmt: skip
    zendesk.add_comment(b.id, paul["id"], "Refund sent", created_at=PAST + timedelta(minutes=5))
    zendesk.add_comment(b.id, paul["id"], "asked finance", public=False,
                        created_at=PAST + timedelta(minutes=6))  # fmt: skip
    c = zendesk.add_ticket("Thanks", lea["id"], "all good", created_at=PAST, status="solved")
    return {"lea": lea["id"], "a": a.id, "b": b.id, "c": c.id}


def test_an_agent_syncs_the_same_mirror_as_an_admin(
    zendesk: FakeZendesk, paul: dict, both: list[SyncEngine]
) -> None:
    admin, agent = both
    ids = _seed(zendesk, paul)
    for engine in both:
        assert engine.pull().created == 3
    assert _mirror(agent) == _mirror(admin)
    assert len(_mirror(agent)) == 3
    whatsapp = agent.store.conversation_by_external(str(ids["a"]))
    assert whatsapp is not None and whatsapp.channel == Channel.WHATSAPP
    assert [r.id for r in agent.store.page(View("channel:whatsapp", "WhatsApp"))] == [whatsapp.id]
    agent_paths = {r.path for r in zendesk.requests if r.user_id == paul["id"]}
    assert "/api/v2/search/export.json" in agent_paths
    assert not any("/incremental/" in p for p in agent_paths)

    # Later changes: a customer reply, a status change, a new ticket.
    zendesk.advance(300)
    zendesk.add_comment(ids["c"], ids["lea"], "one more thing", created_at=zendesk.now_ts() - 90)
    zendesk.add_ticket("New one", ids["lea"], "hello", created_at=zendesk.now_ts() - 80)
    zendesk.advance(120)
    for engine in both:
        engine.pull()
    assert _mirror(agent) == _mirror(admin)
    assert len(_mirror(agent)) == 4


def test_the_agents_cursor_rereads_the_not_yet_searchable_minutes_but_not_the_comments(
    zendesk: FakeZendesk, paul: dict, both: list[SyncEngine]
) -> None:
    _admin, agent = both
    ids = _seed(zendesk, paul)
    agent.pull()
    cursor = get_state(agent.store, "zendesk", "cursor")
    assert cursor is not None
    newest = max(t.updated for t in zendesk.tickets.values())
    assert json.loads(cursor) == {"since": newest - SEARCH_LAG}

    # A ticket Zendesk has not indexed yet when the agent pulls.
    zendesk.search_index_delay = 120
    zendesk.advance(30)
    late = zendesk.add_ticket("Late", ids["lea"], "indexed later", created_at=zendesk.now_ts())
    zendesk.add_comment(ids["a"], ids["lea"], "any news?")
    zendesk.requests.clear()
    agent.pull()
    assert agent.store.conversation_by_external(str(late.id)) is None
    # Only the changed ticket's comments were read again, not those of the unchanged ones.
    comments = {r.path for r in zendesk.requests if r.path.endswith("/comments.json")}
    assert comments == {f"/api/v2/tickets/{ids['a']}/comments.json"}
    zendesk.advance(200)
    agent.pull()
    assert agent.store.conversation_by_external(str(late.id)) is not None


def test_an_admin_whose_export_is_refused_falls_back_to_search(
    zendesk: FakeZendesk, paul: dict, both: list[SyncEngine]
) -> None:
    admin, _agent = both
    _seed(zendesk, paul)
    refused = {"error": "Forbidden", "description": "You do not have access to this page."}
    zendesk.fail_path("/api/v2/incremental/tickets/cursor.json", 403, refused)
    assert admin.pull().created == 3
    assert "since" in json.loads(get_state(admin.store, "zendesk", "cursor") or "{}")


def test_an_agent_learns_of_deleted_tickets_from_the_deleted_list(
    zendesk: FakeZendesk, paul: dict, both: list[SyncEngine]
) -> None:
    admin, agent = both
    ids = _seed(zendesk, paul)
    for engine in both:
        engine.pull()
    zendesk.delete_ticket(ids["a"], by=paul["id"])
    zendesk.advance(120)
    for engine in both:
        assert engine.pull().removed == 1
    assert _mirror(agent) == _mirror(admin)
    assert _mirror(agent)[str(ids["a"])][4] == "gone"  # its bucket: in no view
    asked = [r for r in zendesk.requests if r.path == "/api/v2/deleted_tickets.json"]
    assert asked and all(r.user_id == paul["id"] for r in asked)
    assert asked[-1].query["sort_by"] == "deleted_at" and asked[-1].query["sort_order"] == "desc"


def test_a_rate_limited_deleted_list_keeps_the_agents_window(
    zendesk: FakeZendesk, paul: dict, both: list[SyncEngine]
) -> None:
    _admin, agent = both
    ids = _seed(zendesk, paul)
    agent.pull()
    before = get_state(agent.store, "zendesk", "cursor")
    zendesk.advance(900)
    zendesk.add_comment(ids["b"], ids["lea"], "any news?")
    zendesk.advance(120)
    zendesk.fail_path("/api/v2/deleted_tickets.json", 429, "Too Many Requests")
    agent.pull()
    assert get_state(agent.store, "zendesk", "cursor") == before
    zendesk.fail_path("/api/v2/deleted_tickets.json", None)
    zendesk.advance(DELETED_EVERY)
    agent.pull()
    assert get_state(agent.store, "zendesk", "cursor") != before


def test_the_deleted_list_is_read_at_most_once_a_minute(
    zendesk: FakeZendesk, paul: dict, both: list[SyncEngine]
) -> None:
    _admin, agent = both
    _seed(zendesk, paul)
    for _ in range(3):
        agent.pull()
        zendesk.advance(DELETED_EVERY / 3)
    asked = [r for r in zendesk.requests if r.path == "/api/v2/deleted_tickets.json"]
    assert len(asked) == 1
    agent.pull()
    asked = [r for r in zendesk.requests if r.path == "/api/v2/deleted_tickets.json"]
    assert len(asked) == 2
