"""What the fake Zendesk does to a ticket on update."""

from __future__ import annotations

from typing import Any

from tests.fakes.zendesk.account import ZendeskAccount
from tests.fakes.zendesk.records import (
    PRIORITIES,
    STATUSES,
    TICKET_TYPES,
    ApiError,
    Audit,
    Ticket,
    iso,
    normalize_tags,
    record_invalid,
)

_CONFLICT = {
    "error": "UpdateConflict",
    "description": "Safe Update prevented the update due to outdated ticket data. "
    "Please fetch the latest ticket data and try again.",
}


def _ticket_payload(payload: Any) -> dict[str, Any]:
    data = payload.get("ticket") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise ApiError(400, {"error": "InvalidParameter", "description": "ticket is required"})
    return data


def _validate(account: ZendeskAccount, ticket: Ticket | None, data: dict[str, Any]) -> None:
    """Refuse the whole update before changing anything, as Zendesk's validations do."""
    if "status" in data:
        status = data["status"]
        if status not in STATUSES:
            raise record_invalid("status", f"Status: {status!r} is not a valid status")
        if status == "new" and ticket is not None and ticket.status != "new":
            raise record_invalid("status", "Status: cannot be changed back to new")
    if data.get("priority") is not None and data["priority"] not in PRIORITIES:
        raise record_invalid("priority", "Priority: is not valid")
    if data.get("type") is not None and data["type"] not in TICKET_TYPES:
        raise record_invalid("type", "Type: is not valid")
    assignee = data.get("assignee_id")
    if assignee is not None and account.users.get(assignee, {}).get("role") not in (
        "agent",
        "admin",
    ):
        raise record_invalid("assignee_id", "Assignee: is not an agent")
    if data.get("group_id") is not None and data["group_id"] not in account.groups:
        raise record_invalid("group_id", "Group: is invalid")
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, dict):
        raise record_invalid("comment", "Comment: must be an object with a body")


def _change(account: ZendeskAccount, ticket: Ticket, audit: Audit, name: str, value: Any) -> None:
    previous = getattr(ticket, name)
    if previous != value:
        audit.events.append(account._event("Change", name, value, previous))
        setattr(ticket, name, value)


def _comment_fields(comment: dict[str, Any]) -> tuple[str, str | None]:
    body = comment.get("body") or ""
    html_body = comment.get("html_body")
    return str(body), html_body


def update_ticket(
    account: ZendeskAccount, ticket_id: int, payload: Any, actor: dict[str, Any]
) -> dict[str, Any]:
    """``PUT /api/v2/tickets/{id}``: returns ``{"ticket": ..., "audit": ...}``."""
    with account.lock:
        ticket = account.ticket(ticket_id)
        data = _ticket_payload(payload)
        stamp = data.get("updated_stamp") if data.get("safe_update") else None
        if stamp is not None and str(stamp) != iso(ticket.updated):
            raise ApiError(409, dict(_CONFLICT))
        if ticket.status == "closed":
            raise record_invalid("status", "Status: closed prevents ticket update")
        _validate(account, ticket, data)
        now = account.now_ts()
        audit = account._new_audit(ticket, actor["id"], now, "api")
        for name in ("subject", "priority", "type", "group_id", "due_at", "external_id"):
            if name in data:
                _change(account, ticket, audit, name, data[name])
        if "assignee_id" in data:
            _change(account, ticket, audit, "assignee_id", data["assignee_id"])
        tags = list(ticket.tags)
        if "tags" in data:
            tags = normalize_tags(data["tags"])
        tags = list(dict.fromkeys(tags + normalize_tags(data.get("additional_tags"))))
        removed = set(normalize_tags(data.get("remove_tags")))
        _change(account, ticket, audit, "tags", [t for t in tags if t not in removed])
        for custom in data.get("custom_fields") or []:
            ticket.custom_fields[int(custom["id"])] = custom.get("value")
        explicit_status = "status" in data
        if explicit_status:
            _change(account, ticket, audit, "status", data["status"])
        elif ticket.status == "new" and ticket.assignee_id is not None:
            # Zendesk opens a new ticket as soon as someone owns it.
            _change(account, ticket, audit, "status", "open")
        if ticket.status == "solved" and ticket.assignee_id is None and actor["role"] != "end-user":
            # Solving needs an assignee; Zendesk assigns the agent who solves.
            _change(account, ticket, audit, "assignee_id", actor["id"])
        comment = data.get("comment")
        if comment:
            body, html_body = _comment_fields(comment)
            if body or html_body:
                author = int(comment.get("author_id") or actor["id"])
                public = bool(comment.get("public", True))
                account._add_comment_to(ticket, audit, author, body, html_body, public, now, "api")
                account._after_comment(ticket, audit, author, explicit_status=explicit_status)
        account._touch(ticket, now)
        return {"ticket": account.ticket_json(ticket), "audit": audit_json(account, audit)}


def audit_json(account: ZendeskAccount, audit: Audit) -> dict[str, Any]:
    return {
        "id": audit.id,
        "ticket_id": audit.ticket_id,
        "author_id": audit.author_id,
        "created_at": iso(audit.created),
        "metadata": {"system": {}, "custom": {}},
        "via": account.via_json(audit.via_channel),
        "events": [dict(e) for e in audit.events],
    }
