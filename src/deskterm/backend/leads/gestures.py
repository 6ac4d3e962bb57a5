"""A lead's decision on a gesture over the policy: approved, the gesture is given through
the commerce provider and noted in the conversation; refused, the agent reads why in a note.
"""

from __future__ import annotations

from typing import Any, cast

from deskterm.backend.commerce import ledger
from deskterm.backend.commerce.base import (
    ActionContext,
    ActionRefused,
    ActionResult,
    CommerceProvider,
    GoodwillKind,
)
from deskterm.backend.commerce.policy import format_money
from deskterm.backend.store import Store
from deskterm.domain.models import Agent, AuthorKind


def _request(store: Store, gesture_id: int) -> tuple[Any, ...]:
    row = store.conn.execute(
        "SELECT customer_id, conversation_id, order_id, agent_id, amount_cents, kind, state "
        "FROM gestures WHERE id = ?",
        (gesture_id,),
    ).fetchone()
    if row is None:
        raise ActionRefused("This request is gone")
    if row[6] != "approval_requested":
        raise ActionRefused(f"Someone already decided this request ({row[6]})")
    return tuple(row)


def _note(store: Store, conversation_id: int | None, lead: Agent, body: str) -> None:
    if conversation_id is not None:
        store.add_message(
            conversation_id,
            author_kind=AuthorKind.AGENT,
            author_id=lead.id,
            author_name=lead.name,
            body=body,
            public=False,
        )


def approve_gesture(
    store: Store, provider: CommerceProvider, gesture_id: int, *, lead: Agent, currency: str
) -> ActionResult:
    """Give the gesture (on behalf of the agent who asked: it counts as theirs), mark the
    request approved and note it in the conversation. Raises ActionRefused when it was
    decided meanwhile, and what the provider raises (nothing is marked then)."""
    customer_id, cid, order_id, agent_id, amount, kind, _ = _request(store, gesture_id)
    customer = store.customer(int(customer_id))
    if customer is None:
        raise ActionRefused("The customer is gone")
    order = store.order(int(order_id)) if order_id is not None else None
    reason = f"approved by {lead.name}"
    ctx = ActionContext(cid, agent_id, reason)
    key = f"approval-{gesture_id}"
    result = provider.goodwill(
        customer,
        order,
        int(amount),
        cast(GoodwillKind, kind),
        idempotency_key=key,
        context=ctx,
    )
    with store.transaction() as c:
        if result.gesture_id is None:  # a remote shop: the gesture is recorded here too
            ledger.record_gesture(
                c,
                key=key,
                customer_id=customer.id,
                conversation_id=cid,
                order_id=order_id,
                agent_id=agent_id,
                amount_cents=int(amount),
                kind=str(kind),
                state="applied",
                reason=reason,
                when=store.now(),
            )
        if not ledger.set_gesture_state(c, gesture_id, "approved", was="approval_requested"):
            raise ActionRefused("Someone already decided this request")
        ledger.record_event(
            c,
            conversation_id=cid,
            agent_id=lead.id,
            kind="order.goodwill.approved",
            after={"gesture_id": gesture_id, **result.to_json()},
            when=store.now(),
        )
    money = format_money(int(amount), currency)
    _note(store, cid, lead, f"Approved by {lead.name}: {money} {kind} given.")
    return result


def refuse_gesture(
    store: Store, gesture_id: int, *, lead: Agent, reason: str, currency: str
) -> None:
    """Mark the request refused and tell the agent why, in an internal note."""
    _, cid, _, _, amount, kind, _ = _request(store, gesture_id)
    with store.transaction() as c:
        if not ledger.set_gesture_state(c, gesture_id, "refused", was="approval_requested"):
            raise ActionRefused("Someone already decided this request")
        ledger.record_event(
            c,
            conversation_id=cid,
            agent_id=lead.id,
            kind="order.goodwill.refused",
            after={"gesture_id": gesture_id, "reason": reason},
            when=store.now(),
        )
        money = format_money(int(amount), currency)
        _note(store, cid, lead, f"Refused by {lead.name}: {money} {kind}. {reason}".strip())
