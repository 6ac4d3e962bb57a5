"""One order action done for an agent, start to finish, as the workstation runs it.

The goodwill policy checked on fresh numbers, the provider called, an internal note and an
audit event written in the conversation, and the sentence for the customer built. No Textual
here: the workstation calls these from its store workers and shows the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from deskterm.backend.commerce import ledger
from deskterm.backend.commerce.base import (
    ActionContext,
    ActionRefused,
    ActionResult,
    CommerceProvider,
    GoodwillKind,
    Slot,
)
from deskterm.backend.commerce.catalogue import Doing, OrderActionSpec, spec_for
from deskterm.backend.commerce.policy import Limits, RefundLimits, format_money, refund_cents
from deskterm.backend.store import Store
from deskterm.backend.writes import new_key
from deskterm.domain.models import Agent, AuthorKind, Customer, Order, OrderItem
from deskterm.domain.safety import one_line

if TYPE_CHECKING:
    from deskterm.config import CommerceSettings


@dataclass(frozen=True)
class OrderJob:
    """One order action as the agent confirmed it; its key makes a retry safe."""

    kind: str  # an OrderActionSpec's kind: resend, slot, goodwill, cancel, refund, pause…
    conversation_id: int
    customer: Customer
    order: Order | None
    summary: str  # what it does, in one line for the agent ("Cancel order PO-1 (€12.80)")
    key: str = field(default_factory=new_key)
    items: tuple[tuple[int, int], ...] = ()  # resend, refund: (item id, quantity)
    slot: Slot | None = None
    amount_cents: int = 0
    goodwill_kind: GoodwillKind = "credit"
    address: str = ""  # address: the new delivery address, as typed


def _item_label(name: str, quantity: int) -> str:
    return (f"{quantity} × " if quantity > 1 else "") + one_line(name, 40)


def items_job(
    spec: OrderActionSpec,
    cid: int,
    customer: Customer,
    order: Order,
    chosen: list[tuple[OrderItem, int]],
) -> OrderJob:
    """The job for (item, quantity) pairs of ``order``, with its one-line summary (their
    price too when the action pays them back)."""
    listed = ", ".join(_item_label(i.name, q) for i, q in chosen)
    if spec.priced:
        cents = refund_cents(
            ((i.unit_price_cents, q) for i, q in chosen), paid_left_cents=order.total_cents
        )
        listed += f" ({format_money(cents, order.currency)})"
    summary = spec.summary(order, listed)
    items = tuple((i.id, q) for i, q in chosen)
    return OrderJob(spec.kind, cid, customer, order, summary, items=items)


def items_left(store: Store, spec: OrderActionSpec, order: Order) -> dict[int, int]:
    """How many of each item of ``order`` the action can still cover (item id → quantity):
    all that was ordered, less what was refunded already when it pays items back."""
    done = ledger.refunded(store.conn, order.id)[0] if spec.priced else {}
    return {i.id: i.quantity - done.get(i.id, 0) for i in order.items}


def goodwill_job(
    spec: OrderActionSpec,
    cid: int,
    customer: Customer,
    order: Order | None,
    cents: int,
    kind: GoodwillKind,
) -> OrderJob:
    """A credit (or, on an order, a refund) of ``cents``, with its one-line summary."""
    currency = order.currency if order else "EUR"
    amount = format_money(cents, currency)
    summary = f"Credit {amount} to {one_line(customer.name, 40)}"
    if kind == "refund" and order is not None:
        summary = f"Refund {amount} to {one_line(customer.name, 40)}"
        summary += f" on order {one_line(order.number, 30)}"
    else:
        kind = "credit"
    return OrderJob(
        spec.kind,
        cid,
        customer,
        order,
        spec.summary(order, summary),
        amount_cents=cents,
        goodwill_kind=kind,
    )


def make_provider(
    settings: CommerceSettings, store: Store, *, tz: ZoneInfo, limits: Limits | None
) -> CommerceProvider:
    """The shop's HTTP endpoints when configured, else the store's own orders (checked
    against *limits*; None for a lead's approved gesture, which is over them by design)."""
    if settings.provider == "http" and settings.base_url:
        from deskterm.backend.commerce.http_provider import HttpProvider

        return HttpProvider(
            settings.base_url, token_env=settings.token_env, timeout=settings.timeout
        )
    from deskterm.backend.commerce.store_provider import StoreProvider

    return StoreProvider(store, tz=tz, limits=limits)


def run_job(
    store: Store,
    provider: CommerceProvider,
    job: OrderJob,
    *,
    agent: Agent,
    limits: Limits,
    refunds: RefundLimits | None = None,
) -> ActionResult:
    """Do the action, then write its note and event. Raises what the provider raises
    (ActionRefused, NeedsApproval, ActionFailed); nothing is written then. ``limits`` is
    the goodwill policy, ``refunds`` the policy of refunds of paid items."""
    spec = spec_for(job.kind)
    if spec.needs_order and job.order is None:
        raise ActionRefused("There is no order to act on")
    ctx = ActionContext(job.conversation_id, agent.id, job.summary)
    result = spec.perform(Doing(store, provider, ctx, limits, refunds), job)
    record(store, job.conversation_id, agent, f"Order action: {job.summary}.", result)
    return result


def undo_job(
    store: Store,
    provider: CommerceProvider,
    result: ActionResult,
    *,
    conversation_id: int,
    description: str,
    agent: Agent,
) -> None:
    """Take an action back through its provider (ActionRefused when it no longer can)."""
    provider.undo(result)
    local = result.extra.get("local_gesture_id")
    if local is not None:
        with store.transaction() as c:
            ledger.set_gesture_state(c, int(local), "reversed", was="applied")
    if result.kind == "refund":  # the store's record of it (already, for the store's own)
        with store.transaction() as c:
            ledger.reverse_refund(c, result.idempotency_key)
    note = f"Order action undone: {description}."
    record(store, conversation_id, agent, note, result, undo=True)


def request_approval(store: Store, job: OrderJob, *, agent: Agent, reason: str) -> int:
    """Record a gesture over the policy as waiting for a lead (nothing is given), with an
    internal note saying so; returns the gesture id. The same job twice records it once."""
    with store.transaction() as c:
        gid = ledger.record_gesture(
            c,
            key=f"{job.key}-approval",
            customer_id=job.customer.id,
            conversation_id=job.conversation_id,
            order_id=job.order.id if job.order else None,
            agent_id=agent.id,
            amount_cents=job.amount_cents,
            kind=job.goodwill_kind,
            state="approval_requested",
            reason=reason,
            when=store.now(),
        )
    store.add_message(
        job.conversation_id,
        author_kind=AuthorKind.AGENT,
        author_id=agent.id,
        author_name=agent.name,
        body=f"Approval requested: {job.summary} ({reason}). Nothing given yet.",
        public=False,
    )
    return gid


def record(
    store: Store,
    conversation_id: int,
    agent: Agent,
    note: str,
    result: ActionResult,
    *,
    undo: bool = False,
) -> None:
    """The internal note and the audit event of an order action."""
    store.add_message(
        conversation_id,
        author_kind=AuthorKind.AGENT,
        author_id=agent.id,
        author_name=agent.name,
        body=note,
        public=False,
    )
    with store.transaction() as c:
        ledger.record_event(
            c,
            conversation_id=conversation_id,
            agent_id=agent.id,
            kind=f"order.{result.kind}" + (".undo" if undo else ""),
            after=result.to_json(),
            when=store.now(),
        )


def sentence_for(result: ActionResult, *, language: str, tz: ZoneInfo, now: datetime) -> str:
    """What to tell the customer about ``result``, in ``language`` (``fr`` or ``en``)."""
    return spec_for(result.kind).sentence(result, language, tz, now)
