"""Turning store rows into domain models, and the light rows the inbox list paints."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from deskterm.backend.db import dt
from deskterm.backend.schema import NO_DUE_OFFSET
from deskterm.domain import sla
from deskterm.domain.models import (
    UNTIL_REPLY,
    Agent,
    Attachment,
    AuthorKind,
    Channel,
    Conversation,
    Customer,
    Handle,
    Macro,
    MacroAction,
    Message,
    Order,
    OrderItem,
    OrderStatus,
    Priority,
    Status,
)

UNTIL_REPLY_TS = int(UNTIL_REPLY.timestamp())

CONVERSATION_COLUMNS = (
    "c.id, c.subject, c.channel, c.status, c.customer_id, cu.name AS customer_name, "
    "c.assignee_id, c.group_id, c.tags, c.priority, c.created_at, c.updated_at, "
    "c.first_response_at, c.last_customer_message_at, c.last_agent_message_at, "
    "c.last_message_at, c.preview, c.message_count, c.unread, c.snoozed_until, "
    "c.snooze_reason, c.woken_at, c.sla_due_at, c.version, c.external_id"
)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """What one line of the inbox shows; built straight from SQL, no validation, for speed."""

    id: int
    channel: Channel
    status: Status
    customer_name: str
    subject: str
    preview: str
    last_message_at: datetime | None
    created_at: datetime
    sla_due_at: datetime | None
    assignee_id: int | None
    unread: bool
    snoozed_until: datetime | None
    woken: bool
    tags: tuple[str, ...]
    priority: Priority
    vip: bool
    version: int
    sort_value: int
    unsent: bool = False
    """An action on it waits in the outbox: not yet accepted by the remote helpdesk."""
    #: Since when the customer has been waiting for an answer (None: not waiting).
    waiting_since: datetime | None = None
    #: The last message a customer or an agent wrote in public (not an internal note).
    last_public_at: datetime | None = None
    customer_id: int = 0
    open_of_customer: int = 0
    """How many conversations its customer has open (closed and gone ones not counted), when
    more than one: a merge may join them. 0 when it is the only one, or was not counted."""


@dataclass(frozen=True, slots=True)
class Unsent:
    """An action of the agent's still waiting in the outbox, as the thread shows it."""

    outbox_id: int
    message_id: int | None
    """The reply or note it sends (shown under it); None for a change (shown at the end)."""
    what: str
    """In the agent's words: "your reply", "you closed this"."""
    attempts: int
    last_error: str | None


#: An inbox line shows at most a screen's width of a name or subject: a page never reads
#: more of them (a name can be 5 MB when a remote or another program wrote it).
INBOX_COLUMNS = (
    "c.id, c.channel, c.status, substr(cu.name, 1, 200), substr(c.subject, 1, 400), c.preview, "
    "c.last_message_at, c.created_at, "
    "c.sla_due_at, c.assignee_id, c.unread, c.snoozed_until, c.woken_at, c.tags, c.priority, "
    "cu.vip, c.version, c.last_customer_message_at, c.last_agent_message_at, "
    # Cheap while the outbox is short: the index on (state, id) finds the pending entries.
    "EXISTS(SELECT 1 FROM outbox o WHERE o.state = 'pending' AND o.conversation_id = c.id), "
    "c.customer_id"
)
#: Where a page's sort value comes, after INBOX_COLUMNS.
SORT_VALUE_INDEX = 21


def inbox_row(r: sqlite3.Row | tuple, sort_value: int) -> InboxRow:
    return InboxRow(
        id=r[0],
        channel=Channel(r[1]),
        status=Status(r[2]),
        customer_name=r[3],
        subject=r[4],
        preview=r[5],
        last_message_at=dt(r[6]),
        created_at=dt(r[7]),  # type: ignore[arg-type]
        sla_due_at=dt(r[8]),
        assignee_id=r[9],
        unread=bool(r[10]),
        snoozed_until=dt(r[11]),
        woken=r[12] is not None,
        tags=tuple(t for t in r[13].split(" ") if t),
        priority=Priority(r[14]),
        vip=bool(r[15]),
        version=r[16],
        waiting_since=dt(r[17]) if r[17] is not None and (r[18] is None or r[17] > r[18]) else None,
        last_public_at=dt(max(r[17] or 0, r[18] or 0) or None),
        sort_value=sort_value,
        unsent=bool(r[19]),
        customer_id=r[20],
    )


def tags_text(tags: list[str] | tuple[str, ...]) -> str:
    return " ".join(sorted(set(tags)))


def bucket_of(status: Status | str, snoozed_until: int | None) -> str:
    """Which family of views a conversation belongs to."""
    if status == Status.DONE:
        return "done"
    if snoozed_until is not None:
        return "snoozed"
    if status == Status.PENDING:
        return "pending"
    return "inbox"


