"""The order actions the customer pane offers, one entry each: its key, what it asks the
agent, what it does through the shop's provider, and the sentence the customer reads.

The workstation knows six ways of asking (``asks``): which items of the order and how
many of each (``items``: to send again, to refund), which delivery slot the shop offers
(``slot``), an amount and whether it is a credit or a refund (``amount``), the new delivery
address (``address``, typed over the current one), nothing but a confirmation
(``nothing``), or the same after reading the customer's subscription, to name it and
refuse at once what cannot be (``subscription``). A new order action that asks one of these
is one :class:`OrderActionSpec` in :data:`ORDER_ACTIONS`, with the provider call it makes
(the protocol in ``base.py`` and its two providers) in this folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from deskterm.backend.commerce import ledger, sentences
from deskterm.backend.commerce.base import (
    ActionContext,
    ActionRefused,
    ActionResult,
    CommerceProvider,
    NeedsApproval,
)
from deskterm.backend.commerce.policy import (
    Limits,
    RefundLimits,
    check_gesture,
    check_refund,
    format_money,
    refund_cents,
)
from deskterm.domain.models import Order

if TYPE_CHECKING:
    from deskterm.backend.commerce.jobs import OrderJob
    from deskterm.backend.store import Store

Asks = Literal["items", "slot", "amount", "nothing", "address", "subscription"]


@dataclass(frozen=True)
class Doing:
    """Where an action runs: the store (notes, the goodwill ledger), the shop, who and why,
    and the policies: goodwill (``limits``) and refunds of paid items (``refunds``)."""

    store: Store
    provider: CommerceProvider
    context: ActionContext
    limits: Limits
    refunds: RefundLimits | None = None


@dataclass(frozen=True)
class OrderActionSpec:
    """One order action.

    ``key_id`` and ``key`` make its binding in the customer pane (remappable by id);
    ``summary`` says in one line what the agent confirms, from the order and the answer
    (the items listed, the slot's label; ``""`` when it asks nothing); ``perform`` calls the
    shop (raising ActionRefused, NeedsApproval or ActionFailed); ``sentence`` is what the
    customer reads, from the result, in ``fr`` or ``en``. ``priced``: the items' price is
    part of what the agent confirms (a refund); ``verb`` ends the question of how many of
    an item ("How many Pain de campagne to send again?").
    """

    kind: str
    key_id: str
    key: str
    label: str
    asks: Asks
    summary: Callable[[Order | None, str], str]
    perform: Callable[[Doing, OrderJob], ActionResult]
    sentence: Callable[[ActionResult, str, ZoneInfo, datetime], str]
    needs_order: bool = True
    priced: bool = False
    verb: str = "send again"


def _order(job: OrderJob) -> Order:
    if job.order is None:
        raise ActionRefused("There is no order to act on")
    return job.order


def _number(order: Order | None) -> str:
    return " ".join((order.number if order else "").split())[:30]


def _resend(doing: Doing, job: OrderJob) -> ActionResult:
    return doing.provider.resend_items(
        _order(job), list(job.items), idempotency_key=job.key, context=doing.context
    )


def _slot(doing: Doing, job: OrderJob) -> ActionResult:
    if job.slot is None:
        raise ActionRefused("No delivery slot was chosen")
    return doing.provider.change_slot(
        _order(job), job.slot, idempotency_key=job.key, context=doing.context
    )


def _cancel(doing: Doing, job: OrderJob) -> ActionResult:
    return doing.provider.cancel_order(_order(job), idempotency_key=job.key, context=doing.context)


def _goodwill(doing: Doing, job: OrderJob) -> ActionResult:
    """The policy first, on the gestures recorded now (a remote shop does not know it);
    a remote shop's gesture is then recorded here, so the policy counts it next time."""
    store, limits = doing.store, doing.limits
    since = store.now() - timedelta(days=limits.window_days)
    verdict = check_gesture(
        job.amount_cents,
        given_cents=store.gestures_since(job.customer.id, since),
        limits=limits,
        kind=job.goodwill_kind,
        order_total_cents=job.order.total_cents if job.order else None,
        items_refunded_cents=ledger.refunded(store.conn, job.order.id)[1] if job.order else 0,
    )
    if not verdict.allowed:
        raise (NeedsApproval if verdict.approvable else ActionRefused)(verdict.reason)
    kind = job.goodwill_kind
    result = doing.provider.goodwill(
        job.customer,
        job.order,
        job.amount_cents,
        kind,
        idempotency_key=job.key,
        context=doing.context,
    )
    if result.gesture_id is not None:
        return result
    with store.transaction() as c:
        gid = ledger.record_gesture(
            c,
            key=job.key,
            customer_id=job.customer.id,
            conversation_id=job.conversation_id,
            order_id=job.order.id if job.order else None,
            agent_id=doing.context.agent_id,
            amount_cents=job.amount_cents,
            kind=kind,
            state="applied",
            reason=doing.context.reason,
            when=store.now(),
        )
    return replace(result, extra={**result.extra, "local_gesture_id": gid})


def _refund(doing: Doing, job: OrderJob) -> ActionResult:
    """The refund policy (never the goodwill one) on what the items cost, capped by what
    the order paid and was not refunded yet; then the shop; then the store's refund record
    (a remote shop's refund too, so what is left to refund is known here)."""
    order, store = _order(job), doing.store
    prices = {i.id: i.unit_price_cents for i in order.items}
    left = ledger.paid_left(store.conn, order.id, order.total_cents)
    amount = refund_cents(((prices.get(i, 0), q) for i, q in job.items), paid_left_cents=left)
    verdict = check_refund(amount, limits=doing.refunds, currency=order.currency)
    if not verdict.allowed:
        raise ActionRefused(verdict.reason)
    result = doing.provider.refund_items(
        order, list(job.items), idempotency_key=job.key, context=doing.context
    )
    wanted: dict[int, int] = {}
    for item_id, quantity in job.items:
        wanted[item_id] = wanted.get(item_id, 0) + quantity
    with store.transaction() as c:
        ledger.record_refund(
            c, key=job.key, order_id=order.id, items=wanted, cents=result.amount_cents
        )
    return result


def _pause(doing: Doing, job: OrderJob) -> ActionResult:
    return doing.provider.pause_subscription(
        job.customer, idempotency_key=job.key, context=doing.context
    )


def _resume(doing: Doing, job: OrderJob) -> ActionResult:
    return doing.provider.resume_subscription(
        job.customer, idempotency_key=job.key, context=doing.context
    )


def _address(doing: Doing, job: OrderJob) -> ActionResult:
    return doing.provider.change_address(
        _order(job), job.address, idempotency_key=job.key, context=doing.context
    )


def _box(result: ActionResult) -> datetime | None:
    when = result.extra.get("next_delivery")
    try:
        return datetime.fromisoformat(str(when)) if when else None
    except ValueError:
        return None


def _cancel_summary(order: Order | None, _: str) -> str:
    total = format_money(order.total_cents, order.currency) if order else ""
    return f"Cancel order {_number(order)} ({total})"


ORDER_ACTIONS: tuple[OrderActionSpec, ...] = (
    OrderActionSpec(
        "resend",
        "customer.resend",
        "d",  # not r: r replies in every pane
        "Resend items",
        "items",
        lambda order, items: f"Send again, free, from order {_number(order)}: {items}",
        _resend,
        lambda r, lang, tz, now: sentences.resend_sentence(
            r.items, r.slot, language=lang, tz=tz, now=now
        ),
    ),
    OrderActionSpec(
        "slot",
        "customer.slot",
        "s",
        "Change delivery slot",
        "slot",
        lambda order, slot: f"Move the delivery of order {_number(order)} to {slot}",
        _slot,
        lambda r, lang, tz, now: (
            sentences.slot_sentence(r.slot, language=lang, tz=tz, now=now) if r.slot else ""
        ),
    ),
    OrderActionSpec(
        "goodwill",
        "customer.gesture",
        "g",
        "Goodwill gesture",
        "amount",
        lambda order, amount: amount,
        _goodwill,
        lambda r, lang, tz, now: sentences.goodwill_sentence(
            r.amount_cents, r.currency, r.goodwill_kind or "credit", language=lang
        ),
        needs_order=False,
    ),
    OrderActionSpec(
        "cancel",
        "customer.cancel",
        "c",
        "Cancel order",
        "nothing",
        _cancel_summary,
        _cancel,
        lambda r, lang, tz, now: sentences.cancel_sentence(r.order_number or "", language=lang),
    ),
    OrderActionSpec(
        "refund",
        "customer.refund",
        "f",  # re-f-und (r replies); not goodwill: what these items cost, paid back
        "Refund items",
        "items",
        lambda order, items: f"Refund from order {_number(order)}: {items}",
        _refund,
        lambda r, lang, tz, now: sentences.refund_sentence(
            r.items, r.amount_cents, r.currency, language=lang
        ),
        priced=True,
        verb="refund",
    ),
    OrderActionSpec(
        "pause",
        "customer.pause",
        "h",  # hold: p sets the priority
        "Pause subscription",
        "subscription",
        lambda order, whose: f"Pause the subscription of {whose}",
        _pause,
        lambda r, lang, tz, now: sentences.pause_sentence(language=lang),
        needs_order=False,
    ),
    OrderActionSpec(
        "resume",
        "customer.resume",
        "H",
        "Resume subscription",
        "subscription",
        lambda order, whose: f"Resume the subscription of {whose}",
        _resume,
        lambda r, lang, tz, now: sentences.resume_sentence(_box(r), language=lang, tz=tz, now=now),
        needs_order=False,
    ),
    OrderActionSpec(
        "address",
        "customer.address",
        "A",  # a assigns
        "Change delivery address",
        "address",
        lambda order, address: f"Deliver order {_number(order)} to {address}",
        _address,
        lambda r, lang, tz, now: sentences.address_sentence(
            r.order_number or "", str(r.extra.get("address") or ""), language=lang
        ),
    ),
)

BY_KIND: dict[str, OrderActionSpec] = {spec.kind: spec for spec in ORDER_ACTIONS}


def spec_for(kind: str) -> OrderActionSpec:
    """The action ``kind``; ValueError for one deskterm does not have."""
    try:
        return BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown order action {kind!r}") from None
