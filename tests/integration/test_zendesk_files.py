"""A file attached to a Zendesk comment, mirrored and fetched through the fake Zendesk: the
302 of its ``content_url`` followed, the bytes as sent, rate limits and outages as for every
other call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.errors import PermanentError, RateLimited, TransientError
from deskterm.backend.connectors.zendesk import ZendeskConnector
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from tests.fakes import FakeZendesk

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(hours=2)
PHOTO = bytes(range(256)) * 40 + b"\x00\xff end"


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


def test_a_comments_file_is_listed_and_saved_byte_for_byte(
    zendesk: FakeZendesk, engine: SyncEngine
) -> None:
    lea = zendesk.add_user("Léa Martin", "lea@example.com", created_at=PAST)
    ticket = zendesk.add_ticket("Broken jar", lea["id"], "see the photo", created_at=PAST)
    first = zendesk.comments[ticket.id][0]
    zendesk.attach_file(first, "jar.jpg", PHOTO, "image/jpeg")
    zendesk.attach_file(first, "gone.txt", b"x", "text/plain").deleted = True
    engine.pull()
    conv = engine.store.conversation_by_external(str(ticket.id))
    assert conv is not None
    [message] = engine.store.messages(conv.id)
    [file] = message.attachments
    assert (file.filename, file.size, file.content_type) == ("jar.jpg", len(PHOTO), "image/jpeg")
    assert file.external_id is not None
    assert engine.connector.fetch_file(file.external_id) == PHOTO
    asked = [r.path for r in zendesk.requests if not r.path.startswith("/api/")]
    assert asked[0].startswith("/attachments/token/") and asked[1].startswith("/download/")

    zendesk.fail_next(1, 429, retry_after=9)
    with pytest.raises(RateLimited) as limited:
        engine.connector.fetch_file(file.external_id)
    assert limited.value.retry_after == 9
    zendesk.fail_next(1, 503)
    with pytest.raises(TransientError):
        engine.connector.fetch_file(file.external_id)
    zendesk.files.by_id[next(iter(zendesk.files.by_id))].deleted = True
    with pytest.raises(PermanentError, match="404"):
        engine.connector.fetch_file(file.external_id)
