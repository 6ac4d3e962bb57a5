"""The fake Zendesk's endpoints: one small function per route, and Zendesk's two paginations.

Only the endpoints deskterm's client calls are here (see the README next to this file).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.fakes.zendesk import export, macros, query, rules
from tests.fakes.zendesk.account import ZendeskAccount
from tests.fakes.zendesk.records import ApiError, forbidden

MAX_CURSOR_PAGE = 100
MAX_OFFSET_PAGE = 100
MAX_EXPORT_PAGE = 1000
OFFSET_RECORD_LIMIT = 10_000


@dataclass
class Call:
    """One authenticated request, as the endpoints see it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    actor: dict[str, Any]
    base: str


Answer = tuple[int, dict[str, Any]]
Handler = Callable[[ZendeskAccount, Call, re.Match[str]], Answer]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def _route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(rf"^/api/v2/{pattern}(?:\.json)?$"), handler))
        return handler

    return register


def dispatch(account: ZendeskAccount, call: Call) -> Answer:
    """Run the endpoint matching the call, or answer Zendesk's 404 for an unknown endpoint."""
    for method, pattern, handler in _ROUTES:
        match = pattern.match(call.path)
        if match and method == call.method:
            return handler(account, call, match)
    raise ApiError(404, {"error": "InvalidEndpoint", "description": "Not found"})


# -- pagination ------------------------------------------------------------------------------


def _invalid_attribute(name: str, detail: str) -> ApiError:
    message = f"You passed an invalid value for the {name} attribute. {detail}"
    return ApiError(400, {"error": {"title": "Invalid attribute", "message": message}})


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise _invalid_attribute(name, f"Invalid parameter: {name} must be an integer") from None


