"""Hostile text from the fake Zendesk: a lone surrogate is valid JSON (``"\\ud800"``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.zendesk import ZendeskConnector
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from tests.fakes import FakeZendesk

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(hours=2)


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=NOW, incremental_rate_limit=None) as server:
        yield server
    assert not server.errors, server.errors[0]


def test_a_lone_surrogate_in_one_ticket_mirrors_the_whole_batch(
    zendesk: FakeZendesk, tmp_path: Path
) -> None:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    odd = zendesk.add_user("Paul \ud800", "paul@example.com", created_at=PAST)
    first = zendesk.add_ticket("Missing bread", lea["id"], "il manque le pain", created_at=PAST)
    bad = zendesk.add_ticket(
        "Refund \udfff", odd["id"], "where is my refund\ud800?", created_at=PAST, tags=["x\ud800"]
    )
    last = zendesk.add_ticket("Late", lea["id"], "delivery is late", created_at=PAST)
    options = ConnectorOptions(
        url=zendesk.url, user=zendesk.agent["email"], token=zendesk.api_token, timeout=3.0
    )
    engine = SyncEngine(Store(tmp_path / "zd.db"), ZendeskConnector.from_options(options))
    try:
        engine.identify()
        engine.pull()
        store = engine.store
        for ticket in (first, last):
            assert store.conversation_by_external(str(ticket.id)) is not None
        conv = store.conversation_by_external(str(bad.id))
        assert conv is not None
        assert conv.subject == "Refund \ufffd"
        assert [m.body for m in store.messages(conv.id)] == ["where is my refund\ufffd?"]
        name = store.conn.execute(
            "SELECT name FROM customers WHERE id = ?", (conv.customer_id,)
        ).fetchone()[0]
        assert name == "Paul \ufffd"
    finally:
        engine.connector.close()
        engine.store.close()
