"""Deleted and vanished Zendesk tickets: each is its own problem, never the sync's."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.zendesk import ZendeskConnector
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from deskterm.backend.sync.mirror import REMOVED_BUCKET, get_state
from deskterm.backend.views import BUILTIN_VIEWS, View
from deskterm.domain.models import AuthorKind
from tests.fakes import FakeZendesk

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(hours=2)


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=NOW, incremental_rate_limit=None) as server:
        yield server
    assert not server.errors, server.errors[0]


@pytest.fixture
def engine(zendesk: FakeZendesk, tmp_path: Path) -> Iterator[SyncEngine]:
    options = ConnectorOptions(
        url=zendesk.url, user=zendesk.agent["email"], token=zendesk.api_token, timeout=3.0
    )
    e = SyncEngine(Store(tmp_path / "zd.db"), ZendeskConnector.from_options(options))
    e.identify()
    yield e
    e.connector.close()
    e.store.close()


def _in_views(engine: SyncEngine, external_id: int) -> list[str]:
    conv = engine.store.conversation_by_external(str(external_id))
    assert conv is not None
    return [
        v.key for v in BUILTIN_VIEWS if conv.id in {r.id for r in engine.store.page(v, limit=500)}
    ]


def test_a_ticket_deleted_on_zendesk_leaves_every_view_with_a_line(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    spam = zendesk.add_ticket("Buy now", lea["id"], "cheap", created_at=PAST, via="email")
    kept = zendesk.add_ticket("Missing bread", lea["id"], "no bread", created_at=PAST)
    engine.pull()
    assert _in_views(engine, spam.id) == ["inbox", "unassigned"]
    inbox_before = engine.store.count(View("inbox", "Inbox"))

    zendesk.delete_ticket(spam.id)
    zendesk.advance(120)
    report = engine.pull()
    assert report.removed == 1 and report.skipped == 0
    conv = engine.store.conversation_by_external(str(spam.id))
    assert conv is not None
    gone_at = engine.store.conn.execute(
        "SELECT gone_at FROM conversations WHERE id = ?", (conv.id,)
    ).fetchone()[0]
    assert gone_at is not None  # its status stays as it was; gone_at takes it out of views
    assert _in_views(engine, spam.id) == []
    assert engine.store.count(View("inbox", "Inbox")) == inbox_before - 1
    assert engine.store.count(View("done", "Done")) == 0
    last = engine.store.messages(conv.id)[-1]
    assert last.author_kind == AuthorKind.SYSTEM and "Deleted on Zendesk" in last.body
    assert engine.store.messages(conv.id)[0].body == "cheap"  # nothing of it is lost
    assert _in_views(engine, kept.id) == ["inbox", "unassigned"]
    row = engine.store.conn.execute(
        "SELECT bucket FROM conversations WHERE id = ?", (conv.id,)
    ).fetchone()
    assert row[0] == REMOVED_BUCKET

    # Listed again by a later export page: no second line.
    zendesk.advance(120)
    zendesk.add_comment(kept.id, lea["id"], "still no bread")
    zendesk.advance(120)
    engine.store.conn.execute("DELETE FROM sync_state WHERE key = 'cursor'")
    engine.pull()
    lines = [m for m in engine.store.messages(conv.id) if m.author_kind == AuthorKind.SYSTEM]
    assert len(lines) == 1


def test_deleted_tickets_never_mirrored_are_not_added(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    gone = [zendesk.add_ticket(f"Spam {i}", lea["id"], "x", created_at=PAST) for i in range(6)]
    live = [zendesk.add_ticket(f"Real {i}", lea["id"], "y", created_at=PAST) for i in range(4)]
    for ticket in gone:
        zendesk.delete_ticket(ticket.id)
    zendesk.advance(120)
    report = engine.pull()
    assert report.created == 4 and report.removed == 0
    assert all(engine.store.conversation_by_external(str(t.id)) is None for t in gone)
    assert all(engine.store.conversation_by_external(str(t.id)) for t in live)
    # Deleted tickets' comments are never asked for (they would answer 404).
    asked = {r.path for r in zendesk.requests if r.path.endswith("/comments.json")}
    assert asked == {f"/api/v2/tickets/{t.id}/comments.json" for t in live}


def test_a_ticket_that_vanishes_while_read_is_dropped_and_the_page_goes_on(
    zendesk: FakeZendesk, engine: SyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    tickets = [zendesk.add_ticket(f"T{i}", lea["id"], f"m{i}", created_at=PAST) for i in range(3)]
    vanished = tickets[1]
    # Its comments answer Zendesk's 404, as when it is deleted between the export and the read.
    comments = f"/api/v2/tickets/{vanished.id}/comments.json"
    zendesk.fail_path(comments, 404, {"error": "RecordNotFound", "description": "Not found"})
    with caplog.at_level(logging.WARNING, logger="deskterm.backend.sync.engine"):
        report = engine.pull()
    assert report.conversations == 2 and report.skipped == 1
    assert engine.store.conversation_by_external(str(vanished.id)) is None
    assert any(f"Zendesk ticket {vanished.id}" in r.getMessage() for r in caplog.records)
    assert "RecordNotFound" in caplog.text
    cursor = get_state(engine.store, "zendesk", "cursor")
    assert cursor is not None and json.loads(cursor)["after"]
    # The cursor moved past it: the next pull does not read it (nor the others) again.
    zendesk.fail_path(comments, None)
    zendesk.requests.clear()
    again = engine.pull()
    assert again.conversations == 0
    assert not [r for r in zendesk.requests if r.path.endswith("/comments.json")]
