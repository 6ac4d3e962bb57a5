"""Playing a plan through the store's rules, producing the rows the store would hold.

The state changes mirror :mod:`deskterm.backend.writes` (a customer message reopens and wakes,
an agent reply answers and leaves the conversation pending unless told otherwise, every
change appends an event with the fields it changed), so a generated store reads exactly like
one built through the Store API, only much faster.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from deskterm.backend.db import dt, ts
from deskterm.backend.demo.files import attachment
from deskterm.backend.rows import bucket_of, tags_text, urgency_of
from deskterm.domain import sla
from deskterm.domain.models import Channel, SLAPolicy, Status

#: Conversation fields a step may change, with their value when a conversation opens.
FIELDS = ("status", "assignee_id", "group_id", "tags", "priority", "snoozed_until",
          "snoozed_at", "snooze_reason", "woken_at", "unread", "first_response_at")  # fmt: skip
#: The photo a customer attaches (a real picture, made by ``files``: ``o`` opens it).
PHOTO = json.dumps([attachment("photo.png", "image/png")])


@dataclass
class Batch:
    """Rows waiting to be written, one list per table."""

    customers: list[tuple] = field(default_factory=list)
    handles: list[tuple] = field(default_factory=list)
    orders: list[tuple] = field(default_factory=list)
    items: list[tuple] = field(default_factory=list)
    conversations: list[tuple] = field(default_factory=list)
    tags: list[tuple] = field(default_factory=list)
    messages: list[list[Any]] = field(default_factory=list)
    events: list[list[Any]] = field(default_factory=list)
    usage: list[tuple] = field(default_factory=list)
    gestures: list[tuple] = field(default_factory=list)

    def size(self) -> int:
        return (
            len(self.customers) + len(self.handles) + len(self.orders) + len(self.items)
            + len(self.conversations) + len(self.tags) + len(self.messages) + len(self.events)
            + len(self.usage) + len(self.gestures)
        )  # fmt: skip


def preview_of(body: str) -> str:
    return " ".join(body.split())[:160]


class Playback:
    """One conversation moving through its life, as the store would record it."""

    __slots__ = (
        "batch", "channel", "count", "created", "cur", "id", "last_agent", "last_customer",
        "last_message", "preview", "updated",
    )  # fmt: skip

    def __init__(self, batch: Batch, conversation_id: int, channel: Channel, group_id: int,
                 created: int) -> None:  # fmt: skip
        self.batch = batch
        self.id = conversation_id
        self.channel = channel
        self.created = created
        self.cur: dict[str, Any] = dict.fromkeys(FIELDS)
        self.cur.update(status="new", tags="", priority="normal", unread=0, group_id=group_id)
        self.last_customer: int | None = None
        self.last_agent: int | None = None
        self.last_message: int | None = None
        self.preview = ""
        self.count = 0
        self.updated = created
        self._event(None, "created", {}, {"channel": str(channel)}, created, None)

    # -- what happens --------------------------------------------------------------------

    def customer(self, when: int, name: str, body: str, attachments: str = "[]") -> None:
        msg = self._message(when, "customer", None, name, 1, body, attachments)
        self.last_customer = when
        self.preview = preview_of(body)
        changes: dict[str, Any] = {"unread": 1}
        if self.cur["status"] in ("done", "pending"):
            changes["status"] = "open"
        if self.cur["snoozed_until"] is not None:
            changes.update(snoozed_until=None, snoozed_at=None, snooze_reason=None, woken_at=when)
        self._apply(changes, when, None, "message:customer:reply", msg)

    def reply(
        self, when: int, agent_id: int, name: str, body: str, status_after: str | None
    ) -> None:
        msg = self._message(when, "agent", agent_id, name, 1, body, "[]")
        self.last_agent = when
        self.preview = preview_of(body)
        changes: dict[str, Any] = {}
        if self.cur["first_response_at"] is None:
            changes["first_response_at"] = when
        changes.update(status=status_after or "pending", unread=0, woken_at=None)
        self._apply(changes, when, agent_id, "message:agent:reply", msg)

    def note(self, when: int, agent_id: int, name: str, body: str) -> None:
        msg = self._message(when, "agent", agent_id, name, 0, body, "[]")
        self._apply({}, when, agent_id, "message:agent:note", msg)

    def change(self, when: int, agent_id: int | None, kind: str, changes: dict[str, Any]) -> None:
        self._apply(changes, when, agent_id, kind, None)

    def add_tags(self, when: int, agent_id: int | None, tags: Sequence[str]) -> None:
        current = [t for t in self.cur["tags"].split(" ") if t]
        text = tags_text([*current, *tags])
        if text != self.cur["tags"]:
            self._apply({"tags": text}, when, agent_id, "tags", None)

    def snooze(self, when: int, agent_id: int, until: int, reason: str) -> None:
        changes = {"snoozed_until": until, "snoozed_at": when, "snooze_reason": reason,
                   "woken_at": None}  # fmt: skip
        self._apply(changes, when, agent_id, "snooze", None)

    def mark_read(self) -> None:
        self.cur["unread"] = 0  # reading is no event and no version bump in the store

    # -- the rows ------------------------------------------------------------------------

    def finish(self, subject: str, customer_id: int, policies: Sequence[SLAPolicy]) -> None:
        """Write the conversation row and its tag index, with every derived column."""
        cur = self.cur
        status = cur["status"]
        due = None
        if status not in ("done", "pending"):
            due = ts(
                sla.due_at(
                    status=Status(status),
                    first_response_at=dt(cur["first_response_at"]),
                    last_customer_message_at=dt(self.last_customer),
                    last_agent_message_at=dt(self.last_agent),
                    channel=self.channel,
                    group_id=cur["group_id"],
                    policies=policies,
                )
            )
        bucket = bucket_of(status, cur["snoozed_until"])
        urgency = urgency_of(due, self.last_customer, self.created)
        self.batch.conversations.append((
            self.id, subject, str(self.channel), status, customer_id, cur["assignee_id"],
            cur["group_id"], cur["tags"], cur["priority"], self.created, self.updated,
            cur["first_response_at"], self.last_customer, self.last_agent, self.last_message,
            self.preview, self.count, cur["unread"], cur["snoozed_until"], cur["snoozed_at"],
            cur["snooze_reason"], cur["woken_at"], due, bucket, urgency, 1, None,
        ))  # fmt: skip
        for tag in cur["tags"].split(" "):
            if tag:
                self.batch.tags.append((tag, bucket, urgency, self.id))

    # -- as backend/writes/ does it ------------------------------------------------------

    def _message(self, when: int, kind: str, author_id: int | None, name: str, public: int,
                 body: str, attachments: str) -> list[Any]:  # fmt: skip
        msg = [0, self.id, kind, author_id, name, public, body, None, attachments, when, None]
        self.batch.messages.append(msg)
        self.count += 1
        self.last_message = max(when, self.last_message or 0)
        return msg

    def _apply(self, changes: dict[str, Any], when: int, agent_id: int | None, kind: str,
               msg: list[Any] | None) -> None:  # fmt: skip
        cur = self.cur
        status = changes.get("status", cur["status"])
        snoozed = changes.get("snoozed_until", cur["snoozed_until"])
        if status == "done" and snoozed is not None:
            changes.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
        before = {k: cur[k] for k in changes if cur[k] != changes[k]}
        after = {k: changes[k] for k in before}
        cur.update(changes)
        self.updated = max(when, self.updated)
        self._event(agent_id, kind, before, after, when, msg)

    def _event(self, agent_id: int | None, kind: str, before: dict[str, Any],
               after: dict[str, Any], when: int, msg: list[Any] | None) -> None:  # fmt: skip
        self.batch.events.append([0, self.id, agent_id, kind, before, after, when, None, msg])
