"""The fake Zendesk answers in the shapes real Zendesk answers in (keys and types).

Each of the fake's answers the client relies on is compared with the recorded real answer
of the same endpoint (``tests/fixtures/zendesk/``): the fake may leave fields out — each one
is listed here, so that a change shows — but never invents one, and a field both have has
the same JSON type in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import ZENDESK_NOW, FakeZendesk
from tests.integration.replay import recorded

HOUR_AGO = int(ZENDESK_NOW.timestamp()) - 3600

#: Real fields the fake leaves out, by record (none of them is read by deskterm).
LEFT_OUT = {
    "user": {
        "alias", "custom_role_id", "default_group_id", "details", "iana_time_zone",
        "last_login_at", "locale_id", "moderator", "notes", "only_private_comments", "photo",
        "report_csv", "restricted_agent", "role_type", "shared", "shared_agent",
        "shared_phone_number", "signature", "ticket_restriction", "two_factor_auth_enabled",
        "user_fields",
    },
    "ticket": {"custom_status_id", "forum_topic_id", "ticket_form_id"},
    "comment": set(),
    "macro": set(),
}  # fmt: skip


def _json_type(value: Any) -> str:
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else (type(value).__name__)
    )


def assert_same_shape(fake: dict[str, Any], real: dict[str, Any], left_out: set[str]) -> None:
    invented = set(fake) - set(real)
    assert not invented, f"fields the real answer does not have: {sorted(invented)}"
    missing = set(real) - set(fake)
    assert missing == left_out, f"left out now: {sorted(missing)}, listed: {sorted(left_out)}"
    for key in set(fake) & set(real):
        if fake[key] is not None and real[key] is not None:
            assert _json_type(fake[key]) == _json_type(real[key]), key


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    with FakeZendesk(now=ZENDESK_NOW, incremental_rate_limit=None) as server:
        lea = server.add_user("Léa Martin", "lea@example.com")
        live = server.add_ticket("Bread", lea["id"], "no bread", created_at=HOUR_AGO)
        gone = server.add_ticket("Spam", lea["id"], "buy", created_at=HOUR_AGO)
        server.add_comment(live.id, server.agent["id"], "sorry", created_at=HOUR_AGO + 5)
        server.delete_ticket(gone.id)
        server.add_macro("Missing item", [{"field": "status", "value": "pending"}])
        server.advance(120)
        yield server
    assert not server.errors, server.errors[0]


def _get(zendesk: FakeZendesk, path: str, **params: Any) -> dict[str, Any]:
    auth = (f"{zendesk.agent['email']}/token", zendesk.api_token)
    answer = httpx.get(f"{zendesk.url}/api/v2/{path}", params=params, auth=auth)
    return dict(answer.json())


def _real(name: str, index: int = 0) -> dict[str, Any]:
    return dict(recorded(f"zendesk/{name}")[index]["body"])


def test_users_me(zendesk: FakeZendesk) -> None:
    fake, real = _get(zendesk, "users/me.json"), _real("users_me.json")
    assert set(fake) == set(real) == {"user"}
    assert_same_shape(fake["user"], real["user"], LEFT_OUT["user"])


def test_the_ticket_export_page_and_its_live_and_deleted_tickets(zendesk: FakeZendesk) -> None:
    fake = _get(zendesk, "incremental/tickets/cursor.json", start_time=HOUR_AGO - 60)
    real = _real("export_page_deleted.json")
    assert_same_shape(fake, real, set())
    by_status = {t["status"]: t for t in fake["tickets"]}
    real_by_status = {t["status"]: t for t in real["tickets"]}
    for status in ("new", "deleted"):
        assert_same_shape(by_status[status], real_by_status[status], LEFT_OUT["ticket"])
    assert_same_shape(fake, _real("export_page_last.json"), set())


def test_a_comments_page(zendesk: FakeZendesk) -> None:
    ticket = next(t for t in zendesk.tickets.values() if t.status != "deleted")
    fake = _get(zendesk, f"tickets/{ticket.id}/comments.json", **{"page[size]": 100})
    real = _real("comments_page.json")
    assert_same_shape(fake, real, set())
    assert_same_shape(fake["meta"], real["meta"], set())
    assert_same_shape(fake["links"], real["links"], set())
    assert_same_shape(fake["comments"][-1], real["comments"][0], LEFT_OUT["comment"])


def test_macro_pages_by_cursor_and_by_offset(zendesk: FakeZendesk) -> None:
    fake = _get(zendesk, "macros.json", active="true", **{"page[size]": 100})
    real = _real("macros_cursor_pages.json")
    assert_same_shape(fake, real, set())
    assert_same_shape(fake["meta"], real["meta"], set())
    assert_same_shape(fake["macros"][0], real["macros"][0], LEFT_OUT["macro"])
    offset = _get(zendesk, "macros/active.json")
    assert_same_shape(offset, _real("macros_offset.json"), set())


def test_a_search_export_page(zendesk: FakeZendesk) -> None:
    fake = _get(
        zendesk, "search/export.json", query="updated>2024-01-01", **{"filter[type]": "ticket"}
    )
    real = _real("search_export_pages.json")
    assert_same_shape(fake, real, set())
    assert_same_shape(fake["meta"], real["meta"], set())
    assert_same_shape(fake["links"], real["links"], set())


def test_a_missing_ticket(zendesk: FakeZendesk) -> None:
    gone = next(t for t in zendesk.tickets.values() if t.status == "deleted")
    fake = _get(zendesk, f"tickets/{gone.id}/comments.json")
    assert fake == _real("ticket_not_found.json")


def test_an_attached_files_record(zendesk: FakeZendesk) -> None:
    ticket = next(t for t in zendesk.tickets.values() if t.status != "deleted")
    zendesk.attach_file(zendesk.comments[ticket.id][-1], "receipt.pdf", b"%PDF", "application/pdf")
    fake = _get(zendesk, f"tickets/{ticket.id}/comments.json", **{"page[size]": 100})
    [attachment] = fake["comments"][-1]["attachments"]
    real = _real("comments_page.json")["comments"][0]["attachments"][0]
    assert_same_shape(attachment, real, set())


def _write(zendesk: FakeZendesk, method: str, path: str, body: Any) -> httpx.Response:
    auth = (f"{zendesk.agent['email']}/token", zendesk.api_token)
    return httpx.request(method, f"{zendesk.url}/api/v2/{path}", json=body, auth=auth)


def test_a_macro_created_and_changed_answers_as_recorded(zendesk: FakeZendesk) -> None:
    real = recorded("zendesk/macro_create_update.json")
    created, changed, missing = real
    answer = _write(zendesk, "POST", "macros.json", created["request"]["body"])
    assert answer.status_code == created["status"] == 201
    fake = answer.json()
    assert set(fake) == set(created["body"]) == {"macro"}
    assert_same_shape(fake["macro"], created["body"]["macro"], LEFT_OUT["macro"])
    # Recorded: what the request did not say is Zendesk's default.
    for key in ("active", "restriction", "title", "actions"):
        assert fake["macro"][key] == created["body"]["macro"][key], key
    # The recorded change gave only a title: the actions stay.
    title_only = {"macro": {"title": changed["request"]["body"]["macro"]["title"]}}
    answer = _write(zendesk, "PUT", f"macros/{fake['macro']['id']}.json", title_only)
    assert answer.status_code == changed["status"] == 200
    assert_same_shape(answer.json()["macro"], changed["body"]["macro"], LEFT_OUT["macro"])
    assert answer.json()["macro"]["actions"] == changed["body"]["macro"]["actions"]
    assert answer.json()["macro"]["raw_title"] == changed["body"]["macro"]["raw_title"]
    gone = _write(zendesk, "PUT", "macros/9223372036854775807.json", missing["request"]["body"])
    assert gone.status_code == missing["status"] == 404
    assert gone.json() == missing["body"]
