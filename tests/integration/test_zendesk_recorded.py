"""The Zendesk connector against answers recorded from real Zendesk accounts.

The answers live in ``tests/fixtures/zendesk/`` (their sources in the README there) and are
replayed by a loopback server to the real client, connector and sync engine. Where a test
puts recorded records in another envelope or trims a list, it says so.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deskterm.backend.connectors import zendesk_macros
from deskterm.backend.connectors.errors import PermanentError, RateLimited
from deskterm.backend.connectors.zendesk import ZendeskConnector
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync.mirror import get_state
from deskterm.backend.sync.protocol import MacroPublication
from deskterm.domain.models import Status
from tests.integration.replay import Replay, recorded

EXPORT = "/api/v2/incremental/tickets/cursor.json"
TOKEN = "a-token-of-the-replayed-account"
ME = recorded("zendesk/users_me.json")
PAGE_DELETED = recorded("zendesk/export_page_deleted.json")
PAGE_LAST = recorded("zendesk/export_page_last.json")
COMMENTS = recorded("zendesk/comments_page.json")
NOT_FOUND = recorded("zendesk/ticket_not_found.json")


def _tickets(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for a in answers for t in a["body"]["tickets"]]


def _trimmed(answer: dict[str, Any], key: str) -> dict[str, Any]:
    """A recorded answer with its list of records trimmed to nothing."""
    empty = copy.deepcopy(answer)
    empty["body"][key] = []
    return empty


def _show_many_of_me() -> list[dict[str, Any]]:
    """The recorded users/me record (the tickets' requester) in show_many's envelope."""
    answer = copy.deepcopy(ME[0])
    answer["body"] = {"users": [answer["body"]["user"]]}
    return [answer]


@pytest.fixture
def replay() -> Iterator[Replay]:
    with Replay() as server:
        yield server
    assert not server.unexpected, server.unexpected


@pytest.fixture
def engine(replay: Replay, tmp_path: Path) -> Iterator[SyncEngine]:
    client = ZendeskClient(base_url=replay.url, email="agent@example.com", api_token=TOKEN)
    e = SyncEngine(Store(tmp_path / "zd.db"), ZendeskConnector(client))
    yield e
    e.connector.close()
    e.store.close()


def _serve_account(replay: Replay, comments_404: frozenset[int] = frozenset()) -> None:
    replay.on("/api/v2/users/me.json", ME)
    replay.on("/api/v2/users/show_many.json", _show_many_of_me())
    first_after = PAGE_DELETED[0]["body"]["after_cursor"]
    last_after = PAGE_LAST[0]["body"]["after_cursor"]
    replay.on(EXPORT, PAGE_DELETED, {"start_time": "0"})
    replay.on(EXPORT, PAGE_LAST, {"cursor": first_after})
    replay.on(EXPORT, [_trimmed(PAGE_LAST[0], "tickets")], {"cursor": last_after})
    for ticket in _tickets(PAGE_DELETED + PAGE_LAST):
        path = f"/api/v2/tickets/{ticket['id']}/comments.json"
        if ticket["id"] in comments_404 or ticket["status"] == "deleted":
            replay.on(path, NOT_FOUND)  # as a deleted ticket's comments answer
        elif ticket["id"] == 33:  # the ticket whose comment page was recorded
            replay.on(path, COMMENTS)
        else:
            replay.on(path, [_trimmed(COMMENTS[0], "comments")])


def test_a_recorded_export_with_deleted_tickets_mirrors_every_live_ticket_and_its_cursor(
    replay: Replay, engine: SyncEngine
) -> None:
    _serve_account(replay)
    tickets = _tickets(PAGE_DELETED + PAGE_LAST)
    live = {t["id"] for t in tickets if t["status"] != "deleted"}
    deleted = {t["id"] for t in tickets if t["status"] == "deleted"}
    assert len(deleted) >= len(live) - 1 and live.isdisjoint(deleted)

    engine.identify()
    report = engine.pull()
    assert report.created == len(live) and report.skipped == 0
    store = engine.store
    assert all(store.conversation_by_external(str(i)) for i in live)
    assert not any(store.conversation_by_external(str(i)) for i in deleted)
    statuses = {t["id"]: t["status"] for t in tickets}
    for ticket_id in live:
        conv = store.conversation_by_external(str(ticket_id))
        assert conv is not None
        wanted = {"new": Status.NEW, "open": Status.OPEN, "pending": Status.PENDING}
        assert conv.status == wanted[statuses[ticket_id]]
    with_comment = store.conversation_by_external("33")
    assert with_comment is not None
    assert [m.body for m in store.messages(with_comment.id)] == ["Some comment"]
    asked = {r.path for r in replay.requests if r.path.endswith("/comments.json")}
    assert asked == {f"/api/v2/tickets/{i}/comments.json" for i in live}
    cursor = get_state(store, "zendesk", "cursor")
    assert cursor is not None
    assert json.loads(cursor) == {"after": PAGE_LAST[0]["body"]["after_cursor"]}

    # The next pull resumes after the last page: nothing read again.
    replay.requests.clear()
    again = engine.pull()
    assert again.conversations == 0
    assert [r.query for r in replay.requests if r.path == EXPORT] == [
        {"cursor": PAGE_LAST[0]["body"]["after_cursor"], "per_page": "100"}
    ]
    assert not [r for r in replay.requests if r.path.endswith("/comments.json")]


def test_a_recorded_404_on_one_tickets_comments_leaves_the_others_and_the_cursor(
    replay: Replay, engine: SyncEngine
) -> None:
    _serve_account(replay, comments_404={29})
    engine.identify()
    report = engine.pull()
    assert report.skipped == 1
    assert engine.store.conversation_by_external("29") is None
    assert engine.store.conversation_by_external("28") is not None
    assert engine.store.conversation_by_external("33") is not None
    assert get_state(engine.store, "zendesk", "cursor") is not None


def test_the_recorded_users_me_is_an_admin_who_uses_the_export(replay: Replay) -> None:
    replay.on("/api/v2/users/me.json", ME)
    connector = ZendeskConnector(
        ZendeskClient(base_url=replay.url, email="agent@example.com", api_token=TOKEN)
    )
    me = connector.whoami()
    assert me.external_id == str(ME[0]["body"]["user"]["id"])
    assert connector.uses_export()
    connector.close()


def test_every_macro_of_the_recorded_cursor_pages_is_imported(replay: Replay) -> None:
    pages = recorded("zendesk/macros_cursor_pages.json")
    for previous, page in itertools.pairwise(pages):
        after = previous["body"]["meta"]["after_cursor"]
        replay.on("/api/v2/macros.json", [page], {"page[after]": after})
    replay.on("/api/v2/macros.json", pages[:1], {"active": "true", "page[size]": "100"})
    connector = ZendeskConnector(
        ZendeskClient(base_url=replay.url, email="agent@example.com", api_token=TOKEN)
    )
    macros = connector.macros()
    assert len(macros) == len(pages) == 7
    first = macros[0]
    assert first.title == "Customer not responding"
    assert first.body and "{{" in first.body  # its Liquid placeholders kept as written
    assert {a["field"] for a in first.actions} == {"status"}
    connector.close()


def test_the_recorded_offset_macro_page_has_no_cursor_to_follow(replay: Replay) -> None:
    page = recorded("zendesk/macros_offset.json")
    assert "meta" not in page[0]["body"] and page[0]["body"]["next_page"] is None
    replay.on("/api/v2/macros.json", page)
    with ZendeskClient(base_url=replay.url, email="a@example.com", api_token=TOKEN) as client:
        assert len(list(client.iter_macros())) == page[0]["body"]["count"]


@pytest.mark.parametrize(
    ("fixture", "text"),
    [
        ("zendesk/ticket_not_found.json", "404 RecordNotFound: Not found"),
        ("zendesk/too_many_values.json", "TooManyValues: Parameter cannot specify more than 100"),
    ],
)
def test_recorded_errors_keep_their_text(replay: Replay, fixture: str, text: str) -> None:
    replay.on("/api/v2/tickets/9.json", recorded(fixture))
    client = ZendeskClient(base_url=replay.url, email="a@example.com", api_token=TOKEN)
    with client, pytest.raises(PermanentError) as refused:
        client.get_ticket(9)
    assert text in str(refused.value)


def test_the_recorded_search_export_pages_are_followed_by_cursor(replay: Replay) -> None:
    pages = recorded("zendesk/search_export_pages.json")
    after = pages[0]["body"]["meta"]["after_cursor"]
    replay.on("/api/v2/search/export.json", pages[1:], {"page[after]": after})
    replay.on("/api/v2/search/export.json", pages[:1], {"filter[type]": "user"})
    with ZendeskClient(base_url=replay.url, email="a@example.com", api_token=TOKEN) as client:
        found = list(itertools.islice(client.search_export("type:user", result_type="user"), 2))
    assert [u["id"] for u in found] == [p["body"]["results"][0]["id"] for p in pages]
    assert replay.requests[1].query["page[after]"] == after


def test_a_429_waits_what_retry_after_says(replay: Replay) -> None:
    # Not recorded: Zendesk documents a 429 with Retry-After in seconds.
    limited = {"status": 429, "headers": {"Retry-After": "7"}, "body": "Too Many Requests"}
    replay.on("/api/v2/users/me.json", [limited])
    client = ZendeskClient(base_url=replay.url, email="a@example.com", api_token=TOKEN)
    with client, pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.retry_after == 7


def test_the_recorded_comments_file_is_listed_and_fetched_only_from_the_account(
    replay: Replay, engine: SyncEngine
) -> None:
    _serve_account(replay)
    engine.identify()
    engine.pull()
    conv = engine.store.conversation_by_external("33")
    assert conv is not None
    [message] = engine.store.messages(conv.id)
    [file] = message.attachments
    real = COMMENTS[0]["body"]["comments"][0]["attachments"][0]
    assert (file.filename, file.size, file.content_type) == (
        real["file_name"],
        real["size"],
        real["content_type"],
    )
    assert file.external_id == real["content_url"]
    # The recorded address is another account's host (not the replayed one): refused, unasked.
    replay.requests.clear()
    with pytest.raises(PermanentError, match=r"z3npuddn\.zendesk\.com"):
        engine.connector.fetch_file(file.external_id)
    assert replay.requests == []
    # The same path on the account's own host is fetched (the bytes are not recorded).
    path = real["content_url"].split(".com", 1)[1].split("?")[0]
    replay.on(path, [{"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "# hi"}])
    here = replay.url + real["content_url"].split(".com", 1)[1]
    assert engine.connector.fetch_file(here) == b"# hi"


MACRO_WRITES = recorded("zendesk/macro_create_update.json")


def _publication(external_id: str | None, attempts: int = 1) -> MacroPublication:
    return MacroPublication(
        title="TestMacro",
        body="",
        actions=[{"field": "status", "value": "done"}],
        external_id=external_id,
        idempotency_key="k",
        attempts=attempts,
    )


def test_a_published_macro_is_created_and_changed_as_recorded(replay: Replay) -> None:
    created, changed, missing = MACRO_WRITES
    replay.on("/api/v2/macros.json", [created])
    replay.on("/api/v2/macros/6164085702810.json", [changed])
    replay.on("/api/v2/macros/9223372036854775807.json", [missing])
    connector = ZendeskConnector(ZendeskClient(base_url=replay.url, oauth_token=TOKEN))
    # The request deskterm makes is the recorded one, plus what makes it a shared macro.
    body = zendesk_macros.to_zendesk_actions("", _publication(None).actions)
    assert body == created["request"]["body"]["macro"]["actions"]
    assert connector.publish_macro(_publication(None)) == str(created["body"]["macro"]["id"])
    assert connector.publish_macro(_publication("6164085702810")) == "6164085702810"
    # A change to a macro deleted in Zendesk since (the recorded 404) creates it again.
    again = connector.publish_macro(_publication("9223372036854775807"))
    assert again == str(created["body"]["macro"]["id"])
    assert [(r.method, r.path) for r in replay.requests] == [
        ("POST", "/api/v2/macros.json"),
        ("PUT", "/api/v2/macros/6164085702810.json"),
        ("PUT", "/api/v2/macros/9223372036854775807.json"),
        ("POST", "/api/v2/macros.json"),
    ]
    connector.close()
