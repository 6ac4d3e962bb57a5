"""The Zendesk client against the local fake Zendesk: auth, tickets, comments, users."""

from __future__ import annotations

import base64

import httpx
import pytest

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
)
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from tests.fakes import ZENDESK_NOW, FakeZendesk

NOW = ZENDESK_NOW


# -- auth ------------------------------------------------------------------------------------


def test_api_token_auth_acts_as_the_agent(zendesk: FakeZendesk, client: ZendeskClient) -> None:
    me = client.me()
    assert me["id"] == zendesk.agent["id"]
    assert me["role"] == "admin"
    request = zendesk.requests[-1]
    assert (request.method, request.path, request.user_id) == (
        "GET",
        "/api/v2/users/me.json",
        me["id"],
    )


def test_oauth_token_auth(zendesk: FakeZendesk) -> None:
    with ZendeskClient(base_url=zendesk.url, oauth_token=zendesk.oauth_token) as oauth:
        assert oauth.me()["email"] == zendesk.agent["email"]


@pytest.mark.parametrize("kind", ["api_token", "oauth"])
def test_refused_credentials_raise_auth_error_without_showing_them(
    zendesk: FakeZendesk, kind: str
) -> None:
    secret = "s3cr3t-do-not-print"
    credentials = (
        {"email": zendesk.agent["email"], "api_token": secret}
        if kind == "api_token"
        else {"oauth_token": secret}
    )
    with ZendeskClient(base_url=zendesk.url, **credentials) as refused:
        with pytest.raises(AuthError) as caught:
            refused.me()
        assert caught.value.status == 401
        assert secret not in str(caught.value)
        assert secret not in repr(refused)
        assert "\n" not in str(caught.value)


def test_api_token_of_an_unknown_email_is_refused(zendesk: FakeZendesk) -> None:
    with (
        ZendeskClient(
            base_url=zendesk.url, email="nobody@example.com", api_token=zendesk.api_token
        ) as c,
        pytest.raises(AuthError),
    ):
        c.me()


