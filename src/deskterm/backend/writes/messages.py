"""Messages and drafts: a conversation opened by a customer, every message added to it
(which moves the conversation along: reopens, wakes, starts or stops the SLA clock), the
agent's drafts, and who is viewing or typing where."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from deskterm.backend.db import Connections, StaleVersion, dt, ts
from deskterm.backend.rows import tags_text, urgency_of
from deskterm.backend.writes.changes import (
    conversation_row,
    enqueue,
    record_event,
    write_changes,
)
from deskterm.domain.models import AuthorKind, Channel, SLAPolicy, Status


class MessageWrites:
    """Conversations opened, messages added, drafts saved, presence kept."""

    def __init__(self, db: Connections, policies: Callable[[], list[SLAPolicy]]) -> None:
        self._db = db
        self._policies = policies  # the SLA policies the due time is computed with
        #: Called inside the transaction of a conversation's arrival ("arrival") and of a
        #: customer's later message ("again"), with the conversation id: the routing rules.
        self.on_customer: Callable[[int, str], object] | None = None

    def open_conversation(
        self,
        customer_id: int,
        channel: Channel,
        subject: str,
        body: str,
        *,
        created_at: datetime | None = None,
        group_id: int | None = None,
        html: str | None = None,
        tags: Sequence[str] = (),
        external_id: str | None = None,
        message_external_id: str | None = None,
        attachments: Sequence[dict[str, Any]] = (),
        author_name: str | None = None,
    ) -> int:
        """A customer starts a conversation (its first message may carry ``attachments``,
        and is signed with the customer's name unless ``author_name`` says otherwise);
        returns its id."""
        when = ts(created_at or self._db.now())
        assert when is not None
        with self._db.transaction() as c:
            if author_name is None:
                found = c.execute("SELECT name FROM customers WHERE id = ?", (customer_id,))
                row = found.fetchone()
                author_name = row[0] if row else ""
            cid = int(
                c.execute(
                    "INSERT INTO conversations(subject, channel, status, customer_id, group_id, "
                    "tags, created_at, updated_at, bucket, urgency, external_id) "
                    "VALUES (?, ?, 'new', ?, ?, ?, ?, ?, 'inbox', ?, ?)",
                    (
                        subject,
                        str(channel),
                        customer_id,
                        group_id,
                        tags_text(list(tags)),
                        when,
                        when,
                        urgency_of(None, None, when),
                        external_id,
                    ),
                ).lastrowid
                or 0
            )
            record_event(c, cid, None, "created", {}, {"channel": str(channel)}, when, None)
            self.add_message(
                cid,
                author_kind=AuthorKind.CUSTOMER,
                body=body,
                author_name=author_name or "",
                html=html,
                attachments=attachments,
                created_at=dt(when),
                external_id=message_external_id,
                route=False,
            )
            if self.on_customer is not None:
                self.on_customer(cid, "arrival")
            return cid

    def add_message(
        self,
        conversation_id: int,
        *,
        author_kind: AuthorKind,
        body: str,
        public: bool = True,
        author_id: int | None = None,
        author_name: str = "",
        html: str | None = None,
        attachments: Sequence[dict[str, Any]] = (),
        created_at: datetime | None = None,
        external_id: str | None = None,
        expected_version: int | None = None,
        status_after: Status | None = None,
        undo_group: str | None = None,
        outbox: dict[str, Any] | None = None,
        route: bool = True,
    ) -> int:
        """Add a message and move the conversation along; returns the message id.

        A customer message reopens a done or waiting conversation, wakes a snoozed one and
        marks it unread. An agent's public reply is the (first) response the SLA clock waits
        for, and leaves the conversation waiting on the customer unless ``status_after`` says
        otherwise. With ``outbox``, the same transaction queues the push to a remote helpdesk.
        A customer's message is routed again (``on_customer``) unless ``route`` is False.
        """
        when = ts(created_at or self._db.now())
        with self._db.transaction() as c:
            cur = conversation_row(c, conversation_id)
            if expected_version is not None and cur["version"] != expected_version:
                raise StaleVersion(conversation_id, expected_version, cur["version"])
            mid = int(
                c.execute(
                    "INSERT INTO messages(conversation_id, author_kind, author_id, author_name, "
                    "public, body, html, attachments, created_at, external_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        str(author_kind),
                        author_id,
                        author_name,
                        int(public),
                        body,
                        html,
                        json.dumps(list(attachments)),
                        when,
                        external_id,
                    ),
                ).lastrowid
                or 0
            )
            changes: dict[str, Any] = {}
            derived: dict[str, Any] = {
                "last_message_at": max(when or 0, cur["last_message_at"] or 0),
                "message_count": cur["message_count"] + 1,
            }
            if public or author_kind is AuthorKind.CUSTOMER:
                derived["preview"] = preview(body)
            if author_kind is AuthorKind.CUSTOMER:
                derived["last_customer_message_at"] = when
                changes["unread"] = 1
                if cur["status"] in (Status.DONE, Status.PENDING):
                    changes["status"] = str(Status.OPEN)
                if cur["snoozed_until"] is not None:
                    changes.update(
                        snoozed_until=None, snoozed_at=None, snooze_reason=None, woken_at=when
                    )
            elif author_kind is AuthorKind.AGENT and public:
                derived["last_agent_message_at"] = when
                if cur["first_response_at"] is None:
                    changes["first_response_at"] = when
                changes["status"] = str(status_after or Status.PENDING)
                changes["unread"] = 0
                changes["woken_at"] = None
                if changes["status"] == Status.DONE and cur["snoozed_until"] is not None:
                    changes.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
            elif status_after is not None:
                changes["status"] = str(status_after)
            write_changes(
                c,
                cur,
                changes,
                derived,
                policies=self._policies(),
                agent_id=author_id if author_kind is AuthorKind.AGENT else None,
                kind=f"message:{author_kind}:{'reply' if public else 'note'}",
                when=when,
                undo_group=undo_group,
                extra_after={"message_id": mid},
            )
            if outbox is not None:
                enqueue(
                    c,
                    conversation_id,
                    outbox["kind"],
                    {**outbox.get("payload", {}), "message_id": mid},
                    when,
                )
            if route and author_kind is AuthorKind.CUSTOMER and self.on_customer is not None:
                self.on_customer(conversation_id, "again")
            return mid

    # -- drafts and presence -----------------------------------------------------------

    def save_draft(
        self, conversation_id: int, agent_id: int, body: str, *, note: bool = False
    ) -> None:
        with self._db.transaction() as c:
            if body.strip():
                c.execute(
                    "INSERT INTO drafts(conversation_id, agent_id, body, note, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(conversation_id, agent_id) DO UPDATE "
                    "SET body = excluded.body, note = excluded.note, "
                    "updated_at = excluded.updated_at",
                    (conversation_id, agent_id, body, int(note), ts(self._db.now())),
                )
            else:
                c.execute(
                    "DELETE FROM drafts WHERE conversation_id = ? AND agent_id = ?",
                    (conversation_id, agent_id),
                )

    def touch_presence(self, conversation_id: int, agent_id: int, state: str) -> None:
        if self._db.read_only_reason is not None:
            return
        with self._db.transaction() as c:
            c.execute(
                "DELETE FROM presence WHERE agent_id = ? AND conversation_id != ?",
                (agent_id, conversation_id),
            )
            c.execute(
                "INSERT INTO presence(conversation_id, agent_id, state, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(conversation_id, agent_id) DO UPDATE "
                "SET state = excluded.state, updated_at = excluded.updated_at",
                (conversation_id, agent_id, state, ts(self._db.now())),
            )

    def clear_presence(self, agent_id: int) -> None:
        if self._db.read_only_reason is not None:
            return
        with self._db.transaction() as c:
            c.execute("DELETE FROM presence WHERE agent_id = ?", (agent_id,))


def preview(body: str) -> str:
    """The inbox's one-line preview of a message."""
    return " ".join(body[:2000].split())[:160]  # a 5 MB body: only its start is read
