"""The fake Zendesk's incremental exports: tickets by cursor, ticket events by time.

Both leave out whatever changed within the last minute of the fake's clock, as Zendesk does,
and both cap a page at 1000 records.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from tests.fakes.zendesk_account import ZendeskAccount
from tests.fakes.zendesk_records import VIA_NAMES, ApiError, iso

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


def sideload(account: ZendeskAccount, tickets: list[dict], include: str) -> dict[str, Any]:
    """``include=users,groups,organizations`` next to a list of tickets."""
    wanted = {part.strip() for part in include.split(",") if part.strip()}
    loaded: dict[str, Any] = {}
    if "users" in wanted:
        ids = {t[k] for t in tickets for k in ("requester_id", "submitter_id", "assignee_id")}
        loaded["users"] = [account.users[i] for i in sorted(i for i in ids if i in account.users)]
    if "groups" in wanted:
        ids = {t["group_id"] for t in tickets if t["group_id"] in account.groups}
        loaded["groups"] = [account.groups[i] for i in sorted(ids)]
    if "organizations" in wanted:
        ids = {
            t["organization_id"] for t in tickets if t["organization_id"] in account.organizations
        }
        loaded["organizations"] = [account.organizations[i] for i in sorted(ids)]
    return loaded


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
        extra = {k: v for k, v in query.items() if k in ("per_page", "include")}
        answer: dict[str, Any] = {
            "tickets": tickets,
            "after_cursor": after,
            "before_cursor": before,
            "after_url": f"{url}?{urlencode({**extra, 'cursor': after})}",
            "before_url": f"{url}?{urlencode({**extra, 'cursor': before})}" if before else None,
            "end_of_stream": len(remaining) <= per_page,
        }
        if query.get("include"):
            answer |= sideload(account, tickets, query["include"])
        return answer


def _child_event(event: dict[str, Any], via: str) -> dict[str, Any]:
    child = dict(event)
    child["event_type"] = event["type"]
    child["via"] = via
    child["via_reference_id"] = None
    return child


def incremental_ticket_events(account: ZendeskAccount, query: dict[str, str], base: str) -> dict:
    """``GET /api/v2/incremental/ticket_events.json``: time-based, so the next page starts at
    ``end_time`` and may repeat the events of that second (callers dedupe by id)."""
    with account.lock:
        per_page = _per_page(query)
        start = _start_time(account, query)
        with_comments = "comment_events" in query.get("include", "")
        cutoff = account.now_ts() - EXCLUDED_SECONDS
        audits = sorted(
            (a for a in account.audits if start <= a.created < cutoff),
            key=lambda a: (a.created, a.id),
        )
        page = audits[:per_page]
        if page:
            # Keep every event of the last second on this page, as Zendesk does.
            last = page[-1].created
            page += [a for a in audits[per_page:] if a.created == last]
        events = []
        for audit in page:
            via = VIA_NAMES.get(audit.via_channel, audit.via_channel)
            comments = [e for e in audit.events if e["type"] == "Comment"]
            children = [
                _child_event(e, via)
                for e in audit.events
                if e["type"] != "Comment" or with_comments
            ]
            events.append(
                {
                    "id": audit.id,
                    "ticket_id": audit.ticket_id,
                    "timestamp": audit.created,
                    "created_at": iso(audit.created),
                    "updater_id": audit.author_id,
                    "via": via,
                    "system": {},
                    "event_type": "Audit",
                    "comment_present": bool(comments),
                    "comment_public": any(c["public"] for c in comments),
                    "merged_ticket_ids": [],
                    "child_events": children,
                }
            )
        end_time = page[-1].created if page else start
        if page and page[0].created == end_time and len(page) >= per_page:
            end_time += 1  # a whole page within one second: move on rather than loop
        params = {"start_time": end_time} | ({"include": query["include"]} if with_comments else {})
        return {
            "ticket_events": events,
            "next_page": f"{base}/api/v2/incremental/ticket_events.json?{urlencode(params)}",
            "count": len(events),
            "end_time": end_time,
            "end_of_stream": len(page) == len(audits),
        }
