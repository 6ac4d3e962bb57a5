"""Everything the customer pane shows, read in one go (in a worker) for one conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from deskterm.backend.commerce import ledger
from deskterm.backend.rows import Unsent
from deskterm.backend.store import Store
from deskterm.domain.item_mentions import named_order
from deskterm.domain.models import AuthorKind, Conversation, Customer, Message, Order
from deskterm.domain.problems import Problem

ORDER_NUMBER = re.compile(r"\b([A-Z]{2}-\d{4,8})\b")
THREAD_WINDOW = 40


@dataclass
class ConversationBundle:
    """The open conversation with its newest messages and the customer's context."""

    conversation: Conversation
    messages: list[Message]
    customer: Customer | None
    orders: list[Order] = field(default_factory=list)
    order_index: int = 0
    orders_count: int = 0
    spend_cents: int = 0
    past: list[Conversation] = field(default_factory=list)
    goodwill_cents: int = 0
    draft_body: str = ""
    draft_note: bool = False
    problems: list[Problem] = field(default_factory=list)
    """The problems this conversation reports, the latest linked first."""
    unsent: list[Unsent] = field(default_factory=list)
    """The agent's actions on it not yet accepted by the remote helpdesk."""
    kept_snooze: datetime | None = None
    """The wake time of the agent's snooze that a conflict held back (to snooze anyway)."""
    refunded: dict[int, dict[int, int]] = field(default_factory=dict)
    """What was refunded of each order shown: order id → item id → quantity."""
    open_others: list[Conversation] = field(default_factory=list)
    """The customer's other open conversations, the most recently active first (a merge
    may join one of them to this one)."""
    macros_used: frozenset[int] = frozenset()
    """The macros already used in it (by anyone): never suggested again."""

    @property
    def order(self) -> Order | None:
        """The order this conversation is most likely about."""
        if not self.orders:
            return None
        return self.orders[self.order_index % len(self.orders)]


def relevant_order_index(orders: list[Order], messages: list[Message]) -> int:
    """The order the customer means: mentioned by number in the thread (newest mention
    first), else the recent one holding the dishes their messages name ("la boîte de Pad
    thaï", see :func:`~deskterm.domain.item_mentions.named_order`), else the latest."""
    numbers = {o.number: i for i, o in enumerate(orders)}
    for m in reversed(messages):
        for found in ORDER_NUMBER.findall(m.body):
            if found in numbers:
                return numbers[found]
    said = (
        (m.body, m.created_at) for m in reversed(messages) if m.author_kind is AuthorKind.CUSTOMER
    )
    named = named_order(orders, said)
    return 0 if named is None else named


def load_bundle(
    store: Store, conversation_id: int, *, agent_id: int | None, goodwill_days: int = 90
) -> ConversationBundle | None:
    """Read a conversation and its context; None if it no longer exists."""
    conversation = store.conversation(conversation_id)
    if conversation is None:
        return None
    messages = store.messages(conversation_id, limit=THREAD_WINDOW)
    customer = store.customer(conversation.customer_id)
    bundle = ConversationBundle(conversation, messages, customer)
    bundle.problems = store.problems_of_conversation(conversation_id)
    bundle.unsent = store.unsent(conversation_id)
    bundle.kept_snooze = store.kept_snooze(conversation_id)
    bundle.macros_used = store.macros_used_in(conversation_id)
    if customer is not None:
        bundle.orders = store.orders(customer.id, limit=10)
        bundle.order_index = relevant_order_index(bundle.orders, messages)
        for order in bundle.orders:
            items = ledger.refunded(store.conn, order.id)[0]
            if items:
                bundle.refunded[order.id] = items
        bundle.orders_count, bundle.spend_cents = store.customer_totals(customer.id)
        bundle.past = [
            c for c in store.customer_conversations(customer.id, limit=8) if c.id != conversation_id
        ]
        bundle.open_others = [
            c for c in store.open_conversations_of(customer.id) if c.id != conversation_id
        ]
        since = store.now() - timedelta(days=goodwill_days)
        bundle.goodwill_cents = store.gestures_since(customer.id, since)
    if agent_id is not None:
        draft = store.draft(conversation_id, agent_id)
        if draft is not None:
            bundle.draft_body, bundle.draft_note = draft.body, draft.note
    return bundle