def test_subdomain_url_and_basic_credentials_on_the_wire() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"user": {"id": 7}})

    transport = httpx.MockTransport(answer)
    with ZendeskClient(subdomain="acme", email="a@b.c", api_token="tok", transport=transport) as c:
        assert c.me() == {"id": 7}
    assert str(seen[0].url) == "https://acme.zendesk.com/api/v2/users/me.json"
    scheme, _, encoded = seen[0].headers["Authorization"].partition(" ")
    assert (scheme, base64.b64decode(encoded).decode()) == ("Basic", "a@b.c/token:tok")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"email": "a@b.c", "api_token": "t"},
        {"subdomain": "not a domain!", "email": "a@b.c", "api_token": "t"},
        {"subdomain": "acme", "email": "a@b.c"},
        {"subdomain": "acme"},
    ],
)
def test_client_needs_an_address_and_credentials(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        ZendeskClient(**kwargs)


def test_a_forbidden_action_is_permanent_but_a_forbidden_login_is_auth(
    zendesk: FakeZendesk, client: ZendeskClient
) -> None:
    zendesk.fail_next(
        status=403, body={"error": "Forbidden", "description": "You do not have access"}
    )
    with pytest.raises(PermanentError) as caught:
        client.me()
    assert not isinstance(caught.value, AuthError)
    zendesk.fail_next(status=403, body={"error": "Couldn't authenticate you"})
    with pytest.raises(AuthError):
        client.me()


# -- tickets ---------------------------------------------------------------------------------


def test_get_ticket_has_zendesk_fields(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket(
        "Missing bread", customer["id"], "Il manque le pain", via="email", tags=["VIP"]
    )
    ticket = client.get_ticket(seeded.id)
    assert ticket["subject"] == "Missing bread"
    assert ticket["status"] == "new"
    assert ticket["requester_id"] == customer["id"]
    assert ticket["via"]["channel"] == "email"
    assert ticket["tags"] == ["vip"]
    assert ticket["created_at"] == "2024-05-01T12:00:30Z"
    # The path works without ``.json`` too, as on Zendesk.
    raw = httpx.get(
        f"{zendesk.url}/api/v2/tickets/{seeded.id}",
        auth=(f"{zendesk.agent['email']}/token", zendesk.api_token),
    )
    assert raw.json()["ticket"]["id"] == seeded.id


def test_missing_ticket_is_permanent_with_zendesk_description(client: ZendeskClient) -> None:
    with pytest.raises(PermanentError) as caught:
        client.get_ticket(424242)
    assert caught.value.status == 404
    assert "RecordNotFound" in str(caught.value) and "Not found" in str(caught.value)


def test_update_ticket_sends_zendesk_fields(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Refund", customer["id"], "Where is my refund?", tags=["billing"])
    group = zendesk.add_group("Billing")
    changes = {
        "status": "pending",
        "priority": "high",
        "group_id": group["id"],
        "assignee_id": zendesk.agent["id"],
        "tags": ["billing", "refund"],
        "custom_fields": [{"id": 360001, "value": "order-88213"}],
    }
    ticket = client.update_ticket(seeded.id, changes)
    assert (ticket["status"], ticket["priority"], ticket["group_id"]) == (
        "pending",
        "high",
        group["id"],
    )
    assert ticket["tags"] == ["billing", "refund"]
    assert {"id": 360001, "value": "order-88213"} in ticket["custom_fields"]
    assert zendesk.requests[-1].body == {"ticket": changes}
    assert zendesk.tickets[seeded.id].status == "pending"


def test_safe_update_with_a_stale_stamp_is_a_conflict(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Late delivery", customer["id"], "Still waiting")
    stamp = client.get_ticket(seeded.id)["updated_at"]
    client.update_ticket(seeded.id, {"priority": "urgent"})  # someone else's change
    with pytest.raises(Conflict) as caught:
        client.update_ticket(seeded.id, {"status": "solved"}, updated_stamp=stamp)
    assert caught.value.status == 409
    assert "UpdateConflict" in str(caught.value)
    sent = {"status": "solved", "safe_update": True, "updated_stamp": stamp}
    assert zendesk.requests[-1].body == {"ticket": sent}
    assert zendesk.tickets[seeded.id].status == "new"
    fresh = client.get_ticket(seeded.id)["updated_at"]
    assert (
        client.update_ticket(seeded.id, {"status": "solved"}, updated_stamp=fresh)["status"]
        == "solved"
    )


def test_invalid_status_is_permanent_with_the_description(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Typo", customer["id"], "Hello")
    with pytest.raises(PermanentError) as caught:
        client.update_ticket(seeded.id, {"status": "snoozed"})
    message = str(caught.value)
    assert caught.value.status == 422
    assert "Record validation errors" in message and "'snoozed' is not a valid status" in message
    assert "\n" not in message
    assert zendesk.tickets[seeded.id].status == "new"


def test_closed_ticket_cannot_be_updated(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Old", customer["id"], "Thanks", status="closed")
    with pytest.raises(PermanentError, match="closed prevents ticket update"):
        client.add_comment(seeded.id, "Any news?")


# -- comments --------------------------------------------------------------------------------


def test_public_reply_and_internal_note(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Missing bread", customer["id"], "Il manque le pain")
    reply = client.add_comment(seeded.id, "Désolé ! On vous le renvoie.")
    note = client.add_comment(seeded.id, "Warehouse forgot it again", public=False)
    assert zendesk.requests[-1].body == {
        "ticket": {"comment": {"body": "Warehouse forgot it again", "public": False}}
    }
    comments = list(client.iter_comments(seeded.id))
    assert [(c["author_id"], c["public"]) for c in comments] == [
        (customer["id"], True),
        (zendesk.agent["id"], True),
        (zendesk.agent["id"], False),
    ]
    assert reply.comment is not None and note.comment is not None
    assert [reply.comment["id"], note.comment["id"]] == [c["id"] for c in comments[1:]]
    assert (
        comments[1]["html_body"].startswith("<div")
        and comments[1]["plain_body"] == comments[1]["body"]
    )
    assert note.ticket["updated_at"] > reply.ticket["updated_at"] > "2024-05-01T12:00:30Z"


def test_requester_reply_reopens_a_pending_ticket(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Where is it?", customer["id"], "Order 88213", status="pending")
    assert (
        client.add_comment(seeded.id, "Still waiting", author_id=zendesk.agent["id"]).ticket[
            "status"
        ]
        == "pending"
    )
    update = client.add_comment(
        seeded.id, "Hello? It is late", author_id=customer["id"], public=False
    )
    assert update.ticket["status"] == "open"
    assert (
        update.comment is not None and update.comment["public"] is True
    )  # end users cannot write notes
    zendesk.add_comment(seeded.id, zendesk.agent["id"], "On its way")
    client.update_ticket(seeded.id, {"status": "solved"})
    zendesk.add_comment(seeded.id, customer["id"], "Got it, but one item is missing")
    assert client.get_ticket(seeded.id)["status"] == "open"


def test_comments_are_paged_with_cursors(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Long thread", customer["id"], "message 0")
    for n in range(1, 5):
        zendesk.add_comment(
            seeded.id, customer["id"] if n % 2 else zendesk.agent["id"], f"message {n}"
        )
    zendesk.requests.clear()
    bodies = [c["body"] for c in client.iter_comments(seeded.id, page_size=2)]
    assert bodies == [f"message {n}" for n in range(5)]
    assert [r.query.get("page[size]") for r in zendesk.requests] == ["2", "2", "2"]
    assert "page[after]" not in zendesk.requests[0].query
    assert all("page[after]" in r.query for r in zendesk.requests[1:])


def test_cursor_page_over_100_is_refused(
    zendesk: FakeZendesk, client: ZendeskClient, customer: dict
) -> None:
    seeded = zendesk.add_ticket("Thread", customer["id"], "hi")
    with pytest.raises(PermanentError, match=r"page\[size\]") as caught:
        list(client.iter_comments(seeded.id, page_size=101))
    assert caught.value.status == 400


# -- users, organisations, groups ----------------------------------------------------------------


def test_get_users_batches_show_many_by_100(zendesk: FakeZendesk, client: ZendeskClient) -> None:
    ids = [zendesk.add_user(f"Customer {n}", f"c{n}@example.com")["id"] for n in range(150)]
    zendesk.requests.clear()
    users = client.get_users([*ids, ids[0], 999_999])
    assert [u["id"] for u in users] == ids
    batches = [r.query["ids"].split(",") for r in zendesk.requests]
    assert [len(b) for b in batches] == [100, 51]
    assert all(r.path == "/api/v2/users/show_many.json" for r in zendesk.requests)
    zendesk.requests.clear()
    assert client.get_users([]) == [] and zendesk.requests == []
