"""The Zendesk client against the local fake Zendesk: rate limits, server faults, timeouts."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.connectors.errors import (
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.connectors.zendesk_http import DEFAULT_RETRY_AFTER, parse_retry_after
from tests.fakes import ZENDESK_NOW, FakeZendesk

NOW = ZENDESK_NOW


# -- faults and limits ---------------------------------------------------------------------------


def test_429_with_retry_after_is_rate_limited(zendesk: FakeZendesk, client: ZendeskClient) -> None:
    zendesk.fail_next(status=429, retry_after=7)
    with pytest.raises(RateLimited) as caught:
        client.me()
    assert (caught.value.retry_after, caught.value.status) == (7, 429)
    assert isinstance(caught.value, TransientError)
    assert client.me()["id"] == zendesk.agent["id"]


def test_429_with_a_plain_text_body_and_no_header_waits_the_default(
    zendesk: FakeZendesk, client: ZendeskClient
) -> None:
    zendesk.fail_next(status=429, body="Too Many Requests")
    with pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.retry_after == DEFAULT_RETRY_AFTER == 60
    assert "Too Many Requests" in str(caught.value)


def test_account_rate_limit_headers_and_429() -> None:
    with FakeZendesk(now=NOW, rate_limit=3) as zendesk:
        auth = (f"{zendesk.agent['email']}/token", zendesk.api_token)
        remaining = [
            httpx.get(f"{zendesk.url}/api/v2/users/me.json", auth=auth).headers[
                "X-Rate-Limit-Remaining"
            ]
            for _ in range(2)
        ]
        assert remaining == ["2", "1"]
        with ZendeskClient(
            base_url=zendesk.url, email=zendesk.agent["email"], api_token=zendesk.api_token
        ) as c:
            c.me()
            with pytest.raises(RateLimited) as caught:
                c.me()
            assert caught.value.retry_after == 30  # to the next minute of the fake's clock
            zendesk.advance(30)
            assert c.me()["id"] == zendesk.agent["id"]


@pytest.mark.parametrize(
    ("status", "body"), [(500, None), (502, None), (503, "Service Unavailable")]
)
def test_server_errors_are_transient(
    zendesk: FakeZendesk, client: ZendeskClient, status: int, body: str | None
) -> None:
    zendesk.fail_next(status=status, body=body)
    with pytest.raises(TransientError) as caught:
        client.me()
    assert caught.value.status == status
    assert not isinstance(caught.value, RateLimited)


def test_an_answer_slower_than_the_timeout_is_transient(zendesk: FakeZendesk) -> None:
    with ZendeskClient(
        base_url=zendesk.url, email=zendesk.agent["email"], api_token=zendesk.api_token, timeout=0.2
    ) as slow:
        zendesk.delay_next(seconds=1.0)
        with pytest.raises(TransientError, match="timed out"):
            slow.me()
        assert slow.me()["id"] == zendesk.agent["id"]


def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = ZendeskClient(base_url=f"http://127.0.0.1:{port}", oauth_token="t")
    with nowhere, pytest.raises(TransientError, match="connection failed") as raised:
        nowhere.me()
    assert isinstance(raised.value, Unreachable)  # nothing was sent: nothing can have landed


def test_a_success_that_is_not_json_is_transient(
    zendesk: FakeZendesk, client: ZendeskClient
) -> None:
    zendesk.fail_next(status=200, body="<html>maintenance</html>")
    with pytest.raises(TransientError, match="not JSON"):
        client.me()


@given(st.integers(min_value=0, max_value=300))
def test_retry_after_reads_integer_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds), "Too Many Requests") == seconds


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=200))
def test_retry_after_defaults_when_nothing_says(body: str) -> None:
    assert parse_retry_after(None, body) == DEFAULT_RETRY_AFTER
    assert parse_retry_after("soon", body) == DEFAULT_RETRY_AFTER


@given(st.text(max_size=100), st.text(max_size=200))
def test_retry_after_never_fails_nor_goes_negative(header: str, body: str) -> None:
    seconds = parse_retry_after(header, body)
    assert 0 <= seconds < float("inf")


def test_retry_after_reads_dates_and_text() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 May 2024 12:00:45 GMT", now=now) == 45
    assert parse_retry_after(None, "Rate limited. Retry after 12 seconds") == 12
    assert parse_retry_after("-5") == DEFAULT_RETRY_AFTER
    assert parse_retry_after("1e308") == parse_retry_after("inf") == DEFAULT_RETRY_AFTER
    assert parse_retry_after("86400") == 300


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (
            {"errors": [{"code": "InvalidQuery", "title": "Bad query", "detail": "no such field"}]},
            "InvalidQuery Bad query no such field",
        ),
        ({"errors": ["Title: cannot be blank", "Body: is too long"]}, "Body: is too long"),
        ({"error": "RecordInvalid", "errors": [{"detail": "status is closed"}]}, "closed"),
    ],
)
def test_errors_lists_keep_their_text(
    zendesk: FakeZendesk, client: ZendeskClient, body: dict, shown: str
) -> None:
    # Zendesk documents this shape for its newer endpoints; none was found recorded.
    zendesk.fail_next(status=400, body=body)
    with pytest.raises(PermanentError) as refused:
        client.me()
    assert shown in str(refused.value)
