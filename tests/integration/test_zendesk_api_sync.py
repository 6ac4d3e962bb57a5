"""The Zendesk client against the local fake Zendesk: incremental export, macros, views, search."""

from __future__ import annotations

from datetime import timedelta

import httpx
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


def test_comment_events_carry_comments_and_their_tickets(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket(
        "Missing bread", customer["id"], "Il manque le pain", created_at=HOUR_AGO
    )
    zendesk.add_comment(
        seeded.id, zendesk.agent["id"], "Warehouse?", public=False, created_at=HOUR_AGO + 60
    )
    zendesk.add_comment(seeded.id, zendesk.agent["id"], "Désolé !", created_at=HOUR_AGO + 120)
    zendesk.add_comment(seeded.id, customer["id"], "Merci", created_at=EPOCH_NOW - 20)
    page = client.incremental_comment_events(HOUR_AGO)
    assert [(e["ticket_id"], e["body"], e["public"]) for e in page.events] == [
        (seeded.id, "Il manque le pain", True),
        (seeded.id, "Warehouse?", False),
        (seeded.id, "Désolé !", True),
    ]
    assert page.end_time == HOUR_AGO + 120
    assert page.end_of_stream
    assert zendesk.requests[-1].query["include"] == "comment_events"
    # The next page starts at end_time and repeats that second: callers dedupe by id.
    zendesk.advance(60)
    again = client.incremental_comment_events(page.end_time)
    assert [e["body"] for e in again.events] == ["Désolé !", "Merci"]
    assert again.events[0]["id"] == page.events[-1]["id"]


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


def test_macros_list_and_apply(zendesk: FakeZendesk, client: ZendeskClient, customer: dict) -> None:
    text = (
        "Bonjour {{ticket.requester.first_name}}, ticket #{{ ticket.id }}. "
        "{{current_user.name}}{{ticket.secret}}"
    )
    missing = zendesk.add_macro(
        "Missing item",
        [
            {"field": "comment_value", "value": text},
            {"field": "status", "value": "pending"},
            {"field": "current_tags", "value": "missing_item"},
            {"field": "assignee_id", "value": "current_user"},
        ],
    )
    retired = zendesk.add_macro(
        "Old refund", [{"field": "status", "value": "solved"}], active=False
    )
    assert [m["id"] for m in client.iter_macros()] == [missing["id"]]
    assert [m["id"] for m in client.iter_macros(active_only=False)] == [
        missing["id"],
        retired["id"],
    ]
    assert client.iter_macros().__next__()["actions"][1] == {"field": "status", "value": "pending"}

    seeded = zendesk.add_ticket("Missing bread", customer["id"], "Il manque le pain", tags=["vip"])
    preview = client.apply_macro(seeded.id, missing["id"])
    assert preview.comment is not None
    assert preview.comment["body"] == f"Bonjour Léa, ticket #{seeded.id}. Ada Admin"
    assert preview.comment["public"] is True
    assert (preview.ticket["status"], preview.ticket["assignee_id"]) == (
        "pending",
        zendesk.agent["id"],
    )
    assert preview.ticket["tags"] == ["vip", "missing_item"]
    assert "comment" not in preview.ticket
    assert zendesk.tickets[seeded.id].status == "new"  # applying only previews

    fields = {k: preview.ticket[k] for k in ("status", "tags", "assignee_id")}
    sent = client.update_ticket(seeded.id, fields | {"comment": preview.comment})
    assert sent["status"] == "pending"
    assert [c["body"] for c in client.iter_comments(seeded.id)][-1] == preview.comment["body"]
    with pytest.raises(PermanentError):
        client.apply_macro(seeded.id, 1)


def test_views_list_tickets_and_count(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    unassigned = zendesk.add_view(
        "Unassigned",
        {
            "all": [
                {"field": "status", "operator": "less_than", "value": "solved"},
                {"field": "assignee_id", "operator": "is", "value": ""},
            ]
        },
    )
    mine = zendesk.add_view(
        "Mine", {"all": [{"field": "assignee_id", "operator": "is", "value": "current_user"}]}
    )
    first = zendesk.add_ticket("A", customer["id"], "a", created_at=HOUR_AGO)
    zendesk.add_ticket("B", customer["id"], "b", status="solved")
    third = zendesk.add_ticket("C", customer["id"], "c", created_at=HOUR_AGO + 60)
    owned = zendesk.add_ticket(
        "D", customer["id"], "d", assignee_id=zendesk.agent["id"], status="open"
    )
    assert [v["title"] for v in client.list_views()] == ["Unassigned", "Mine"]
    assert [t["id"] for t in client.view_tickets(unassigned["id"])] == [first.id, third.id]
    assert [t["id"] for t in client.view_tickets(mine["id"])] == [owned.id]
    assert client.view_count(unassigned["id"]) == 2
    with pytest.raises(PermanentError):
        list(client.view_tickets(1))


# -- search --------------------------------------------------------------------------------------


def test_search_filters(zendesk: FakeZendesk, client: ZendeskClient, customer: dict) -> None:
    other = zendesk.add_user("Paul Durand", "paul@example.com")
    vip_open = zendesk.add_ticket(
        "Missing bread", customer["id"], "il manque le pain", tags=["vip"], status="open"
    )
    vip_solved = zendesk.add_ticket(
        "Refund", customer["id"], "refund please", tags=["vip"], status="solved"
    )
    mine = zendesk.add_ticket(
        "Slot", other["id"], "change my slot", status="pending", assignee_id=zendesk.agent["id"]
    )
    plain = zendesk.add_ticket(
        "Bread again", other["id"], "no bread", created_at=NOW + timedelta(days=1)
    )

    def ids(query: str) -> set[int]:
        return {r["id"] for r in client.search(query) if r["result_type"] == "ticket"}

    assert ids("type:ticket status<solved tags:vip") == {vip_open.id}
    assert ids("type:ticket tags:vip") == {vip_open.id, vip_solved.id}
    assert ids("type:ticket assignee:me") == {mine.id}
    assert ids("type:ticket assignee:none -tags:vip") == {plain.id}
    assert ids("type:ticket bread") == {vip_open.id, plain.id}
    assert ids('type:ticket "my slot"') == {mine.id}
    assert ids("type:ticket requester:paul@example.com status>=pending") == {mine.id}
    assert ids("type:ticket created>2024-05-01") == {plain.id}
    assert all(r["result_type"] == "ticket" for r in client.search("type:ticket"))
    users = list(client.search("type:user durand"))
    assert [(u["result_type"], u["id"]) for u in users] == [("user", other["id"])]


def test_search_stops_at_1000_results(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    for n in range(1005):
        zendesk.add_ticket(f"Bulk {n}", customer["id"], "bulk")
    zendesk.requests.clear()
    results = list(client.search("type:ticket bulk"))
    assert len(results) == 1000 and len({r["id"] for r in results}) == 1000
    assert [r.query["page"] for r in zendesk.requests] == [str(n) for n in range(1, 11)]
    auth = (f"{zendesk.agent['email']}/token", zendesk.api_token)
    beyond = httpx.get(
        f"{zendesk.url}/api/v2/search.json", params={"query": "bulk", "page": 11}, auth=auth
    )
    assert beyond.status_code == 422
    assert "Search Response Limits" in beyond.json()["description"]


def test_new_tickets_take_a_while_to_be_searchable(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    zendesk.search_index_delay = 120
    seeded = zendesk.add_ticket("Fresh", customer["id"], "fresh")
    assert list(client.search("type:ticket fresh")) == []
    zendesk.advance(121)
    assert [r["id"] for r in client.search("type:ticket fresh")] == [seeded.id]


def test_export_side_loads_users(zendesk: FakeZendesk, customer: dict) -> None:
    zendesk.add_ticket(
        "A", customer["id"], "a", created_at=HOUR_AGO, assignee_id=zendesk.agent["id"]
    )
    auth = (f"{zendesk.agent['email']}/token", zendesk.api_token)
    answer = httpx.get(
        f"{zendesk.url}/api/v2/incremental/tickets/cursor.json",
        params={"start_time": HOUR_AGO, "include": "users"},
        auth=auth,
    ).json()
    assert {u["id"] for u in answer["users"]} == {customer["id"], zendesk.agent["id"]}
    assert answer["after_url"].startswith(f"{zendesk.url}/api/v2/incremental/tickets/cursor.json?")
    assert answer["before_cursor"] and answer["end_of_stream"] is True
