"""The fake Zendesk's incremental ticket export, by cursor.

It leaves out whatever changed within the last minute of the fake's clock, as Zendesk does,
caps a page at 1000 records, and lists deleted tickets with ``"status": "deleted"``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from tests.fakes.zendesk.account import ZendeskAccount
from tests.fakes.zendesk.records import ApiError

MAX_PER_PAGE = 1000
EXCLUDED_SECONDS = 60


def _invalid(description: str, status: int = 400) -> ApiError:
    return ApiError(status, {"error": "InvalidValue", "description": description})


def _per_page(query: dict[str, str]) -> int:
    try:
        value = int(query.get("per_page", MAX_PER_PAGE))
    except ValueError:
        raise _invalid("per_page must be an integer") from None
    return max(1, min(value, MAX_PER_PAGE))


def _start_time(account: ZendeskAccount, query: dict[str, str]) -> int:
    raw = query.get("start_time")
    if raw is None:
        raise _invalid("start_time is required")
    try:
        start = int(raw)
    except ValueError:
        raise _invalid("start_time must be an integer (epoch seconds)") from None
    if start > account.now_ts() - EXCLUDED_SECONDS:
        raise _invalid("Too recent start_time. Use a start_time older than 1 minute", 422)
    return start


def encode_cursor(updated: int, ticket_id: int) -> str:
    return base64.urlsafe_b64encode(f"{updated}.{ticket_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        updated, ticket_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(".")
        return int(updated), int(ticket_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid("Invalid cursor") from None


def incremental_tickets(account: ZendeskAccount, query: dict[str, str], base: str) -> dict:
    """``GET /api/v2/incremental/tickets/cursor.json``."""
    with account.lock:
        per_page = _per_page(query)
        if "cursor" in query:
            position = decode_cursor(query["cursor"])
        else:
            position = (_start_time(account, query), 0)
        cutoff = account.now_ts() - EXCLUDED_SECONDS
        eligible = sorted(
            (t for t in account.tickets.values() if t.updated < cutoff),
            key=lambda t: (t.updated, t.id),
        )
        remaining = [t for t in eligible if (t.updated, t.id) > position]
        page = remaining[:per_page]
        after = encode_cursor(page[-1].updated, page[-1].id) if page else encode_cursor(*position)
        before = encode_cursor(page[0].updated, page[0].id) if page else None
        tickets = [account.ticket_json(t) for t in page]
        url = f"{base}/api/v2/incremental/tickets/cursor.json"
        extra = {k: v for k, v in query.items() if k == "per_page"}
        answer: dict[str, Any] = {
            "tickets": tickets,
            "after_cursor": after,
            "before_cursor": before,
            "after_url": f"{url}?{urlencode({**extra, 'cursor': after})}",
            "before_url": f"{url}?{urlencode({**extra, 'cursor': before})}" if before else None,
            "end_of_stream": len(remaining) <= per_page,
        }
        return answer
