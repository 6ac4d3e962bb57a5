"""The domain model shared by every layer: customers, conversations, messages, orders, macros.

Times are timezone-aware UTC datetimes in Python and integer epoch seconds in the store.
Money is kept in integer cents with its currency, never as floats.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Stored in ``snoozed_until`` for "until the customer replies": later than any real time.
UNTIL_REPLY = datetime(9999, 12, 31, tzinfo=UTC)


class Channel(StrEnum):
    EMAIL = "email"
    CHAT = "chat"
    WHATSAPP = "whatsapp"
    SOCIAL = "social"
    FORM = "form"
    PHONE = "phone"

    @property
    def instant(self) -> bool:
        """Channels where the customer waits on screen and expects an answer in minutes."""
        return self in (Channel.CHAT, Channel.WHATSAPP, Channel.SOCIAL)


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # answered, waiting on the customer
    DONE = "done"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class OrderStatus(StrEnum):
    PLACED = "placed"
    PREPARING = "preparing"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Handle(_Model):
    """One way to reach a customer: an address on one channel."""

    channel: Channel
    value: str


class Customer(_Model):
    id: int
    name: str
    language: str = "en"
    vip: bool = False
    notes: str = ""
    created_at: datetime
    handles: list[Handle] = Field(default_factory=list)
    external_id: str | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""

    @property
    def email(self) -> str | None:
        return next((h.value for h in self.handles if h.channel is Channel.EMAIL), None)


class Group(_Model):
    id: int
    name: str


class Agent(_Model):
    id: int
    name: str
    email: str
    group_id: int | None = None
    external_id: str | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class Attachment(_Model):
    filename: str
    content_type: str = "application/octet-stream"
    size: int = 0
    url: str | None = None
    external_id: str | None = None  # the remote's id for it, to fetch it on demand


class Message(_Model):
    id: int
    conversation_id: int
    author_kind: AuthorKind
    author_id: int | None = None
    author_name: str = ""
    public: bool = True  # False: an internal note, never shown to the customer
    body: str
    html: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    created_at: datetime
    external_id: str | None = None


class Conversation(_Model):
    id: int
    subject: str
    channel: Channel
    status: Status = Status.NEW
    customer_id: int
    customer_name: str = ""
    assignee_id: int | None = None
    group_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    priority: Priority = Priority.NORMAL
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    last_customer_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None
    last_message_at: datetime | None = None
    preview: str = ""
    message_count: int = 0
    unread: bool = False
    snoozed_until: datetime | None = None
    snooze_reason: str | None = None
    woken_at: datetime | None = None
    sla_due_at: datetime | None = None
    version: int = 1
    external_id: str | None = None

    @property
    def number(self) -> int:
        """The number the agent and the customer know it by: the remote helpdesk's ticket
        number for a mirrored conversation (``#32`` in RT's mails), else the local id."""
        remote = self.external_id or ""
        return int(remote) if remote.isascii() and remote.isdigit() else self.id

    @property
    def snoozed(self) -> bool:
        return self.snoozed_until is not None

    @property
    def until_reply(self) -> bool:
        return self.snoozed_until == UNTIL_REPLY


class OrderItem(_Model):
    id: int
    order_id: int
    name: str
    quantity: int = 1
    unit_price_cents: int = 0


class Order(_Model):
    id: int
    number: str
    customer_id: int
    status: OrderStatus = OrderStatus.PLACED
    placed_at: datetime
    delivery_slot_start: datetime | None = None
    delivery_slot_end: datetime | None = None
    total_cents: int = 0
    currency: str = "EUR"
    parent_order_id: int | None = None  # a follow-up order (resent items) points to its origin
    items: list[OrderItem] = Field(default_factory=list)
    external_id: str | None = None


class MacroAction(_Model):
    """One change a macro makes when its reply is sent: ``field`` is one of
    status, add_tags, remove_tags, snooze, assign, priority, order."""

    field: str
    value: Any


class Macro(_Model):
    id: int
    title: str
    body: str  # Liquid; the default-language body
    variants: dict[str, str] = Field(default_factory=dict)  # language code -> Liquid body
    actions: list[MacroAction] = Field(default_factory=list)
    owner_agent_id: int | None = None  # None: shared with the team
    usage_count: int = 0
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None
    titles: dict[str, str] = Field(default_factory=dict)  # language code -> title
    language: str | None = None  # what the title and body are written in, when known

    @property
    def shared(self) -> bool:
        return self.owner_agent_id is None


class BusinessHours(_Model):
    """Opening hours in a time zone; weekdays are 0 (Monday) to 6 (Sunday)."""

    timezone: str = "UTC"
    start: str = "09:00"
    end: str = "18:00"
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])


class SLAPolicy(_Model):
    id: int
    name: str
    channel: Channel | None = None  # None: any channel
    group_id: int | None = None  # None: any group
    first_response_minutes: int
    next_response_minutes: int
    business_hours: BusinessHours | None = None


class Event(_Model):
    """One entry of the append-only audit log."""

    id: int
    conversation_id: int | None
    agent_id: int | None
    kind: str
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime


class Draft(_Model):
    conversation_id: int
    agent_id: int
    body: str
    note: bool = False
    updated_at: datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
