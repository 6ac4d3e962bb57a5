"""The sync engine and the Zendesk connector against the local fake Zendesk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.zendesk import (
    UNTIL_REPLY_TAG,
    ZendeskConnector,
    snooze_from_tags,
)
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.models import UNTIL_REPLY, AuthorKind, Channel, Status
from tests.fakes import FakeZendesk
from tests.integration.faultproxy import FaultProxy

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(hours=2)


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=NOW, incremental_rate_limit=None) as server:
        yield server
    assert not server.errors, server.errors[0]


def _engine(url: str, zendesk: FakeZendesk, path: Path, *, oauth: bool = False) -> SyncEngine:
    options = ConnectorOptions(
        url=url,
        user=None if oauth else zendesk.agent["email"],
        token=None if oauth else zendesk.api_token,
        oauth_token=zendesk.oauth_token if oauth else None,
        timeout=3.0,
    )
    engine = SyncEngine(Store(path), ZendeskConnector.from_options(options))
    engine.identify()
    return engine


@pytest.fixture
def engine(zendesk: FakeZendesk, tmp_path: Path) -> Iterator[SyncEngine]:
    e = _engine(zendesk.url, zendesk, tmp_path / "zd.db")
    yield e
    e.connector.close()
    e.store.close()


def _seed(zendesk: FakeZendesk) -> dict[str, int]:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    paul = zendesk.add_user("Paul Agent", "paul@example.com", role="agent", created_at=PAST)
    a = zendesk.add_ticket("Missing bread", lea["id"], "il manque le pain", created_at=PAST,
                           via="email", tags=["vip"])  # fmt: skip
    b = zendesk.add_ticket("Refund", lea["id"], "where is my refund?", created_at=PAST,
                           via="chat")  # fmt: skip
    zendesk.add_comment(
        b.id, paul["id"], "Refund sent today", created_at=PAST + timedelta(minutes=5)
    )
    zendesk.add_comment(b.id, paul["id"], "checked with finance", public=False,
                        created_at=PAST + timedelta(minutes=6))  # fmt: skip
    c = zendesk.add_ticket("Thanks", lea["id"], "all good", created_at=PAST, status="solved",
                           assignee_id=paul["id"])  # fmt: skip
    return {"lea": lea["id"], "paul": paul["id"], "a": a.id, "b": b.id, "c": c.id}


def _local(engine: SyncEngine, tid: int) -> int:
    conv = engine.store.conversation_by_external(str(tid))
    assert conv is not None
    return conv.id


def _reply(engine: SyncEngine, tid: int, body: str, *, note: bool = False, done: bool = False):
    engine.store.add_message(
        _local(engine, tid),
        author_kind=AuthorKind.AGENT,
        author_id=engine.local_agent_id(),
        body=body,
        public=not note,
        status_after=Status.DONE if done else None,
        outbox={"kind": "note" if note else "reply", "payload": {"body": body, "done": done}},
    )


def test_pull_mirrors_tickets_comments_people_and_resumes_by_cursor(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    ids = _seed(zendesk)
    report = engine.pull()
    assert report.created == 3
    store = engine.store
    a = store.conversation(_local(engine, ids["a"]))
    assert a is not None and a.status == Status.NEW and a.tags == ["vip"]
    assert a.channel == Channel.EMAIL and a.customer_name == "Léa Martin"
    b = store.conversation(_local(engine, ids["b"]))
    assert b is not None and b.channel == Channel.CHAT
    thread = [(m.author_kind, m.public, m.body) for m in store.messages(b.id)]
    assert thread == [
        (AuthorKind.CUSTOMER, True, "where is my refund?"),
        (AuthorKind.AGENT, True, "Refund sent today"),
        (AuthorKind.AGENT, False, "checked with finance"),
    ]
    assert store.messages(b.id)[1].author_name == "Paul Agent"
    c = store.conversation(_local(engine, ids["c"]))
    assert c is not None and c.status == Status.DONE and c.assignee_id is not None
    # Incremental: only what changed since, and from the stored cursor.
    zendesk.advance(120)
    zendesk.add_comment(ids["c"], ids["lea"], "one more thing", created_at=zendesk.now_ts() - 90)
    zendesk.requests.clear()
    again = engine.pull()
    assert again.conversations == 1 and again.messages == 1
    assert "cursor" in zendesk.requests[0].query
    c = store.conversation(_local(engine, ids["c"]))
    assert c is not None and c.status == Status.OPEN  # the requester reopened it


def test_comments_are_read_page_by_page(zendesk: FakeZendesk, engine: SyncEngine) -> None:
    lea = zendesk.add_user("Léa", "lea@example.com", created_at=PAST)
    t = zendesk.add_ticket("Long", lea["id"], "first", created_at=PAST)
    for i in range(130):
        zendesk.add_comment(t.id, lea["id"], f"more {i}", created_at=PAST + timedelta(seconds=i))
    engine.pull()
    assert len(engine.store.messages(_local(engine, t.id))) == 131


def test_reply_note_status_tags_assign_and_snooze_reach_zendesk(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    ids = _seed(zendesk)
    engine.pull()
    store = engine.store
    cid = _local(engine, ids["a"])
    me = engine.local_agent_id()
    _reply(engine, ids["a"], "On vous renvoie le pain")
    _reply(engine, ids["a"], "called the bakery", note=True)
    store.change_tags(cid, add=["bread"], agent_id=me, outbox={"kind": "tags"})
    store.assign(cid, me, agent_id=me, outbox={"kind": "assign"})
    until = NOW + timedelta(hours=5)
    store.snooze(cid, until, agent_id=me, outbox={"kind": "snooze"})
    engine.drain()
    assert waiting(store) == 0
    ticket = zendesk.ticket(ids["a"])
    assert ticket.status == "pending"
    assert sorted(ticket.tags) == sorted(
        ["bread", "vip", f"deskterm_snooze_{int(until.timestamp())}"]
    )
    assert ticket.assignee_id == zendesk.agent["id"]
    comments = zendesk.comments[ids["a"]]
    assert [(c.body, c.public) for c in comments[1:]] == [
        ("On vous renvoie le pain", True),
        ("called the bakery", False),
    ]
    # The mirror keeps deskterm's view: snoozed, tags without the snooze tag, no duplicates.
    zendesk.advance(120)
    engine.pull()
    conv = store.conversation(cid)
    assert (
        conv is not None and conv.snoozed_until == until and sorted(conv.tags) == ["bread", "vip"]
    )
    assert [m.body for m in store.messages(cid)].count("On vous renvoie le pain") == 1
    # Send & done.
    _reply(engine, ids["b"], "Refund confirmed", done=True)
    engine.drain()
    assert zendesk.ticket(ids["b"]).status == "solved"


def test_a_snooze_is_seen_by_another_deskterm_of_the_same_account(
    zendesk: FakeZendesk, engine: SyncEngine, tmp_path: Path
) -> None:
    ids = _seed(zendesk)
    engine.pull()
    cid = _local(engine, ids["b"])
    until = NOW + timedelta(days=1)
    engine.store.snooze(cid, until, agent_id=engine.local_agent_id(), outbox={"kind": "snooze"})
    engine.drain()
    zendesk.advance(120)
    colleague = _engine(zendesk.url, zendesk, tmp_path / "colleague.db", oauth=True)
    colleague.pull()
    theirs = colleague.store.conversation(_local(colleague, ids["b"]))
    assert theirs is not None and theirs.snoozed_until == until
    # The customer writes: Zendesk sets it back to open, and both see it woken.
    zendesk.add_comment(ids["b"], ids["lea"], "any news?", created_at=zendesk.now_ts() - 70)
    zendesk.advance(120)
    colleague.pull()
    theirs = colleague.store.conversation(_local(colleague, ids["b"]))
    assert theirs is not None and theirs.snoozed_until is None
    colleague.connector.close()
    colleague.store.close()


def test_until_reply_snooze_is_a_tag_too() -> None:
    assert snooze_from_tags(["x", UNTIL_REPLY_TAG]) == UNTIL_REPLY
    assert snooze_from_tags(["deskterm_snooze_1700000000"]) == datetime.fromtimestamp(
        1700000000, UTC
    )
    assert snooze_from_tags(["deskterm_snooze_soon"]) is None


def test_429_is_waited_out_for_retry_after(zendesk: FakeZendesk, engine: SyncEngine) -> None:
    ids = _seed(zendesk)
    engine.pull()
    _reply(engine, ids["a"], "hello")
    zendesk.fail_next(1, 429, "Too many requests", retry_after=7)
    started = engine.store.now()
    report = engine.drain()
    assert report.rate_limited_until is not None
    assert abs((report.rate_limited_until - started).total_seconds() - 7) < 2
    assert engine.drain().pushed == 0  # still waiting
    engine.drainer.paused_until = None
    engine.store.conn.execute("UPDATE outbox SET next_attempt_at = NULL")
    assert engine.drain().pushed == 1


def test_a_closed_ticket_refuses_and_the_reply_comes_back_as_a_draft(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    ids = _seed(zendesk)
    engine.pull()
    zendesk.ticket(ids["c"]).status = "closed"
    _reply(engine, ids["c"], "Glad to hear it")
    engine.drain()
    cid = _local(engine, ids["c"])
    last = engine.store.messages(cid)[-1]
    assert last.author_kind == AuthorKind.SYSTEM and "refused your reply" in last.body
    draft = engine.store.draft(cid, engine.local_agent_id() or 0)
    assert draft is not None and draft.body == "Glad to hear it"


def test_a_lost_answer_does_not_post_the_comment_twice(
    zendesk: FakeZendesk, tmp_path: Path
) -> None:
    ids = _seed(zendesk)
    host, port = zendesk.url.split("//")[1].split(":")
    with FaultProxy(host, int(port)) as proxy:
        engine = _engine(proxy.url, zendesk, tmp_path / "p.db")
        engine.pull()
        _reply(engine, ids["a"], "only once please")
        proxy.fail_next(1, "drop_after")
        assert engine.drain().retrying == 1
        engine.store.conn.execute("UPDATE outbox SET next_attempt_at = NULL")
        assert engine.drain().pushed == 1
        engine.connector.close()
        engine.store.close()
    bodies = [c.body for c in zendesk.comments[ids["a"]]]
    assert bodies.count("only once please") == 1


def test_macros_import_with_liquid_placeholders(zendesk: FakeZendesk, engine: SyncEngine) -> None:
    zendesk.add_macro(
        "Missing item",
        [
            {"field": "comment_value", "value": "Bonjour {{ticket.requester.first_name}}, désolé"},
            {"field": "status", "value": "pending"},
            {"field": "current_tags", "value": "missing_item"},
            {"field": "assignee_id", "value": "current_user"},
        ],
    )
    assert engine.import_macros() == 1
    macro = next(m for m in engine.store.macros() if m.title == "Missing item")
    assert macro.body == "Bonjour {{ticket.requester.first_name}}, désolé"
    assert {(a.field, str(a.value)) for a in macro.actions} >= {("status", "pending")}


def test_bad_token_is_an_auth_error(zendesk: FakeZendesk) -> None:
    from deskterm.backend.connectors.errors import AuthError

    connector = ZendeskConnector(
        ZendeskClient(base_url=zendesk.url, email="ada@example.com", api_token="wrong")
    )
    with pytest.raises(AuthError):
        connector.whoami()
    connector.close()
