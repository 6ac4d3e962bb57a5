"""Records and helpers shared by the fake Zendesk's modules: errors, times, tickets, comments."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_TYPES = ("problem", "incident", "question", "task")
MAX_COMMENT_BYTES = 65_536


class ApiError(Exception):
    """An answer other than success, in the shape Zendesk gives it."""

    def __init__(
        self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def forbidden() -> ApiError:
    """An agent calling what only admins may (the text quoted in zenpy#336)."""
    description = (
        "You do not have access to this page. Please contact the account owner of this help "
        "desk for further help."
    )
    return ApiError(403, {"error": "Forbidden", "description": description})


def record_invalid(field_name: str, description: str, error: str = "InvalidValue") -> ApiError:
    """Zendesk's 422 for a failed validation, with the per-field details."""
    details = {field_name: [{"description": description, "error": error}]}
    body = {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    return ApiError(422, body)


def to_epoch(value: datetime | str | float | None, default: int) -> int:
    """Accept a datetime, an ISO 8601 string or epoch seconds; None gives ``default``."""
    if value is None:
        return default
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    if isinstance(value, str):
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    return int(value)


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Zendesk keeps tags lower-case, splits a string on spaces and drops duplicates."""
    if tags is None:
        return []
    words = tags.split() if isinstance(tags, str) else [t for tag in tags for t in str(tag).split()]
    return list(dict.fromkeys(w.lower() for w in words if w))


def body_to_html(body: str) -> str:
    paragraphs = html.escape(body).replace("\n", "<br>")
    return f'<div class="zd-comment" dir="auto"><p dir="auto">{paragraphs}</p></div>'


def html_to_text(markup: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


@dataclass
class Ticket:
    id: int
    subject: str
    description: str
    requester_id: int
    submitter_id: int
    status: str
    created: int
    updated: int
    via_channel: str = "web"
    priority: str | None = None
    type: str | None = None
    assignee_id: int | None = None
    group_id: int | None = None
    organization_id: int | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[int, Any] = field(default_factory=dict)
    external_id: str | None = None
    due_at: str | None = None
    deleted: int | None = None  # when it was deleted (epoch seconds)
    previous_status: str | None = None  # its status before
    deleted_by: int | None = None


@dataclass
class Comment:
    id: int
    ticket_id: int
    author_id: int
    body: str
    html_body: str
    public: bool
    created: int
    via_channel: str
    audit_id: int
    attachments: list[int] = field(default_factory=list)


@dataclass
class Audit:
    """One change to a ticket: what the ticket events export lists, with its child events."""

    id: int
    ticket_id: int
    author_id: int
    created: int
    via_channel: str
    events: list[dict[str, Any]] = field(default_factory=list)
