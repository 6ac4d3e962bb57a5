"""The in-memory Zendesk account behind the fake server: its records, seeding and reading.

Everything here is plain Python (no HTTP): the server module turns requests into calls on a
``ZendeskAccount`` and its answers into JSON. Timestamps are integer epoch seconds inside and
ISO 8601 with ``Z`` outside, like Zendesk's.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from tests.fakes.zendesk.files import FakeFile, FileStore
from tests.fakes.zendesk.records import (
    MAX_COMMENT_BYTES,
    Audit,
    Comment,
    Ticket,
    body_to_html,
    html_to_text,
    iso,
    normalize_tags,
    not_found,
    record_invalid,
    to_epoch,
)


class ZendeskAccount:
    """One Zendesk account in memory. Every public method is safe to call from any thread."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.url = "https://example.zendesk.com"
        #: Search answers at most this many results; asking for a page beyond is a 422.
        self.search_limit = 1000
        #: Seconds before a new ticket can be found by search (Zendesk takes minutes).
        self.search_index_delay = 0
        self.users: dict[int, dict[str, Any]] = {}
        self.organizations: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, Ticket] = {}
        self.comments: dict[int, list[Comment]] = {}
        self.audits: list[Audit] = []
        self.macros: dict[int, dict[str, Any]] = {}
        #: Whether agents (not only admins) may create and change shared macros, as a
        #: custom agent role can allow.
        self.agents_manage_shared_macros = False
        self.files = FileStore()
        self._ticket_ids = itertools.count(1)
        self._user_ids = itertools.count(1001)
        self._org_ids = itertools.count(50_001)
        self._group_ids = itertools.count(70_001)
        self._rule_ids = itertools.count(80_001)
        self._event_ids = itertools.count(1_000_001)

    def now_ts(self) -> int:
        return int(self.clock())

    # -- seeding -------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        email: str | None = None,
        *,
        role: str = "end-user",
        organization_id: int | None = None,
        phone: str | None = None,
        locale: str = "en-US",
        time_zone: str = "UTC",
        tags: Iterable[str] = (),
        external_id: str | None = None,
        created_at: datetime | str | float | None = None,
    ) -> dict[str, Any]:
        """Add a user (``role``: end-user, agent or admin) and return its JSON record."""
        with self.lock:
            user_id = next(self._user_ids)
            stamp = iso(to_epoch(created_at, self.now_ts()))
            user = {
                "id": user_id,
                "url": f"{self.url}/api/v2/users/{user_id}.json",
                "name": name,
                "email": email,
                "role": role,
                "organization_id": organization_id,
                "phone": phone,
                "locale": locale,
                "time_zone": time_zone,
                "tags": normalize_tags(tags),
                "external_id": external_id,
                "active": True,
                "verified": True,
                "suspended": False,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self.users[user_id] = user
            return user

    def add_organization(
        self,
        name: str,
        *,
        domain_names: Iterable[str] = (),
        tags: Iterable[str] = (),
        notes: str = "",
    ) -> dict[str, Any]:
        """Add an organisation and return its JSON record."""
        with self.lock:
            org_id = next(self._org_ids)
            stamp = iso(self.now_ts())
            org = {
                "id": org_id,
                "url": f"{self.url}/api/v2/organizations/{org_id}.json",
                "name": name,
                "domain_names": list(domain_names),
                "tags": normalize_tags(tags),
                "notes": notes,
                "details": "",
                "external_id": None,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self.organizations[org_id] = org
            return org

    def add_group(self, name: str, *, description: str = "") -> dict[str, Any]:
        """Add an agent group and return its JSON record."""
        with self.lock:
            group_id = next(self._group_ids)
            stamp = iso(self.now_ts())
            group = {
                "id": group_id,
                "url": f"{self.url}/api/v2/groups/{group_id}.json",
                "name": name,
                "description": description,
                "default": not self.groups,
                "deleted": False,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self.groups[group_id] = group
            return group

    def add_ticket(
        self,
        subject: str,
        requester_id: int,
        comment: str,
        *,
        status: str = "new",
        priority: str | None = None,
        via: str = "web",
        tags: Iterable[str] = (),
        created_at: datetime | str | float | None = None,
        updated_at: datetime | str | float | None = None,
        assignee_id: int | None = None,
        group_id: int | None = None,
        ticket_type: str | None = None,
        custom_fields: dict[int, Any] | None = None,
        external_id: str | None = None,
    ) -> Ticket:
        """Add a ticket whose first comment (its description) comes from the requester."""
        with self.lock:
            if requester_id not in self.users:
                raise KeyError(f"unknown requester {requester_id}")
            created = to_epoch(created_at, self.now_ts())
            ticket = Ticket(
                id=next(self._ticket_ids),
                subject=subject,
                description=comment,
                requester_id=requester_id,
                submitter_id=requester_id,
                status=status,
                created=created,
                updated=to_epoch(updated_at, created),
                via_channel=via,
                priority=priority,
                type=ticket_type,
                assignee_id=assignee_id,
                group_id=group_id,
                organization_id=self.users[requester_id]["organization_id"],
                tags=normalize_tags(tags),
                custom_fields=dict(custom_fields or {}),
                external_id=external_id,
            )
            self.tickets[ticket.id] = ticket
            audit = self._new_audit(ticket, requester_id, created, via)
            for name in ("subject", "status", "priority", "assignee_id", "group_id"):
                audit.events.append(self._event("Create", name, getattr(ticket, name)))
            self._add_comment_to(ticket, audit, requester_id, comment, None, True, created, via)
            return ticket

    def add_comment(
        self,
        ticket_id: int,
        author_id: int,
        body: str,
        public: bool = True,
        *,
        html_body: str | None = None,
        created_at: datetime | str | float | None = None,
        via: str = "web",
    ) -> Comment:
        """Add a comment as Zendesk would record it: the ticket's updated_at moves, and a
        requester's comment on a pending or solved ticket sets it back to open."""
        with self.lock:
            ticket = self.ticket(ticket_id)
            created = to_epoch(created_at, self.now_ts())
            audit = self._new_audit(ticket, author_id, created, via)
            comment = self._add_comment_to(
                ticket, audit, author_id, body, html_body, public, created, via
            )
            self._after_comment(ticket, audit, author_id, explicit_status=False)
            self._touch(ticket, created)
            return comment

    def attach_file(
        self,
        comment: Comment,
        file_name: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        inline: bool = False,
    ) -> FakeFile:
        """Attach a file to a comment (as an upload token given with the comment would)."""
        file = self.files.add(file_name, data, content_type, inline)
        with self.lock:
            comment.attachments.append(file.id)
        return file

    def add_macro(
        self,
        title: str,
        actions: list[dict[str, Any]],
        *,
        active: bool = True,
        description: str | None = None,
        restriction: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add a macro; ``actions`` are ``{"field": ..., "value": ...}`` as Zendesk stores them."""
        with self.lock:
            macro_id = next(self._rule_ids)
            stamp = iso(self.now_ts())
            macro = {
                "id": macro_id,
                "url": f"{self.url}/api/v2/macros/{macro_id}.json",
                "title": title,
                "raw_title": title,
                "description": description,
                "active": active,
                "restriction": restriction,
                "actions": [dict(a) for a in actions],
                "position": len(self.macros),
                "default": False,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self.macros[macro_id] = macro
            return macro

    def delete_ticket(self, ticket_id: int, by: int | None = None) -> None:
        """Delete a ticket as an agent would: it answers 404 from then on, search no longer
        finds it, and the ticket export lists it (once more) with ``"status": "deleted"``."""
        with self.lock:
            ticket = self.ticket(ticket_id)
            ticket.previous_status, ticket.status = ticket.status, "deleted"
            self._touch(ticket)
            ticket.deleted, ticket.deleted_by = ticket.updated, by

    def deleted_json(self, ticket: Ticket) -> dict[str, Any]:
        """A deleted ticket as ``GET /api/v2/deleted_tickets`` lists it."""
        actor = self.users.get(ticket.deleted_by or -1) or {"id": None, "name": "Zendesk"}
        return {
            "id": ticket.id,
            "subject": ticket.subject,
            "actor": {"id": actor["id"], "name": actor["name"]},
            "deleted_at": iso(ticket.deleted or ticket.updated),
            "previous_state": ticket.previous_status,
        }

    # -- reading -------------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket:
        ticket = self.tickets.get(ticket_id)
        if ticket is None or ticket.status == "deleted":
            raise not_found()
        return ticket

    def ticket_json(self, ticket: Ticket) -> dict[str, Any]:
        """The ticket as ``GET /api/v2/tickets/{id}`` shows it."""
        custom = [{"id": k, "value": v} for k, v in sorted(ticket.custom_fields.items())]
        return {
            "url": f"{self.url}/api/v2/tickets/{ticket.id}.json",
            "id": ticket.id,
            "external_id": ticket.external_id,
            "via": self.via_json(ticket.via_channel),
            "created_at": iso(ticket.created),
            "updated_at": iso(ticket.updated),
            "generated_timestamp": ticket.updated,
            "type": ticket.type,
            "subject": ticket.subject,
            "raw_subject": ticket.subject,
            "description": ticket.description,
            "priority": ticket.priority,
            "status": ticket.status,
            "recipient": None,
            "requester_id": ticket.requester_id,
            "submitter_id": ticket.submitter_id,
            "assignee_id": ticket.assignee_id,
            "organization_id": ticket.organization_id,
            "group_id": ticket.group_id,
            "collaborator_ids": [],
            "follower_ids": [],
            "email_cc_ids": [],
            "problem_id": None,
            "has_incidents": False,
            "is_public": True,
            "due_at": ticket.due_at,
            "tags": list(ticket.tags),
            "custom_fields": custom,
            "fields": custom,
            "satisfaction_rating": None,
            "sharing_agreement_ids": [],
            "followup_ids": [],
            "brand_id": None,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": ticket.via_channel == "native_messaging",
        }

    def comment_json(self, comment: Comment) -> dict[str, Any]:
        return {
            "id": comment.id,
            "type": "Comment",
            "author_id": comment.author_id,
            "body": comment.body,
            "html_body": comment.html_body,
            "plain_body": comment.body,
            "public": comment.public,
            "attachments": [self.files.record(i, self.url) for i in comment.attachments],
            "audit_id": comment.audit_id,
            "via": self.via_json(comment.via_channel),
            "metadata": {"system": {}, "custom": {}},
            "created_at": iso(comment.created),
        }

    @staticmethod
    def via_json(channel: str) -> dict[str, Any]:
        return {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}

    # -- internals shared with the ticket rules ---------------------------------------------

    def _touch(self, ticket: Ticket, at: int | None = None) -> None:
        # updated_at always moves forward, so a stale updated_stamp is detected even when the
        # fake's clock is frozen between two updates.
        ticket.updated = max(at if at is not None else self.now_ts(), ticket.updated + 1)

    def _event(self, kind: str, field_name: str, value: Any, previous: Any = None) -> dict:
        event = {"id": next(self._event_ids), "type": kind, "field_name": field_name}
        event["value"] = value
        if kind == "Change":
            event["previous_value"] = previous
        return event

    def _new_audit(self, ticket: Ticket, author_id: int, created: int, via: str) -> Audit:
        audit = Audit(next(self._event_ids), ticket.id, author_id, created, via)
        self.audits.append(audit)
        return audit

    def _add_comment_to(
        self,
        ticket: Ticket,
        audit: Audit,
        author_id: int,
        body: str,
        html_body: str | None,
        public: bool,
        created: int,
        via: str,
    ) -> Comment:
        if author_id not in self.users:
            raise record_invalid("author_id", "Author: is not a valid user")
        if len(body.encode("utf-8", "surrogatepass")) > MAX_COMMENT_BYTES:
            raise record_invalid("comment", "Comment: is too long (maximum is 65536 bytes)")
        # An end user cannot write an internal note: their comments are always public.
        if self.users[author_id]["role"] == "end-user":
            public = True
        text = html_to_text(html_body) if html_body is not None and not body else body
        comment = Comment(
            id=next(self._event_ids),
            ticket_id=ticket.id,
            author_id=author_id,
            body=text,
            html_body=html_body if html_body is not None else body_to_html(text),
            public=public,
            created=created,
            via_channel=via,
            audit_id=audit.id,
        )
        self.comments.setdefault(ticket.id, []).append(comment)
        event = self.comment_json(comment) | {"id": comment.id}
        audit.events.append(event)
        return comment

    def _after_comment(
        self, ticket: Ticket, audit: Audit, author_id: int, *, explicit_status: bool
    ) -> None:
        if explicit_status or author_id != ticket.requester_id:
            return
        if ticket.status in ("pending", "solved"):
            audit.events.append(self._event("Change", "status", "open", ticket.status))
            ticket.status = "open"