def _cursor(item: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(f"id:{item['id']}".encode()).decode().rstrip("=")


def _locate(items: list[dict[str, Any]], cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        item_id = int(base64.urlsafe_b64decode(padded).decode().removeprefix("id:"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid_attribute("page[after]", "Invalid cursor") from None
    for index, item in enumerate(items):
        if item["id"] == item_id:
            return index
    raise _invalid_attribute("page[after]", "Invalid cursor")


def _uses_cursor(query: dict[str, str]) -> bool:
    return any(key.startswith("page[") for key in query)


def paginate(
    call: Call, items: list[dict[str, Any]], key: str, max_size: int = MAX_CURSOR_PAGE
) -> dict[str, Any]:
    """Cursor pagination when any ``page[...]`` parameter is given, offset pagination else."""
    others = {k: v for k, v in call.query.items() if not k.startswith("page")}
    url = f"{call.base}{call.path}"
    if _uses_cursor(call.query):
        size = _int_param(call.query, "page[size]", MAX_CURSOR_PAGE)
        if not 1 <= size <= max_size:
            raise _invalid_attribute("page[size]", f"page[size] must be {max_size} or less")
        start, end = 0, size
        if "page[after]" in call.query:
            start = _locate(items, call.query["page[after]"]) + 1
            end = start + size
        elif "page[before]" in call.query:
            end = _locate(items, call.query["page[before]"])
            start = max(0, end - size)
        page = items[start:end]
        after = _cursor(page[-1]) if page else None
        before = _cursor(page[0]) if page else None
        next_query = others | {"page[size]": size, "page[after]": after}
        prev_query = others | {"page[size]": size, "page[before]": before}
        return {
            key: page,
            "meta": {"has_more": end < len(items), "after_cursor": after, "before_cursor": before},
            "links": {
                "next": f"{url}?{urlencode(next_query)}" if after else None,
                "prev": f"{url}?{urlencode(prev_query)}" if before else None,
            },
        }
    number = _int_param(call.query, "page", 1)
    per_page = max(1, min(_int_param(call.query, "per_page", MAX_OFFSET_PAGE), MAX_OFFSET_PAGE))
    if number < 1:
        raise _invalid_attribute("page", "Invalid parameter: page must be 1 or more")
    offset = (number - 1) * per_page
    if offset >= OFFSET_RECORD_LIMIT:
        description = "Offset pagination stops at 10,000 records; use cursor pagination."
        raise ApiError(400, {"error": "InvalidPaginationParameter", "description": description})
    more = offset + per_page < len(items)
    return {
        key: items[offset : offset + per_page],
        "next_page": f"{url}?{urlencode(others | {'page': number + 1, 'per_page': per_page})}"
        if more
        else None,
        "previous_page": f"{url}?{urlencode(others | {'page': number - 1, 'per_page': per_page})}"
        if number > 1
        else None,
        "count": len(items),
    }


# -- users -------------------------------------------------------------------------------------


@_route("GET", r"users/me")
def _me(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    return 200, {"user": call.actor}


@_route("GET", r"users/show_many")
def _show_many(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    try:
        ids = [int(part) for part in call.query.get("ids", "").split(",") if part.strip()]
    except ValueError:
        raise _invalid_attribute("ids", "ids must be integers") from None
    if len(ids) > 100:
        raise _invalid_attribute("ids", "At most 100 ids can be given")
    return 200, {"users": [account.users[i] for i in ids if i in account.users]}


# -- tickets and comments ----------------------------------------------------------------------


@_route("GET", r"tickets/(\d+)")
def _ticket(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    with account.lock:
        return 200, {"ticket": account.ticket_json(account.ticket(int(match.group(1))))}


@_route("PUT", r"tickets/(\d+)")
def _update_ticket(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    return 200, rules.update_ticket(account, int(match.group(1)), call.body, call.actor)


@_route("GET", r"tickets/(\d+)/comments")
def _comments(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    with account.lock:
        ticket = account.ticket(int(match.group(1)))
        comments = [account.comment_json(c) for c in account.comments.get(ticket.id, [])]
    if call.query.get("sort_order") == "desc":
        comments.reverse()
    return 200, paginate(call, comments, "comments")


@_route("GET", r"incremental/tickets/cursor")
def _incremental_tickets(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    admins_only(call.actor)
    return 200, export.incremental_tickets(account, call.query, call.base)


def admins_only(actor: dict[str, Any]) -> None:
    """The incremental exports are "Allowed for: Admins" (Zendesk's OpenAPI description)."""
    if actor["role"] != "admin":
        raise forbidden()


@_route("GET", r"deleted_tickets")
def _deleted_tickets(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    """Allowed for agents; ``sort_by`` id, subject or deleted_at (Zendesk's OpenAPI)."""
    key = call.query.get("sort_by", "id")
    if key not in ("id", "subject", "deleted_at"):
        raise _invalid_attribute("sort_by", "sort_by must be id, subject or deleted_at")
    with account.lock:
        gone = [t for t in account.tickets.values() if t.status == "deleted"]
        records = [account.deleted_json(t) for t in gone]
    records.sort(key=lambda r: (r[key], r["id"]), reverse=call.query.get("sort_order") == "desc")
    return 200, paginate(call, records, "deleted_tickets")


# -- macros ------------------------------------------------------------------------------------


def _macro_list(account: ZendeskAccount, call: Call, active_only: bool) -> list[dict[str, Any]]:
    with account.lock:
        macros = sorted(account.macros.values(), key=lambda m: (m["position"], m["id"]))
    wanted = call.query.get("active")
    if active_only or wanted == "true":
        macros = [m for m in macros if m["active"]]
    elif wanted == "false":
        macros = [m for m in macros if not m["active"]]
    return macros


@_route("GET", r"macros")
def _macros(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    return 200, paginate(call, _macro_list(account, call, active_only=False), "macros")


@_route("POST", r"macros")
def _create_macro(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    return 201, macros.create(account, call.actor, call.body)


@_route("PUT", r"macros/(\d+)")
def _update_macro(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    return 200, macros.update(account, call.actor, int(match.group(1)), call.body)


@_route("GET", r"macros/active")
def _active_macros(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    # Offset pagination only: the cursor parameters are ignored, as Zendesk does here.
    offset_only = Call(
        call.method,
        call.path,
        {k: v for k, v in call.query.items() if not k.startswith("page[")},
        call.body,
        call.actor,
        call.base,
    )
    return 200, paginate(offset_only, _macro_list(account, call, active_only=True), "macros")


# -- search export (what an agent may call) ----------------------------------------------------


@_route("GET", r"search/export")
def _search_export(account: ZendeskAccount, call: Call, match: re.Match[str]) -> Answer:
    text = call.query.get("query")
    if not text:
        raise ApiError(400, {"error": "InvalidParameter", "description": "query is required"})
    kind = call.query.get("filter[type]")
    if kind not in ("ticket", "user", "organization", "group"):
        raise _invalid_attribute("filter[type]", "filter[type] is required")
    with account.lock:
        delay = account.search_index_delay
        hidden_after = account.now_ts() - delay if delay > 0 else None
        results = query.search(account, f"type:{kind} {text}", call.actor["id"], hidden_after)
    # Newest first, ties by id: the order the recorded export cursor names.
    results.sort(key=lambda r: r["id"])
    results.sort(key=lambda r: r.get("created_at") or "", reverse=True)
    cursor_only = {k: v for k, v in call.query.items() if k != "page"} | {
        "page[size]": call.query.get("page[size]", str(MAX_CURSOR_PAGE))
    }
    paged = paginate(
        Call(call.method, call.path, cursor_only, call.body, call.actor, call.base),
        results,
        "results",
        MAX_EXPORT_PAGE,
    )
    paged["meta"]["before_cursor"] = None
    paged["links"]["prev"] = None
    return 200, paged | {"facets": None}
