"""What the shop knows of a customer and of an order's delivery, as the customer pane shows it.

The customers who write in ask about these: their subscription (paused or not, when the next
box comes), where the order goes, the promo code that was refused, where the courier is, the
app version their bug happened on. A provider reads them (``account``, ``delivery`` in the
protocol); both kinds of facts travel as JSON, from the shop's endpoints and in the store.
Every text in them comes from the customer or the shop: whoever shows it makes it inert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SubscriptionState = Literal["active", "paused", "none"]
SUBSCRIPTION_STATES: tuple[SubscriptionState, ...] = ("active", "paused", "none")

#: Where an order is on its way to the customer, from the courier's side.
CourierStatus = Literal["waiting", "preparing", "out_for_delivery", "delivered", "cancelled"]
COURIER_STATUSES: tuple[CourierStatus, ...] = (
    "waiting",
    "preparing",
    "out_for_delivery",
    "delivered",
    "cancelled",
)
#: The courier status each order status means ("waiting": the kitchen has not started).
COURIER_OF_ORDER: dict[str, CourierStatus] = {
    "placed": "waiting",
    "preparing": "preparing",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "refunded": "cancelled",
}
#: Order statuses in which the delivery address may still change: before the kitchen starts.
ADDRESS_OPEN = frozenset({"placed"})
#: The longest address deskterm sends or shows.
ADDRESS_CHARS = 160


def address_closed(number: str, status: str) -> str:
    """Why an order's address can no longer change, in one line."""
    return (
        f"Order {number} is {status.replace('_', ' ')}: its delivery address can only change "
        "before the kitchen starts"
    )


def _when(value: Any) -> datetime | None:
    """An ISO 8601 time with its zone (``Z`` included), or None; ValueError otherwise."""
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"a time without its zone: {value!r}")
    return moment


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Subscription:
    """The customer's meal subscription: ``none`` when they have none."""

    state: SubscriptionState = "none"
    plan: str = ""  # the shop's name for it ("Popote Weekly, 4 meals")
    next_delivery: datetime | None = None  # only while active

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "plan": self.plan, "next_delivery": _iso(self.next_delivery)}

    @classmethod
    def from_json(cls, data: Any) -> Subscription:
        """Read the shop's JSON; ValueError for a state deskterm does not know."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError(f"not a subscription: {data!r}")
        state = data.get("state") or "none"
        if state not in SUBSCRIPTION_STATES:
            raise ValueError(f"unknown subscription state {state!r}")
        return cls(state, _text(data.get("plan")), _when(data.get("next_delivery")))


@dataclass(frozen=True)
class PromoUse:
    """A promo code the customer entered, when, and what the shop made of it
    (``applied``, ``expired``, ``invalid``… the shop's word)."""

    code: str
    used_at: datetime | None
    result: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "used_at": _iso(self.used_at), "result": self.result}

    @classmethod
    def from_json(cls, data: Any) -> PromoUse:
        if not isinstance(data, dict) or not data.get("code"):
            raise ValueError(f"not a promo code use: {data!r}")
        return cls(_text(data["code"]), _when(data.get("used_at")), _text(data.get("result")))


@dataclass(frozen=True)
class AppSeen:
    """The app version and platform the customer last used, for bug reports."""

    version: str
    platform: str = ""
    seen_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "platform": self.platform, "seen_at": _iso(self.seen_at)}

    @classmethod
    def from_json(cls, data: Any) -> AppSeen | None:
        if data is None:
            return None
        if not isinstance(data, dict) or not data.get("version"):
            raise ValueError(f"not an app version: {data!r}")
        return cls(_text(data["version"]), _text(data.get("platform")), _when(data.get("seen_at")))


@dataclass(frozen=True)
class AccountFacts:
    """What the shop knows of one customer. ``known`` is False when it has no account for
    them (a customer of the helpdesk only): the pane then says nothing of it."""

    subscription: Subscription = field(default_factory=Subscription)
    address: str = ""  # the default delivery address
    promos: tuple[PromoUse, ...] = ()  # newest first
    app: AppSeen | None = None
    known: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "subscription": self.subscription.to_json(),
            "address": self.address,
            "promo_codes": [p.to_json() for p in self.promos],
            "app": self.app.to_json() if self.app else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> AccountFacts:
        """Read the shop's JSON (see the HTTP provider); ValueError when it is not that."""
        if not isinstance(data, dict):
            raise ValueError(f"not an account: {data!r}")
        promos = data.get("promo_codes") or []
        if not isinstance(promos, list):
            raise ValueError(f"promo_codes is not a list: {promos!r}")
        used = [PromoUse.from_json(p) for p in promos]
        # Newest first, whatever order the shop sent; undated ones last.
        used.sort(key=lambda p: p.used_at.timestamp() if p.used_at else float("-inf"), reverse=True)
        return cls(
            subscription=Subscription.from_json(data.get("subscription")),
            address=_text(data.get("address")),
            promos=tuple(used),
            app=AppSeen.from_json(data.get("app")),
        )


#: The facts of a customer the shop has no account for.
UNKNOWN_ACCOUNT = AccountFacts(known=False)


@dataclass(frozen=True)
class Delivery:
    """Where one order is on its way: the courier's status, when it should arrive (``eta``,
    None once delivered or when nobody knows), who brings it and where."""

    order_number: str
    status: CourierStatus
    eta: datetime | None = None
    address: str = ""
    courier: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.order_number,
            "status": self.status,
            "eta": _iso(self.eta),
            "address": self.address,
            "courier": self.courier,
        }

    @classmethod
    def from_json(cls, data: Any, *, order_number: str) -> Delivery:
        if not isinstance(data, dict):
            raise ValueError(f"not a delivery: {data!r}")
        status = data.get("status")
        if status not in COURIER_STATUSES:
            raise ValueError(f"unknown courier status {status!r}")
        return cls(
            order_number=_text(data.get("number")) or order_number,
            status=status,
            eta=_when(data.get("eta")),
            address=_text(data.get("address")),
            courier=_text(data.get("courier")),
        )
