"""What the fake Zendesk does to a ticket on update, on create, and when a macro is applied."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.zendesk_account import ZendeskAccount
from tests.fakes.zendesk_records import (
    PRIORITIES,
    STATUSES,
    TICKET_TYPES,
    ApiError,
    Audit,
    Ticket,
    body_to_html,
    iso,
    normalize_tags,
    not_found,
    record_invalid,
)

_CONFLICT = {
    "error": "UpdateConflict",
    "description": "Safe Update prevented the update due to outdated ticket data. "
    "Please fetch the latest ticket data and try again.",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


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


def create_ticket(account: ZendeskAccount, payload: Any, actor: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/v2/tickets``: returns ``{"ticket": ..., "audit": ...}``."""
    with account.lock:
        data = _ticket_payload(payload)
        _validate(account, None, data)
        comment = data.get("comment") or {}
        body, html_body = _comment_fields(comment)
        if not body and not html_body:
            raise record_invalid("description", "Description: cannot be blank", "BlankValue")
        requester_id = data.get("requester_id")
        requester = data.get("requester")
        if requester_id is None and isinstance(requester, dict):
            email = requester.get("email")
            found = [u for u in account.users.values() if email and u["email"] == email]
            name = str(requester.get("name") or email or "Unknown")
            user = found[0] if found else account.add_user(name, email)
            requester_id = user["id"]
        requester_id = int(requester_id if requester_id is not None else actor["id"])
        if requester_id not in account.users:
            raise record_invalid("requester", "Requester: is invalid")
        assignee = data.get("assignee_id")
        ticket = account.add_ticket(
            str(data.get("subject") or body[:80]),
            requester_id,
            body,
            status=data.get("status") or ("open" if assignee else "new"),
            priority=data.get("priority"),
            via="api",
            tags=normalize_tags(data.get("tags")),
            assignee_id=assignee,
            group_id=data.get("group_id"),
            ticket_type=data.get("type"),
            custom_fields={int(c["id"]): c.get("value") for c in data.get("custom_fields") or []},
            external_id=data.get("external_id"),
        )
        ticket.submitter_id = int(data.get("submitter_id") or actor["id"])
        first = account.comments[ticket.id][0]
        if html_body is not None and not body:
            first.html_body = html_body
        if comment.get("public") is False:
            first.public = False
        audit = next(a for a in reversed(account.audits) if a.ticket_id == ticket.id)
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


def render_placeholders(
    text: str, ticket: Ticket, requester: dict[str, Any], actor: dict[str, Any]
) -> str:
    """Fill the few placeholders the fake knows; unknown ones are stripped, as Zendesk does."""

    def first_name(user: dict[str, Any]) -> str:
        parts = str(user.get("name") or "").split()
        return parts[0] if parts else ""

    values = {
        "ticket.id": str(ticket.id),
        "ticket.title": ticket.subject,
        "ticket.status": ticket.status,
        "ticket.requester.name": str(requester.get("name") or ""),
        "ticket.requester.first_name": first_name(requester),
        "ticket.requester.email": str(requester.get("email") or ""),
        "current_user.name": str(actor.get("name") or ""),
        "current_user.first_name": first_name(actor),
        "current_user.email": str(actor.get("email") or ""),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def apply_macro(
    account: ZendeskAccount, ticket_id: int, macro_id: int, actor: dict[str, Any]
) -> dict[str, Any]:
    """``GET /api/v2/tickets/{id}/macros/{mid}/apply``: the ticket as it would be after the
    macro, with the macro's comment inside it; the ticket itself is left unchanged."""
    with account.lock:
        ticket = account.ticket(ticket_id)
        macro = account.macros.get(macro_id)
        if macro is None:
            raise not_found()
        result = account.ticket_json(ticket)
        text: str | None = None
        html_text: str | None = None
        public = True
        for action in macro["actions"]:
            name, value = action.get("field"), action.get("value")
            if name in ("status", "priority", "type"):
                result[name] = value
            elif name == "group_id":
                result["group_id"] = int(value) if value not in (None, "") else None
            elif name == "assignee_id":
                result["assignee_id"] = actor["id"] if value == "current_user" else value
            elif name == "set_tags":
                result["tags"] = normalize_tags(value)
            elif name == "current_tags":
                result["tags"] = list(dict.fromkeys(result["tags"] + normalize_tags(value)))
            elif name == "remove_tags":
                gone = set(normalize_tags(value))
                result["tags"] = [t for t in result["tags"] if t not in gone]
            elif name == "comment_value":
                text = value[-1] if isinstance(value, list) else str(value)
            elif name == "comment_value_html":
                html_text = str(value)
            elif name == "comment_mode_is_public":
                public = str(value).lower() == "true"
            elif isinstance(name, str) and name.startswith("custom_fields_"):
                field_id = int(name.removeprefix("custom_fields_"))
                others = [c for c in result["custom_fields"] if c["id"] != field_id]
                result["custom_fields"] = [*others, {"id": field_id, "value": value}]
        if text is not None or html_text is not None:
            requester = account.users.get(ticket.requester_id, {})
            body = render_placeholders(text or "", ticket, requester, actor)
            markup = render_placeholders(html_text, ticket, requester, actor) if html_text else None
            result["comment"] = {
                "body": body,
                "html_body": markup or body_to_html(body),
                "public": public,
                "scoped_body": [["channel:all", body]],
            }
        return {"result": {"ticket": result}}
