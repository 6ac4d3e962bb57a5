"""Files attached to Zendesk comments: listed from each comment's ``attachments``, fetched
from their ``content_url``.

A ``content_url`` is remote data, and Zendesk warns that the file "may be hosted externally"
(its "Working with url properties" page: check the domain first, never send the account's
credentials elsewhere). So a file is fetched only from:

- the account's own host (scheme, host and port as the connector reaches the API), with the
  account's credentials: accounts with secure downloads ask for them there;
- Zendesk's attachment host, ``zdusercontent.com`` and its subdomains, over HTTPS and without
  credentials: the account host's 302 points there with a signed, temporary address.

Every redirect (at most ``MAX_REDIRECTS``) is checked the same way; any other host is refused
in one line. The bytes are read as they come and the fetch stops past ``MAX_FILE_BYTES``.
"""

from __future__ import annotations

from typing import Any

import httpx

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.zendesk_http import ZendeskHTTP
from deskterm.backend.sync.protocol import RemoteFile

#: Zendesk's attachment host (the signed download addresses its 302s point to).
ATTACHMENT_DOMAIN = "zdusercontent.com"
#: Zendesk refuses attachments over 50 MB; nothing larger is read.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 3


def files_of(comment: dict[str, Any]) -> list[RemoteFile]:
    """The files of one comment (deleted ones left out), each known by its ``content_url``.

    Inline images are kept: a terminal shows no picture, so saving is the only way to see
    one."""
    files = []
    for a in comment.get("attachments") or []:
        url = a.get("content_url") if isinstance(a, dict) else None
        if not url or a.get("deleted"):
            continue
        files.append(
            RemoteFile(
                external_id=str(url),
                filename=str(a.get("file_name") or "file"),
                content_type=str(a.get("content_type") or "application/octet-stream"),
                size=int(a.get("size") or 0),
            )
        )
    return files


def with_credentials(url: str, account_root: str) -> bool:
    """Whether ``url`` may be fetched with the account's credentials (its own host) or
    without (Zendesk's attachment host).

    Raises:
        PermanentError: any other host, or not a web address; one line for the agent.
    """
    try:
        target, account = httpx.URL(url), httpx.URL(account_root)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise PermanentError("refused: the file's address is not a web address") from None
    host = (target.host or "").lower()
    same = (target.scheme, host, target.port) == (
        account.scheme,
        (account.host or "").lower(),
        account.port,
    )
    if same and target.scheme in ("https", "http"):
        return True
    zendesk_files = host == ATTACHMENT_DOMAIN or host.endswith("." + ATTACHMENT_DOMAIN)
    if zendesk_files and target.scheme == "https" and target.port in (None, 443):
        return False
    shown = host or "an address without a host"
    raise PermanentError(f"refused to fetch a file from {shown}: not this Zendesk account's host")


def fetch_attachment(http: ZendeskHTTP, url: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes at ``content_url``, following Zendesk's redirects, each host checked.

    Raises:
        PermanentError: a refused host, too many redirects, a file over ``limit``, a 4xx.
        TransientError, RateLimited: as the connector's other calls (5xx, 429).
    """
    for _ in range(MAX_REDIRECTS + 1):
        got = http.get_file(url, credentials=with_credentials(url, http.base_url), limit=limit)
        if isinstance(got, bytes):
            return got
        url = got
    raise PermanentError(f"refused: the file's address redirected more than {MAX_REDIRECTS} times")