def urgency_of(
    sla_due_at: int | None,
    last_customer_message_at: int | None,
    created_at: int,
    stake: int = 0,
) -> int:
    """The inbox sort key: due time first, then how long the customer has waited; moved
    sooner by what is at stake (:func:`deskterm.domain.sla.stake_seconds`)."""
    if sla_due_at is not None:
        return sla_due_at - stake
    return NO_DUE_OFFSET + (last_customer_message_at or created_at) - stake


def stake_of(
    c: sqlite3.Connection, *, customer_id: int, priority: str, channel: str, bucket: str
) -> int:
    """What is at stake for an open conversation (0 once done: the Done view sorts by
    recency): its priority and channel, a VIP customer, an order out for delivery now.
    The same as :data:`~deskterm.backend.schema.STAKE_SQL`."""
    if bucket == "done":
        return 0
    vip = c.execute("SELECT vip FROM customers WHERE id = ?", (customer_id,)).fetchone()
    live = c.execute(
        "SELECT 1 FROM orders WHERE customer_id = ? AND status = 'out_for_delivery' LIMIT 1",
        (customer_id,),
    ).fetchone()
    return sla.stake_seconds(
        priority=priority,
        channel=Channel(channel),
        vip=bool(vip and vip[0]),
        delivery_live=live is not None,
    )


def conversation(r: sqlite3.Row) -> Conversation:
    return Conversation(
        id=r["id"],
        subject=r["subject"],
        channel=Channel(r["channel"]),
        status=Status(r["status"]),
        customer_id=r["customer_id"],
        customer_name=r["customer_name"] or "",
        assignee_id=r["assignee_id"],
        group_id=r["group_id"],
        tags=[t for t in r["tags"].split(" ") if t],
        priority=Priority(r["priority"]),
        created_at=dt(r["created_at"]),
        updated_at=dt(r["updated_at"]),
        first_response_at=dt(r["first_response_at"]),
        last_customer_message_at=dt(r["last_customer_message_at"]),
        last_agent_message_at=dt(r["last_agent_message_at"]),
        last_message_at=dt(r["last_message_at"]),
        preview=r["preview"],
        message_count=r["message_count"],
        unread=bool(r["unread"]),
        snoozed_until=dt(r["snoozed_until"]),
        snooze_reason=r["snooze_reason"],
        woken_at=dt(r["woken_at"]),
        sla_due_at=dt(r["sla_due_at"]),
        version=r["version"],
        external_id=r["external_id"],
    )


def message(r: sqlite3.Row) -> Message:
    return Message(
        id=r["id"],
        conversation_id=r["conversation_id"],
        author_kind=AuthorKind(r["author_kind"]),
        author_id=r["author_id"],
        author_name=r["author_name"],
        public=bool(r["public"]),
        body=r["body"],
        html=r["html"],
        attachments=[Attachment(**a) for a in json.loads(r["attachments"] or "[]")],
        created_at=dt(r["created_at"]),
        external_id=r["external_id"],
    )


def customer(r: sqlite3.Row, handles: list[sqlite3.Row]) -> Customer:
    return Customer(
        id=r["id"],
        name=r["name"],
        language=r["language"],
        vip=bool(r["vip"]),
        notes=r["notes"],
        created_at=dt(r["created_at"]),
        handles=[Handle(channel=Channel(h["channel"]), value=h["value"]) for h in handles],
        external_id=r["external_id"],
    )


def agent(r: sqlite3.Row) -> Agent:
    return Agent(
        id=r["id"],
        name=r["name"],
        email=r["email"],
        group_id=r["group_id"],
        external_id=r["external_id"],
    )


def order(r: sqlite3.Row, items: list[sqlite3.Row]) -> Order:
    return Order(
        id=r["id"],
        number=r["number"],
        customer_id=r["customer_id"],
        status=OrderStatus(r["status"]),
        placed_at=dt(r["placed_at"]),
        delivery_slot_start=dt(r["delivery_slot_start"]),
        delivery_slot_end=dt(r["delivery_slot_end"]),
        total_cents=r["total_cents"],
        currency=r["currency"],
        parent_order_id=r["parent_order_id"],
        items=[
            OrderItem(
                id=i["id"],
                order_id=i["order_id"],
                name=i["name"],
                quantity=i["quantity"],
                unit_price_cents=i["unit_price_cents"],
            )
            for i in items
        ],
        external_id=r["external_id"],
    )


def macro(r: sqlite3.Row) -> Macro:
    return Macro(
        id=r["id"],
        title=r["title"],
        body=r["body"],
        variants=json.loads(r["variants"] or "{}"),
        actions=[MacroAction(**a) for a in json.loads(r["actions"] or "[]")],
        owner_agent_id=r["owner_agent_id"],
        usage_count=r["usage_count"],
        created_at=dt(r["created_at"]),
        updated_at=dt(r["updated_at"]),
        external_id=r["external_id"],
        titles=json.loads(r["titles"] or "{}"),
        language=r["language"],
    )
