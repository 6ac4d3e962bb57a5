"""RTClient against a real Request Tracker 5, directly and through the fault proxy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
    RateLimited,
    RemoteError,
    TransientError,
)
from deskterm.backend.connectors.rt_api import RTClient
from tests.integration.conftest import RTServer
from tests.integration.faultproxy import FaultProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def ticket(rt: RTClient) -> int:
    return rt.create_ticket("General", "Missing bread", "lea@example.com", "il manque le pain")


@pytest.fixture
def proxy(rt_server: RTServer) -> Iterator[FaultProxy]:
    with FaultProxy(rt_server.host, rt_server.port) as running:
        yield running


@pytest.fixture
def proxied(rt_server: RTServer, proxy: FaultProxy) -> Iterator[RTClient]:
    with RTClient(proxy.url, token=rt_server.token, timeout=5.0) as client:
        yield client


def _tag() -> str:
    return uuid.uuid4().hex[:12]


def test_version(rt: RTClient) -> None:
    assert rt.rt_version().startswith("5.")


def test_created_ticket_reads_back_as_plain_python(rt: RTClient, ticket: int) -> None:
    record = rt.get_ticket(ticket)
    assert record["id"] == ticket
    assert record["Subject"] == "Missing bread"
    assert record["Status"] == "new"
    assert record["Queue"] == 1
    assert record["Owner"] == "Nobody"
    assert record["Requestor"] == ["lea@example.com"]
    assert record["Priority"] == 0
    assert record["Resolved"] is None and record["Starts"] is None
    created = record["Created"]
    assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)
    assert record["ETag"]
    assert "_hyperlinks" not in record


def test_search_pages_through_results(rt: RTClient) -> None:
    tag = _tag()
    ids = [rt.create_ticket("General", f"{tag} n{i}", "paul@example.com", "x") for i in range(5)]
    query = f"Subject LIKE '{tag}'"

    first = rt.search_tickets(query, fields=["Subject", "Status", "Created"], page=1, per_page=2)
    assert (first.page, first.pages, first.total, first.next_page) == (1, 3, 5, 2)
    assert [item["id"] for item in first.items] == ids[:2]
    assert isinstance(first.items[0]["Created"], datetime)
    last = rt.search_tickets(query, fields=["Subject"], page=3, per_page=2)
    assert ([item["id"] for item in last.items], last.next_page) == (ids[4:], None)

    assert [t["id"] for t in rt.iter_tickets(query, ["Subject"], per_page=2)] == ids


def test_search_without_match(rt: RTClient) -> None:
    page = rt.search_tickets(f"Subject LIKE '{_tag()}'", fields=["Subject"])
    assert (page.items, page.pages, page.total, page.next_page) == ([], 0, 0, None)
    assert list(rt.iter_tickets(f"Subject LIKE '{_tag()}'", ["Subject"])) == []


def test_replies_and_notes_show_in_history_with_their_text(rt: RTClient, ticket: int) -> None:
    rt.correspond(ticket, "Désolé ! On vous renvoie le pain 🥖")
    rt.comment(ticket, "<p>customer is <b>VIP</b></p>", content_type="text/html")

    history = rt.history(ticket)
    messages = [t for t in history if t["Type"] in ("Create", "Correspond", "Comment")]
    assert [m["Type"] for m in messages] == ["Create", "Correspond", "Comment"]
    create, reply, note = messages
    assert create["Content"] == "il manque le pain"
    assert reply["Content"] == "Désolé ! On vous renvoie le pain 🥖"
    assert note["HtmlContent"] == "<p>customer is <b>VIP</b></p>"
    assert all(m["Creator"] == "root" and m["Attachments"] == [] for m in messages)
    assert [t["id"] for t in history] == sorted(t["id"] for t in history)
    assert all(isinstance(t["Created"], datetime) for t in history)
    # RT opens a new ticket on the first reply: that shows as a Status transaction.
    assert any(
        (t["Type"], t["OldValue"], t["NewValue"]) == ("Status", "new", "open") for t in history
    )


def test_status_owner_and_dates_update(rt: RTClient, ticket: int) -> None:
    for status in ("open", "stalled", "resolved"):
        rt.update_ticket(ticket, {"Status": status})
        assert rt.get_ticket(ticket)["Status"] == status
    rt.update_ticket(ticket, {"Owner": "root", "Priority": 40})
    wake = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)
    rt.update_ticket(ticket, {"Starts": wake})
    record = rt.get_ticket(ticket)
    assert (record["Owner"], record["Priority"], record["Starts"]) == ("root", 40, wake)
    assert record["Resolved"] is not None


def test_snoozed_ticket_is_found_by_its_wake_time(rt: RTClient, ticket: int) -> None:
    # How a snooze maps onto RT: stalled, with the wake-up time in Starts.
    rt.update_ticket(ticket, {"Status": "stalled", "Starts": datetime.now(UTC) - timedelta(1)})
    due = rt.search_tickets(f"id = {ticket} AND Status = 'stalled' AND Starts < 'now'", fields=[])
    assert [t["id"] for t in due.items] == [ticket]


def test_invalid_status_is_a_permanent_refusal(rt: RTClient, ticket: int) -> None:
    with pytest.raises(PermanentError, match="isn't a valid status") as caught:
        rt.update_ticket(ticket, {"Status": "snoozed"})
    assert not isinstance(caught.value, Conflict)
    assert rt.get_ticket(ticket)["Status"] == "new"


def test_unknown_owner_is_a_permanent_refusal(rt: RTClient, ticket: int) -> None:
    with pytest.raises(PermanentError):
        rt.update_ticket(ticket, {"Owner": f"nobody-{_tag()}"})


def test_stale_etag_is_a_conflict(rt: RTClient, ticket: int) -> None:
    stale = rt.get_ticket(ticket)["ETag"]
    rt.update_ticket(ticket, {"Status": "open"}, etag=stale)
    with pytest.raises(Conflict) as caught:
        rt.update_ticket(ticket, {"Status": "resolved"}, etag=stale)
    assert caught.value.status == 412
    fresh = rt.get_ticket(ticket)
    assert fresh["Status"] == "open"
    rt.update_ticket(ticket, {"Status": "resolved"}, etag=fresh["ETag"])


def test_missing_ticket_is_permanent(rt: RTClient) -> None:
    with pytest.raises(PermanentError) as caught:
        rt.get_ticket(999_999)
    assert caught.value.status == 404


def test_users_and_queues(rt: RTClient, ticket: int) -> None:
    user = rt.get_user("lea@example.com")
    assert (user["EmailAddress"], isinstance(user["id"], int)) == ("lea@example.com", True)
    assert rt.get_user("root")["Name"] == "root"
    assert rt.get_queue("General")["id"] == 1
    with pytest.raises(PermanentError):
        rt.get_queue(f"no-such-queue-{_tag()}")


def test_bad_token_is_an_auth_error(rt_server: RTServer) -> None:
    client = RTClient(rt_server.url, token="1-14-0123456789abcdef")
    with client, pytest.raises(AuthError):
        client.rt_version()


def test_basic_auth_works(rt_server: RTServer) -> None:
    with RTClient(rt_server.url, user=rt_server.user, password=rt_server.password) as client:
        assert client.rt_version().startswith("5.")
    wrong = RTClient(rt_server.url, user=rt_server.user, password="wrong")
    with wrong, pytest.raises(AuthError):
        wrong.rt_version()


# -- through the fault proxy --------------------------------------------------------------


def test_server_error_is_transient(proxied: RTClient, proxy: FaultProxy) -> None:
    proxy.fail_next(1, "500")
    with pytest.raises(TransientError) as caught:
        proxied.rt_version()
    assert caught.value.status == 500 and not isinstance(caught.value, RateLimited)
    assert proxied.rt_version().startswith("5.")


def test_dropped_connection_is_transient(proxied: RTClient, proxy: FaultProxy) -> None:
    proxy.fail_next(1, "drop")
    with pytest.raises(TransientError):
        proxied.rt_version()
    assert proxy.forwarded == 0


def test_rate_limit_carries_retry_after(proxied: RTClient, proxy: FaultProxy) -> None:
    proxy.fail_next(1, "429")
    with pytest.raises(RateLimited) as caught:
        proxied.search_tickets("id > 0", fields=["Subject"])
    assert caught.value.retry_after == 1.0


def test_slow_answer_is_a_transient_timeout(rt_server: RTServer, proxy: FaultProxy) -> None:
    proxy.fail_next(1, "delay", seconds=2.0)
    client = RTClient(proxy.url, token=rt_server.token, timeout=0.5)
    with client, pytest.raises(TransientError, match="in time"):
        client.rt_version()


def test_answer_lost_after_create_still_created_the_ticket(
    rt: RTClient, proxied: RTClient, proxy: FaultProxy
) -> None:
    # The case an outbox must handle: the client saw a failure, yet RT did the work.
    subject = f"lost answer {_tag()}"
    proxy.fail_next(1, "drop_after")
    with pytest.raises(TransientError):
        proxied.create_ticket("General", subject, "ana@example.com", "hello")
    found = rt.search_tickets(f"Subject = '{subject}'", fields=["Subject"])
    assert found.total == 1


def test_chaos_only_ever_raises_domain_errors(proxied: RTClient, proxy: FaultProxy) -> None:
    proxy.chaos(0.5, seed=20240501)
    successes = 0
    for _ in range(30):
        try:
            proxied.search_tickets("Queue = 'General'", fields=["Subject"], per_page=5)
            successes += 1
        except RemoteError as error:
            assert isinstance(error, TransientError)
    assert 0 < successes < 30
    assert proxy.seen == 30


def test_web_session_is_fast_and_refuses_a_bad_password(rt_server: RTServer) -> None:
    with RTClient(
        rt_server.url, user=rt_server.user, password=rt_server.password, web_session=True
    ) as client:
        ticket = client.create_ticket("General", "via a session", "ana@example.com", "hi")
        client.correspond(ticket, "answered through the session")
        assert any(t.get("Type") == "Correspond" for t in client.history(ticket))
    with (
        RTClient(rt_server.url, user=rt_server.user, password="wrong", web_session=True) as client,
        pytest.raises(AuthError),
    ):
        client.rt_version()
