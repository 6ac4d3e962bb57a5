"""RTClient and RT's record quirks on canned answers: no server needed.

The error mapping, the headers of writes, refusals hidden in 200 answers, dates and the
normalised records; the same client runs against a real RT in test_rt_api.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
    RateLimited,
    RemoteError,
    TransientError,
)
from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.connectors.rt_records import (
    format_rt_date,
    normalise,
    page_of,
    parse_rt_date,
    refusals,
)


def _canned(handler: Callable[[httpx.Request], httpx.Response]) -> RTClient:
    return RTClient("http://rt.test/REST/2.0/", token="t0k", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthError),
        (403, AuthError),
        (404, PermanentError),
        (409, Conflict),
        (412, Conflict),
        (422, PermanentError),
        (500, TransientError),
        (503, TransientError),
    ],
)
def test_statuses_map_to_domain_errors(status: int, error: type[RemoteError]) -> None:
    client = _canned(lambda _: httpx.Response(status, json={"message": "nope"}))
    with pytest.raises(RemoteError) as caught:
        client.get_ticket(1)
    assert type(caught.value) is error
    assert caught.value.status == status
    assert "nope" in str(caught.value)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, 5.0), ("7", 7.0), ("soon", 5.0), ("-3", 5.0), ("1e308", 5.0), ("3600", 300.0)],
)
def test_rate_limit_reads_retry_after(header: str | None, seconds: float) -> None:
    headers = {"Retry-After": header} if header else {}
    client = _canned(lambda _: httpx.Response(429, headers=headers))
    with pytest.raises(RateLimited) as caught:
        client.rt_version()
    assert caught.value.retry_after == seconds


def test_rate_limit_with_an_http_date() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    client = _canned(lambda _: httpx.Response(429, headers={"Retry-After": later}))
    with pytest.raises(RateLimited) as caught:
        client.rt_version()
    assert 20 < caught.value.retry_after <= 30


def test_garbled_answer_is_transient() -> None:
    client = _canned(lambda _: httpx.Response(200, content=b"<html>proxy error"))
    with pytest.raises(TransientError):
        client.rt_version()


def test_writes_send_json_content_type_auth_and_if_match() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=["Ticket 3: Status changed from 'new' to 'open'"])

    client = _canned(answer)
    wake = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    client.update_ticket(3, {"Status": "open", "Starts": wake}, etag='"41"')
    request = seen[0]
    assert (request.method, request.url.path) == ("PUT", "/REST/2.0/ticket/3")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "token t0k"
    assert request.headers["if-match"] == '"41"'
    assert json.loads(request.content) == {"Status": "open", "Starts": "2030-01-02 01:04:05"}


def test_basic_auth_when_no_token() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"Version": "5.0.3"})

    client = RTClient(
        "http://rt.test", user="ana", password="pw", transport=httpx.MockTransport(answer)
    )
    assert client.rt_version() == "5.0.3"
    assert seen[0].headers["authorization"].startswith("Basic ")
    with pytest.raises(ValueError):
        RTClient("http://rt.test")


def test_refusal_in_a_200_answer_is_permanent() -> None:
    client = _canned(lambda _: httpx.Response(200, json=["Ticket 1: Permission Denied"]))
    with pytest.raises(PermanentError) as caught:
        client.correspond(1, "hello")
    assert caught.value.status == 200


@pytest.mark.parametrize(
    "message",
    [
        "Ticket 1: Status 'bogus' isn't a valid status for this ticket.",
        "Ticket 1: That user does not exist",
        "Permission Denied",
        "You can't change status from 'new' to 'deleted'.",
        "Ticket 1: Owner could not be set.",
    ],
)
def test_known_refusals(message: str) -> None:
    assert refusals([message]) == [message]


@pytest.mark.parametrize(
    "message",
    [
        "Ticket 1: Owner changed from Nobody to root",
        "Ticket 1: Status changed from 'open' to 'deleted'",
        "Correspondence added",
        "Comments added",
        "Ticket 1: Starts changed from Not set to Tue Dec 01 09:30:00 2026",
    ],
)
def test_known_successes(message: str) -> None:
    assert refusals([message]) == []


_WORDS = st.sampled_from(["can't", "invalid", "failed", "not allowed", "log", "in", "pain", "é"])


@given(words=st.lists(_WORDS, max_size=6).map(" ".join))
def test_customer_words_never_decide_a_refusal(words: str) -> None:
    assert refusals([f"Ticket 7: Subject changed from 'old' to '{words}'"]) == []
    refused = f"Ticket 7: Status '{words}' isn't a valid status for this ticket."
    assert refusals([refused]) == [refused]


_MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@given(moment=_MOMENTS)
def test_dates_round_trip(moment: datetime) -> None:
    assert parse_rt_date(moment.strftime("%Y-%m-%dT%H:%M:%SZ")) == moment
    assert datetime.strptime(format_rt_date(moment), "%Y-%m-%d %H:%M:%S") == moment.replace(
        tzinfo=None
    )


def test_unset_dates_and_naive_datetimes() -> None:
    assert parse_rt_date("1970-01-01T00:00:00Z") is None
    assert parse_rt_date(None) is None
    with pytest.raises(ValueError):
        format_rt_date(datetime(2030, 1, 1))


def test_pages_and_records_are_normalised() -> None:
    empty = page_of({"items": [], "page": 1, "pages": 0.0, "total": 0})
    assert (empty.pages, empty.next_page) == (0, None)
    ref = {"type": "user", "id": "root", "_url": "u"}
    custom = [{"type": "freeform", "id": "2", "_url": "c", "name": "Order", "values": ["88"]}]
    record = normalise(
        {
            "id": "12",
            "_url": "x",
            "Owner": ref,
            "Requestor": [ref],
            "Queue": {"type": "queue", "id": "3", "_url": "q"},
            "Priority": "20",
            "FinalPriority": "Low",
            "Due": "1970-01-01T00:00:00Z",
            "CustomFields": custom,
        }
    )
    assert record == {
        "id": 12,
        "Owner": "root",
        "Requestor": ["root"],
        "Queue": 3,
        "Priority": 20,
        "FinalPriority": "Low",
        "Due": None,
        "CustomFields": custom,
    }
