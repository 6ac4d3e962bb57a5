"""The Zendesk client against the local fake Zendesk: ticket export, search export, macros."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.backend.connectors.errors import PermanentError, RateLimited
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from tests.fakes import ZENDESK_NOW, FakeZendesk

NOW = ZENDESK_NOW
EPOCH_NOW = int(NOW.timestamp())
HOUR_AGO = EPOCH_NOW - 3600


def export_all(client: ZendeskClient, start_time: int, per_page: int) -> tuple[list[dict], str]:
    """Walk the ticket export to its end; return the tickets and the cursor to resume from."""
    page = client.incremental_tickets(start_time=start_time, per_page=per_page)
    tickets = list(page.tickets)
    while not page.end_of_stream:
        assert page.after_cursor
        page = client.incremental_tickets(cursor=page.after_cursor, per_page=per_page)
        tickets += page.tickets
    assert page.after_cursor
    return tickets, page.after_cursor


# -- incremental export ----------------------------------------------------------------------


def test_ticket_export_pages_to_the_end_and_leaves_out_the_last_minute(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    older = [
        zendesk.add_ticket(f"T{n}", customer["id"], "hi", created_at=HOUR_AGO + (6 - n) * 300)
        for n in range(7)
    ]
    recent = zendesk.add_ticket("Just now", customer["id"], "hi", created_at=EPOCH_NOW - 30)
    zendesk.requests.clear()
    tickets, cursor = export_all(client, start_time=HOUR_AGO - 60, per_page=3)
    assert [t["id"] for t in tickets] == [t.id for t in reversed(older)]  # oldest change first
    assert recent.id not in {t["id"] for t in tickets}
    assert len(zendesk.requests) == 3
    assert zendesk.requests[0].query == {"start_time": str(HOUR_AGO - 60), "per_page": "3"}
    # A minute later the recent ticket shows up, and only it.
    zendesk.advance(60)
    page = client.incremental_tickets(cursor=cursor)
    assert ([t["id"] for t in page.tickets], page.end_of_stream) == ([recent.id], True)


def test_a_changed_ticket_comes_back_in_the_export(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Refund", customer["id"], "hi", created_at=HOUR_AGO)
    tickets, cursor = export_all(client, start_time=HOUR_AGO, per_page=10)
    assert [t["status"] for t in tickets] == ["new"]
    client.update_ticket(seeded.id, {"status": "pending"})
    assert client.incremental_tickets(cursor=cursor).tickets == []
    zendesk.advance(61)
    assert [t["status"] for t in client.incremental_tickets(cursor=cursor).tickets] == ["pending"]


def test_export_is_limited_to_10_requests_a_minute(
    zendesk: FakeZendesk, client: ZendeskClient
) -> None:
    for _ in range(10):
        client.incremental_tickets(start_time=HOUR_AGO)
    with pytest.raises(RateLimited) as caught:
        client.incremental_tickets(start_time=HOUR_AGO)
    assert caught.value.retry_after == 30
    client.me()  # the account limit is not reached
    zendesk.advance(30)
    assert client.incremental_tickets(start_time=HOUR_AGO).end_of_stream


def test_export_refuses_a_start_time_within_the_last_minute(client: ZendeskClient) -> None:
    with pytest.raises(PermanentError, match="Too recent start_time") as caught:
        client.incremental_tickets(start_time=EPOCH_NOW - 10)
    assert caught.value.status == 422
    with pytest.raises(ValueError):
        client.incremental_tickets()


@settings(max_examples=25, deadline=None)
@given(
    ages=st.lists(st.integers(min_value=0, max_value=7200), max_size=12),
    per_page=st.integers(min_value=1, max_value=5),
)
def test_walking_the_export_yields_each_settled_ticket_once_in_order(
    ages: list[int], per_page: int
) -> None:
    with FakeZendesk(now=NOW, incremental_rate_limit=None) as zendesk:
        requester = zendesk.add_user("Ana", "ana@example.com")
        seeded = [
            zendesk.add_ticket("T", requester["id"], "hi", created_at=EPOCH_NOW - age)
            for age in ages
        ]
        with ZendeskClient(base_url=zendesk.url, oauth_token=zendesk.oauth_token) as client:
            tickets, _ = export_all(client, start_time=EPOCH_NOW - 7300, per_page=per_page)
    settled = sorted(
        (t for t in seeded if EPOCH_NOW - t.updated > 60), key=lambda t: (t.updated, t.id)
    )
    assert [t["id"] for t in tickets] == [t.id for t in settled]


# -- macros and views ----------------------------------------------------------------------------


# -- search --------------------------------------------------------------------------------------


def test_the_export_is_for_admins_only(zendesk: FakeZendesk, customer: dict) -> None:
    paul = zendesk.add_user("Paul Agent", "paul@example.com", role="agent")
    zendesk.add_ticket("A", customer["id"], "a", created_at=HOUR_AGO)
    with ZendeskClient(base_url=zendesk.url, email=paul["email"], api_token=zendesk.api_token) as c:
        assert c.me()["role"] == "agent"
        with pytest.raises(PermanentError) as refused:
            c.incremental_tickets(start_time=HOUR_AGO)
        assert refused.value.status == 403
        assert "You do not have access to this page" in str(refused.value)
        assert [t["subject"] for t in c.search_export("updated>2024-01-01")] == ["A"]


def test_a_deleted_ticket_is_exported_as_deleted_and_answers_404(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    gone = zendesk.add_ticket("Spam", customer["id"], "buy now", created_at=HOUR_AGO)
    kept = zendesk.add_ticket("Real", customer["id"], "help", created_at=HOUR_AGO)
    zendesk.delete_ticket(gone.id)
    zendesk.advance(120)
    tickets, _cursor = export_all(client, HOUR_AGO - 60, per_page=10)
    assert {t["id"]: t["status"] for t in tickets} == {kept.id: "new", gone.id: "deleted"}
    for call in (lambda: client.get_ticket(gone.id), lambda: list(client.iter_comments(gone.id))):
        with pytest.raises(PermanentError) as missing:
            call()
        assert missing.value.status == 404
    assert [t["id"] for t in client.search_export("updated>2024-01-01")] == [kept.id]


def test_search_export_walks_every_cursor_page(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    made = [
        zendesk.add_ticket(f"T{i}", customer["id"], "x", created_at=HOUR_AGO + i) for i in range(7)
    ]
    old = zendesk.add_ticket("Old", customer["id"], "x", created_at=HOUR_AGO - 86_400)
    since = datetime.fromtimestamp(HOUR_AGO - 1, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = list(client.search_export(f"updated>{since}", page_size=3))
    assert sorted(t["id"] for t in found) == sorted(t.id for t in made)
    assert old.id not in {t["id"] for t in found}
    pages = [r for r in zendesk.requests if r.path.endswith("/search/export.json")]
    assert len(pages) == 3 and pages[0].query["filter[type]"] == "ticket"


def test_every_active_macro_is_read_across_cursor_pages(
    zendesk: FakeZendesk, client: ZendeskClient
) -> None:
    for i in range(130):
        zendesk.add_macro(f"M{i:03}", [{"field": "status", "value": "open"}], active=i % 13 != 0)
    titles = [m["title"] for m in client.iter_macros()]
    assert len(titles) == 120 and titles[:2] == ["M001", "M002"]
    assert all(r.query.get("active") == "true" for r in zendesk.requests[-2:])
