"""Zendesk's attached files: which hosts a ``content_url`` may be fetched from (and with which
credentials), the redirects, the size cap and the errors, over a mock transport."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.connectors.errors import PermanentError, RateLimited, TransientError
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.connectors.zendesk_files import fetch_attachment, files_of, with_credentials
from tests.integration.replay import recorded

ROOT = "https://acme.zendesk.com"
SIGNED = "https://p18.zdusercontent.com/attachment/123/abc?token=signed"


def test_the_accounts_own_host_gets_credentials_zendesks_file_host_none() -> None:
    assert with_credentials(f"{ROOT}/attachments/token/t/?name=a.pdf", ROOT) is True
    assert with_credentials(SIGNED, ROOT) is False
    assert with_credentials("https://zdusercontent.com/x", ROOT) is False


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/attachments/token/t/",
        "https://other.zendesk.com/attachments/token/t/",  # another account
        "https://acme.zendesk.com.evil.example/x",
        "https://evilzdusercontent.com/x",
        "http://p18.zdusercontent.com/x",  # not over TLS
        "https://p18.zdusercontent.com:8443/x",
        "http://acme.zendesk.com/x",  # the account, but not as the API is reached
        "file:///etc/passwd",
        "not a url",
        "",
    ],
)
def test_any_other_address_is_refused_in_one_line(url: str) -> None:
    with pytest.raises(PermanentError) as refused:
        with_credentials(url, ROOT)
    assert "\n" not in str(refused.value) and str(refused.value).startswith("refused")


@given(st.text(max_size=60))
def test_no_address_but_the_two_hosts_passes(host: str) -> None:
    url = f"https://{host}/attachments/token/t/"
    try:
        credentials = with_credentials(url, ROOT)
    except PermanentError:
        return
    parsed = httpx.URL(url).host
    assert parsed == "acme.zendesk.com" if credentials else parsed.endswith("zdusercontent.com")


def test_the_recorded_comment_lists_its_file() -> None:
    comment = recorded("zendesk/comments_page.json")[0]["body"]["comments"][0]
    [file] = files_of(comment)
    assert (file.filename, file.size, file.content_type) == (
        "README.md",
        15156,
        "application/x-genesis-rom",
    )
    assert file.external_id == comment["attachments"][0]["content_url"]
    deleted = dict(comment, attachments=[dict(comment["attachments"][0], deleted=True)])
    assert files_of(deleted) == []


def _client(handler) -> ZendeskClient:
    return ZendeskClient(
        subdomain="acme",
        email="ada@example.com",
        api_token="secret-token",
        transport=httpx.MockTransport(handler),
    )


def test_the_302_to_zendesks_file_host_is_followed_without_credentials() -> None:
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get("Authorization")))
        if request.url.host == "acme.zendesk.com":
            return httpx.Response(302, headers={"Location": SIGNED})
        return httpx.Response(200, content=b"%PDF-1.7 bytes")

    with _client(handler) as client:
        data = fetch_attachment(client, f"{ROOT}/attachments/token/t/?name=a.pdf")
    assert data == b"%PDF-1.7 bytes"
    assert seen[0][0] == "acme.zendesk.com" and seen[0][1] is not None
    assert seen[1] == ("p18.zdusercontent.com", None)


def test_a_redirect_elsewhere_is_refused_before_any_request_there() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(302, headers={"Location": "https://evil.example/steal"})

    with _client(handler) as client, pytest.raises(PermanentError, match=r"evil\.example"):
        fetch_attachment(client, f"{ROOT}/attachments/token/t/")
    assert hosts == ["acme.zendesk.com"]


def test_endless_redirects_stop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/attachments/token/again/"})

    with _client(handler) as client, pytest.raises(PermanentError, match="redirected"):
        fetch_attachment(client, f"{ROOT}/attachments/token/t/")


@pytest.mark.parametrize("declared", [True, False])
def test_a_file_over_the_cap_stops(declared: bool) -> None:
    def chunks():
        for _ in range(10):
            yield b"x" * 1000

    def handler(request: httpx.Request) -> httpx.Response:
        if declared:
            return httpx.Response(200, content=b"x" * 10_000)
        return httpx.Response(200, content=chunks())  # streamed, no length said

    with _client(handler) as client, pytest.raises(PermanentError, match="larger than"):
        fetch_attachment(client, f"{ROOT}/attachments/token/t/", limit=5_000)


def test_429_and_5xx_are_handled_like_every_other_call() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}, text="Too Many Requests"),
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(404, json={"error": "RecordNotFound", "description": "Not found"}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    url = f"{ROOT}/attachments/token/t/"
    with _client(handler) as client:
        with pytest.raises(RateLimited) as limited:
            fetch_attachment(client, url)
        assert limited.value.retry_after == 7
        with pytest.raises(TransientError):
            fetch_attachment(client, url)
        with pytest.raises(PermanentError) as gone:
            fetch_attachment(client, url)
    assert "RecordNotFound" in str(gone.value) and "/t/" not in str(gone.value)
