"""A typed client for Request Tracker 5's REST 2 API (synchronous, over httpx).

It smooths over RT's quirks so the connector deals in plain Python: ids and priorities as
ints (RT sends strings in lists and numbers on single records), references to users and
queues as their ids, dates as aware UTC datetimes with RT's "unset" (1970-01-01) as ``None``.
HTTP failures become the connector errors (in :mod:`.rt_http`, with authentication), so the
sync engine can decide from the class alone whether to retry, wait or give up.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from deskterm.backend.connectors.errors import PermanentError, TransientError
from deskterm.backend.connectors.rt_http import RTSession, json_of, raise_on_refusal
from deskterm.backend.connectors.rt_records import (
    MAX_PER_PAGE,
    MESSAGE_TYPES,
    Page,
    format_rt_date,
    messages_of,
    normalise,
    page_of,
)

__all__ = ["MAX_PER_PAGE", "Page", "RTClient"]

_HISTORY_FIELDS = "Type,Field,OldValue,NewValue,Creator,Created"
# Asking for "Parent" here makes RT 5.0.3 answer 500, so it is left out.
_ATTACHMENT_FIELDS = "ContentType,Filename,Headers,ContentLength"
_CHARSET = re.compile(r"^Content-Type:.*?charset=\"?([\w.:-]+)", re.IGNORECASE | re.MULTILINE)


class RTClient:
    """Request Tracker 5 over REST 2: tickets, their history, replies, notes and updates.

    Every method raises TransientError (timeouts, dropped connections, 5xx, a garbled
    answer), RateLimited (429), AuthError (401, 403), Conflict (409, 412) or PermanentError
    (other 4xx, refusals) instead of httpx's exceptions.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        web_session: bool = False,
    ) -> None:
        """Connect to the RT at ``base_url`` (``http://host:port``, with or without /REST/2.0).

        RT hashes the secret on every request authenticated by a token or basic auth (about
        0.3 s each on a small machine). With a user and password and ``web_session``, the
        client logs in once through RT's login form and sends the session cookie instead
        (about 15 ms a request), logging in again when the session expires.
        """
        self._session = RTSession(
            base_url,
            token=token,
            user=user,
            password=password,
            timeout=timeout,
            transport=transport,
            web_session=web_session,
        )
        self._request = self._session.request
        self._get_json = self._session.get_json

    @property
    def base_url(self) -> httpx.URL:
        """The REST 2 root, ``http://host:port/REST/2.0/``."""
        return self._session.base_url

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()

    def __enter__(self) -> RTClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def rt_version(self) -> str:
        """Returns RT's version string, e.g. ``5.0.3``. A cheap way to check credentials."""
        return str(self._get_json("rt")["Version"])

    def search_tickets(
        self,
        query: str,
        *,
        fields: list[str],
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        order_by: str = "id",
        order: str = "ASC",
    ) -> Page:
        """Run a TicketSQL search and return one page of tickets.

        Args:
            query: TicketSQL, e.g. ``Queue = 'General' AND LastUpdated > '2024-05-01'``.
            fields: ticket fields to return besides ``id``.
            page: 1-based page number.
            per_page: 1 to 100.
            order_by, order: sort key and ``ASC``/``DESC``; sorting by id keeps pages
                stable while tickets are being created.
        Returns:
            A Page of normalised records (``id`` an int, dates as datetimes).
        """
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if page < 1:
            raise ValueError("page numbers start at 1")
        data = self._get_json(
            "tickets",
            params={
                "query": query,
                "fields": ",".join(fields),
                "page": page,
                "per_page": per_page,
                "orderby": order_by,
                "order": order,
            },
        )
        return page_of(data)

    def iter_tickets(
        self, query: str, fields: list[str], *, per_page: int = MAX_PER_PAGE
    ) -> Iterator[dict[str, Any]]:
        """Yield every ticket matching ``query``, page after page, in id order."""
        page: int | None = 1
        while page is not None:
            result = self.search_tickets(query, fields=fields, page=page, per_page=per_page)
            yield from result.items
            page = result.next_page if result.items else None

    def get_ticket(self, ticket_id: int) -> dict[str, Any]:
        """Returns the normalised ticket, with its ``ETag`` for a later ``update_ticket``."""
        response = self._request("GET", f"ticket/{int(ticket_id)}")
        record = normalise(json_of(response))
        record["ETag"] = response.headers.get("ETag")
        return record

    def server_time(self) -> datetime:
        """RT's clock now (from its ``Date`` header): the safe start of an incremental pull."""
        response = self._request("GET", "rt")
        header = response.headers.get("Date")
        if not header:
            raise TransientError("RT's answer has no Date header")
        return parsedate_to_datetime(header).astimezone(UTC)

    def history(
        self, ticket_id: int, *, parts: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[dict[str, Any]]:
        """Returns the ticket's transactions, oldest first.

        Each has ``id``, ``Type``, ``Field``, ``OldValue``, ``NewValue``, ``Creator`` (a user
        name) and ``Created``; messages (Create, Correspond, Comment) also have ``Content``
        (the text/plain part, or ``None``), ``HtmlContent`` (the text/html part, or ``None``)
        and ``Attachments`` (``id``, ``Filename``, ``ContentType``, ``Size`` of each file).

        Reading a message's parts costs two requests or more; ``parts`` (a test on the
        transaction) limits them to the messages it accepts — the others have no ``Content``.
        """
        transactions = []
        page: int | None = 1
        while page is not None:
            data = self._get_json(
                f"ticket/{int(ticket_id)}/history",
                params={"fields": _HISTORY_FIELDS, "page": page, "per_page": MAX_PER_PAGE},
            )
            result = page_of(data)
            transactions.extend(result.items)
            page = result.next_page if result.items else None
        for transaction in transactions:
            if transaction.get("Type") in MESSAGE_TYPES and (parts is None or parts(transaction)):
                transaction.update(self._message_parts(transaction["id"]))
        return transactions

    def get_user(self, id_or_name: int | str) -> dict[str, Any]:
        """Returns the normalised user record, looked up by numeric id or by name/email."""
        return normalise(self._get_json(f"user/{quote(str(id_or_name), safe='')}"))

    def get_queue(self, name: int | str) -> dict[str, Any]:
        """Returns the normalised queue record, looked up by name or numeric id."""
        return normalise(self._get_json(f"queue/{quote(str(name), safe='')}"))

    def list_queues(self) -> list[dict[str, Any]]:
        """Returns the queues the user can see (enabled ones), each with ``id`` and ``Name``."""
        queues: list[dict[str, Any]] = []
        page: int | None = 1
        while page is not None:
            data = self._get_json(
                "queues/all", params={"fields": "Name", "page": page, "per_page": MAX_PER_PAGE}
            )
            result = page_of(data)
            queues.extend(result.items)
            page = result.next_page if result.items else None
        return queues

    def attachment(self, attachment_id: int) -> tuple[bytes, dict[str, Any]]:
        """Returns one attachment's bytes and its normalised record (``Filename``,
        ``ContentType``, ``Headers``)."""
        data = self._get_json(f"attachment/{int(attachment_id)}")
        raw = base64.b64decode(data.get("Content") or "")
        return raw, normalise({k: v for k, v in data.items() if k != "Content"})

    # -- writing ---------------------------------------------------------------------------

    def create_ticket(
        self,
        queue: str,
        subject: str,
        requestor: str,
        content: str,
        *,
        content_type: str = "text/plain",
    ) -> int:
        """Create a ticket with its first message from ``requestor``; returns its id."""
        body = {
            "Queue": queue,
            "Subject": subject,
            "Requestor": requestor,
            "Content": content,
            "ContentType": content_type,
        }
        data = json_of(self._request("POST", "ticket", body=body))
        if not isinstance(data, dict) or "id" not in data:
            raise PermanentError(f"RT did not create the ticket: {data!r}")
        return int(data["id"])

    def correspond(self, ticket_id: int, content: str, *, content_type: str = "text/plain") -> None:
        """Send a public reply to the customer (RT may move a new ticket to open)."""
        self._post_message(ticket_id, "correspond", content, content_type)

    def comment(self, ticket_id: int, content: str, *, content_type: str = "text/plain") -> None:
        """Add an internal note, never shown to the customer."""
        self._post_message(ticket_id, "comment", content, content_type)

    def update_ticket(
        self, ticket_id: int, fields: dict[str, Any], *, etag: str | None = None
    ) -> list[str]:
        """Change ticket fields (Status, Owner, Priority, Starts, Due, CustomFields, …).

        Datetime values are written in the form RT honours. With ``etag`` (from
        ``get_ticket``) the update only applies if the ticket has not changed since.
        Returns RT's messages. Raises Conflict on a stale ETag and PermanentError when
        RT answers 200 but refuses a change (an unknown status, a missing user, a right).
        """
        body = {
            key: format_rt_date(value) if isinstance(value, datetime) else value
            for key, value in fields.items()
        }
        headers = {"If-Match": etag} if etag else None
        response = self._request("PUT", f"ticket/{int(ticket_id)}", body=body, headers=headers)
        messages = messages_of(json_of(response))
        raise_on_refusal(messages, f"update of ticket {ticket_id}")
        return messages

    # -- plumbing --------------------------------------------------------------------------

    def _post_message(self, ticket_id: int, action: str, content: str, content_type: str) -> None:
        body = {"Content": content, "ContentType": content_type}
        response = self._request("POST", f"ticket/{int(ticket_id)}/{action}", body=body)
        raise_on_refusal(messages_of(json_of(response)), f"{action} on ticket {ticket_id}")

    def _message_parts(self, transaction_id: int) -> dict[str, Any]:
        """The text, HTML and file parts of one transaction's message."""
        text: str | None = None
        html: str | None = None
        files: list[dict[str, Any]] = []
        page: int | None = 1
        while page is not None:
            data = self._get_json(
                f"transaction/{int(transaction_id)}/attachments",
                params={"fields": _ATTACHMENT_FIELDS, "page": page, "per_page": MAX_PER_PAGE},
            )
            result = page_of(data)
            for part in result.items:
                kind = str(part.get("ContentType") or "").lower()
                if part.get("Filename"):
                    files.append(
                        {
                            "id": part["id"],
                            "Filename": part["Filename"],
                            "ContentType": kind,
                            "Size": _as_size(part.get("ContentLength")),
                        }
                    )
                elif kind == "text/plain" and text is None:
                    text = self._attachment_text(part)
                elif kind == "text/html" and html is None:
                    html = self._attachment_text(part)
            page = result.next_page if result.items else None
        return {"Content": text, "HtmlContent": html, "Attachments": files}

    def _attachment_text(self, part: dict[str, Any]) -> str:
        # Lists give the content already decoded, but /attachment/:id gives the stored bytes
        # (base64) and the headers say their charset: no guessing.
        data = self._get_json(f"attachment/{int(part['id'])}")
        raw = base64.b64decode(data.get("Content") or "")
        found = _CHARSET.search(str(data.get("Headers") or part.get("Headers") or ""))
        charset = found.group(1) if found else "utf-8"
        try:
            return raw.decode(charset, errors="replace")
        except LookupError:
            return raw.decode("utf-8", errors="replace")


def _as_size(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0
