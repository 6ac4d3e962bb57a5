"""What one-key order actions need from a shop: the provider protocol, its results, its errors.

A :class:`CommerceProvider` changes orders, refunds what was paid and gives goodwill on
behalf of an agent, pauses and resumes subscriptions, and reads what the customer pane shows
of the customer's account and of an order's delivery (``facts.py``). Two ship
with deskterm: :class:`~deskterm.backend.commerce.store_provider.StoreProvider` acts on the
orders of the deskterm store itself (local mode and the demo), and
:class:`~deskterm.backend.commerce.http_provider.HttpProvider` calls the shop's own endpoints.

Every changing call takes an ``idempotency_key``: calling again with the same key returns the
first call's result and changes nothing, so a retried action is never applied twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from deskterm.backend.commerce.facts import AccountFacts, Delivery
from deskterm.domain.models import Customer, Order

ActionKind = Literal["resend", "slot", "goodwill", "cancel", "pause", "resume", "address", "refund"]
GoodwillKind = Literal["credit", "refund"]


class ActionRefused(Exception):
    """The shop will not do this, and asking again will not change that (shown to the agent).

    ``reason`` is one sentence meant for the agent.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NeedsApproval(ActionRefused):
    """Refused by the goodwill policy, but a lead may approve it."""


class ActionFailed(Exception):
    """The action could not be done now. With ``retryable`` it may have been applied or not:
    retrying with the same idempotency key is safe and finishes it exactly once."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True, order=True)
class Slot:
    """A delivery window, as aware UTC datetimes."""

    start: datetime
    end: datetime

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        """Read ``{"start": iso, "end": iso}``; raises ValueError when it is not that."""
        try:
            start = datetime.fromisoformat(str(data["start"]).replace("Z", "+00:00"))
            end = datetime.fromisoformat(str(data["end"]).replace("Z", "+00:00"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a slot: {data!r}") from exc
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise ValueError(f"not a slot: {data!r}")
        return cls(start, end)


@dataclass(frozen=True)
class ActionContext:
    """Who acts and for which conversation: recorded with the change, never required."""

    conversation_id: int | None = None
    agent_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class ActionResult:
    """What a provider did, with what it needs to undo it."""

    kind: ActionKind
    idempotency_key: str
    provider: str
    order_number: str | None = None
    new_order_number: str | None = None  # resend: the follow-up order
    slot: Slot | None = None  # resend: the follow-up's slot; slot: the new slot
    previous_slot: Slot | None = None  # slot: the one it replaced
    items: tuple[tuple[str, int], ...] = ()  # resend, refund: (name, quantity)
    amount_cents: int = 0
    currency: str = "EUR"
    goodwill_kind: GoodwillKind | None = None
    gesture_id: int | None = None  # the store's gestures row, when the provider wrote it
    reference: str | None = None  # the shop's own id for what it did (a gesture id…)
    undoable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def with_key(self, key: str) -> ActionResult:
        return replace(self, idempotency_key=key)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "idempotency_key": self.idempotency_key,
            "provider": self.provider,
            "order_number": self.order_number,
            "new_order_number": self.new_order_number,
            "slot": self.slot.to_json() if self.slot else None,
            "previous_slot": self.previous_slot.to_json() if self.previous_slot else None,
            "items": [list(i) for i in self.items],
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "goodwill_kind": self.goodwill_kind,
            "gesture_id": self.gesture_id,
            "reference": self.reference,
            "undoable": self.undoable,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActionResult:
        return cls(
            kind=data["kind"],
            idempotency_key=data["idempotency_key"],
            provider=data["provider"],
            order_number=data.get("order_number"),
            new_order_number=data.get("new_order_number"),
            slot=Slot.from_json(data["slot"]) if data.get("slot") else None,
            previous_slot=(
                Slot.from_json(data["previous_slot"]) if data.get("previous_slot") else None
            ),
            items=tuple((str(n), int(q)) for n, q in data.get("items", [])),
            amount_cents=int(data.get("amount_cents", 0)),
            currency=data.get("currency", "EUR"),
            goodwill_kind=data.get("goodwill_kind"),
            gesture_id=data.get("gesture_id"),
            reference=data.get("reference"),
            undoable=bool(data.get("undoable", True)),
            extra=dict(data.get("extra", {})),
        )


#: Order statuses in which an order can still be cancelled.
CANCELLABLE = frozenset({"placed", "preparing"})
#: Order statuses after which the delivery slot can no longer move.
# Once the courier has left, the slot is the courier's: support can no longer move it.
SLOT_FINAL = frozenset({"out_for_delivery", "delivered", "cancelled", "refunded"})


class CommerceProvider(Protocol):
    """Where one-key order actions go.

    Every method may raise :class:`ActionRefused` (permanent: the reason is shown to the
    agent) or :class:`ActionFailed` (the shop could not be reached or answered badly; when
    ``retryable``, calling again with the same idempotency key is safe).
    """

    #: A short name recorded with each action ("store", "http").
    name: str

    def available_slots(self, order: Order) -> list[Slot]:
        """The delivery slots the order can move to, soonest first (its own excluded).

        Raises ActionRefused when the order's slot can no longer change (delivered,
        cancelled).
        """
        ...

    def resend_items(
        self,
        order: Order,
        items: list[tuple[int, int]],
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """Send (item id, quantity) of ``order`` again, as a free follow-up order delivered
        in the next available slot. Raises ActionRefused for an unknown item or a quantity
        above what was ordered."""
        ...

    def change_slot(
        self,
        order: Order,
        slot: Slot,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """Move the order's delivery to ``slot``; the result keeps the previous slot."""
        ...

    def goodwill(
        self,
        customer: Customer,
        order: Order | None,
        amount_cents: int,
        kind: GoodwillKind,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """Credit the customer's account or refund them ``amount_cents``. The goodwill
        policy is checked before this is called (StoreProvider given ``limits`` checks it
        again in the gesture's transaction and raises NeedsApproval); the shop may still
        refuse."""
        ...

    def cancel_order(
        self, order: Order, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        """Cancel an order that is still placed or being prepared."""
        ...

    def account(self, customer: Customer) -> AccountFacts:
        """What the shop knows of the customer: subscription, default address, promo codes
        used, the app version last seen. ``UNKNOWN_ACCOUNT`` when it has no account for them.
        A read: it changes nothing, and the workstation calls it from a worker."""
        ...

    def delivery(self, order: Order) -> Delivery:
        """Where ``order`` is on its way: the courier's status, the ETA, the address."""
        ...

    def pause_subscription(
        self, customer: Customer, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        """Pause an active subscription: no box is delivered until it is resumed. Raises
        ActionRefused when there is none, or it is already paused."""
        ...

    def resume_subscription(
        self, customer: Customer, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        """Resume a paused subscription; the result says when the next box comes
        (``extra["next_delivery"]``, ISO). Raises ActionRefused when it is not paused."""
        ...

    def change_address(
        self,
        order: Order,
        address: str,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """Deliver ``order`` to ``address`` (one line); the result keeps the previous one
        (``extra["previous_address"]``). Raises ActionRefused once the kitchen has started
        on it (only a placed order's address can change)."""
        ...

    def refund_items(
        self,
        order: Order,
        items: list[tuple[int, int]],
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        """Pay back (item id, quantity) of ``order`` at the price paid (an inedible dish, a
        double charge): not goodwill, so never counted against the goodwill policy. The
        amount is capped by what the order paid and was not refunded yet. Raises
        ActionRefused for an unknown item, a quantity above what is left to refund, or an
        order with nothing left to refund."""
        ...

    def undo(self, result: ActionResult) -> None:
        """Take back what ``result`` did (cancel the follow-up order, restore the slot,
        reverse the gesture or the refund, resume what was paused and pause what was
        resumed, restore the address). Raises ActionRefused when it can no longer be undone."""
        ...
