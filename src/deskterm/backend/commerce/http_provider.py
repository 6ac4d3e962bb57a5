"""Order actions through the shop's own HTTP endpoints.

Every call sends ``Authorization: Bearer <token>`` (the token is read from the environment
variable the settings name) and every change sends an ``Idempotency-Key`` header: the shop
must apply a key once and answer a repeat with its first answer. That is what makes retries
safe, here (timeouts, dropped connections, 5xx, 429) and when the agent presses retry later.

The endpoints, JSON in and out::

    GET  {base}/orders/{number}/slots
         -> {"slots": [{"start": iso, "end": iso}, ...]}
    POST {base}/orders/{number}/resend    {"items": [{"item_id": 1, "quantity": 2}],
                                           "reference": "conversation 42"}
         -> {"order": {"number": "PO-1-R1", "slot": {"start": iso, "end": iso} | null}}
    POST {base}/orders/{number}/slot      {"start": iso, "end": iso, "reference": ...}
         -> {"order": {"number": ..., "slot": {...}}, "previous": {...} | null}
    POST {base}/customers/{id}/goodwill   {"amount_cents": 500, "currency": "EUR",
                                           "kind": "credit" | "refund",
                                           "order_number": "PO-1" | null, "reference": ...}
         -> {"gesture": {"id": "g-17"}}
    POST {base}/orders/{number}/cancel    {"reference": ...}
         -> {"order": {"number": ..., "status": "cancelled"}}
    POST {base}/gestures/{id}/reverse     {}
         -> {"gesture": {"id": ..., "state": "reversed"}}
    POST {base}/orders/{number}/refund    {"items": [{"item_id": 1, "quantity": 1}],
                                           "amount_cents": 1250, "currency": "EUR",
                                           "reference": ...}
         -> {"refund": {"id": "r-4", "amount_cents": 1250}}
    POST {base}/refunds/{id}/reverse      {}
         -> {"refund": {"id": ..., "state": "reversed"}}

A refund pays back items at the price paid; ``amount_cents`` is what deskterm computed
(their price, capped by the order's total): the shop caps it by what is left to refund and
answers what it paid back, or refuses (422) an item refunded already.

What the customer pane shows of the customer and of an order's delivery, and the two
account actions (``facts.py`` reads these shapes)::

    GET  {base}/customers/{id}/account
         -> {"subscription": {"state": "active" | "paused" | "none", "plan": "Weekly, 4 meals",
                              "next_delivery": iso | null},
             "address": "12 rue Oberkampf, 75011 Paris",
             "promo_codes": [{"code": "AMI10", "used_at": iso, "result": "applied"}],
             "app": {"version": "4.13.0", "platform": "iPhone 13", "seen_at": iso} | null}
         (404: the shop has no account for this customer; the pane then shows none)
    GET  {base}/orders/{number}/delivery
         -> {"delivery": {"status": "waiting" | "preparing" | "out_for_delivery" |
                                    "delivered" | "cancelled",
                          "eta": iso | null, "courier": "Karim" | null, "address": "..."}}
    POST {base}/customers/{id}/subscription/pause    {"reference": ...}
    POST {base}/customers/{id}/subscription/resume   {"reference": ...}
         -> {"subscription": {...as in the account...}}
    POST {base}/orders/{number}/address   {"address": "3 rue Lepic, 75018 Paris",
                                           "reference": ...}
         -> {"order": {"number": ..., "address": ...}, "previous": "..." | null}
         (409 once the kitchen has started on the order)

The reads are retried like the changes; a change's undo is the opposite change (resume a
pause, pause a resume, the previous address) under the key ``{key}-undo``.

Errors are ``{"error": "reason"}`` with a 4xx status: 400, 404, 409, 410 and 422 mean the
shop refuses (shown to the agent as is); 401 and 403 mean the token is wrong. 429 and 5xx
are retried, honouring ``Retry-After`` up to a bound.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from deskterm.backend.commerce.base import (
    ActionContext,
    ActionFailed,
    ActionRefused,
    ActionResult,
    GoodwillKind,
    Slot,
)
from deskterm.backend.commerce.facts import (
    UNKNOWN_ACCOUNT,
    AccountFacts,
    Delivery,
    Subscription,
)
from deskterm.backend.commerce.policy import refund_cents
from deskterm.backend.retry_after import retry_after
from deskterm.domain.models import Customer, Order
from deskterm.domain.safety import one_line

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REFUSED_STATUS = frozenset({400, 404, 409, 410, 422})


def _segment(value: str) -> str:
    return quote(value, safe="")


def _reference(context: ActionContext | None) -> str | None:
    if context is None or context.conversation_id is None:
        return None
    return f"conversation {context.conversation_id}"


class HttpProvider:
    """Calls the shop's endpoints; see the module docstring for their shape."""

    name = "http"

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_env: str = "DESKTERM_SHOP_TOKEN",
        timeout: float = 5.0,
        attempts: int = 4,
        max_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.token = token
        self.token_env = token_env
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.max_wait = max_wait
        self.sleep = sleep
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self.client.close()

    # -- the wire ------------------------------------------------------------------------

    def _token(self) -> str:
        token = self.token or os.environ.get(self.token_env, "")
        if not token:
            raise ActionFailed(
                f"No shop token: set {self.token_env} to the shop's API token", retryable=False
            )
        return token

    def _backoff(self, attempt: int) -> float:
        return min(self.max_wait, 0.25 * 2**attempt)

    def _retry_after(self, response: httpx.Response) -> float | None:
        return retry_after(response.headers.get("Retry-After"), cap=self.max_wait)

    def _call(
        self, method: str, path: str, *, body: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        """One logical call, retried on what may be transient; the same key every time."""
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        last = "no answer"
        for attempt in range(self.attempts):
            wait = self._backoff(attempt)
            try:
                response = self.client.request(method, path, json=body, headers=headers)
            except httpx.TimeoutException:
                last = f"the shop did not answer within {self.timeout:g}s"
            except httpx.TransportError as exc:
                last = f"the connection to the shop failed ({type(exc).__name__})"
            else:
                status = response.status_code
                if 200 <= status < 300:
                    try:
                        data = response.json()
                    except ValueError:
                        data = None
                    if isinstance(data, dict):
                        return data
                    last = "the shop's answer could not be read"
                elif status in RETRY_STATUS:
                    last = (
                        "the shop is busy (429)" if status == 429 else f"the shop failed ({status})"
                    )
                    asked = self._retry_after(response)
                    # "Retry-After: 0" means now, not "use the backoff".
                    wait = wait if asked is None else asked
                else:
                    self._raise_for(response)
            if attempt + 1 < self.attempts:
                self.sleep(wait)
        raise ActionFailed(f"Not done: {last}", retryable=True)

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        try:
            data = response.json()
            reason = one_line(str(data.get("error", "")), 200) if isinstance(data, dict) else ""
        except ValueError:
            reason = ""
        if status in (401, 403):
            raise ActionFailed(
                f"The shop refused deskterm's token ({status}): check {self.token_env}",
                retryable=False,
            )
        if status in REFUSED_STATUS:
            raise ActionRefused(reason or f"The shop refused it ({status})")
        raise ActionFailed(
            f"The shop answered {status}" + (f": {reason}" if reason else ""), retryable=False
        )

    @staticmethod
    def _slot(data: Any) -> Slot | None:
        if not data:
            return None
        try:
            return Slot.from_json(data)
        except ValueError:
            raise ActionFailed(
                "The shop's answer could not be read (a slot without times)", retryable=True
            ) from None

    @staticmethod
    def _field(data: dict[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name)
        if not isinstance(value, dict):
            raise ActionFailed(f"The shop's answer could not be read (no {name!r})", retryable=True)
        return value

    # -- the protocol --------------------------------------------------------------------

    def available_slots(self, order: Order) -> list[Slot]:
        data = self._call("GET", f"orders/{_segment(order.number)}/slots")
        raw = data.get("slots")
        if not isinstance(raw, list):
            raise ActionFailed("The shop's answer could not be read (no 'slots')", retryable=True)
        current = (
            Slot(order.delivery_slot_start, order.delivery_slot_end)
            if order.delivery_slot_start and order.delivery_slot_end
            else None
        )
        slots = [s for s in (self._slot(item) for item in raw) if s is not None and s != current]
        return sorted(slots)

    def resend_items(
        self,
        order: Order,
        items: list[tuple[int, int]],
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        names = {i.id: i.name for i in order.items}
        data = self._call(
            "POST",
            f"orders/{_segment(order.number)}/resend",
            body={
                "items": [{"item_id": i, "quantity": q} for i, q in items],
                "reference": _reference(context),
            },
            key=idempotency_key,
        )
        new = self._field(data, "order")
        return ActionResult(
            kind="resend",
            idempotency_key=idempotency_key,
            provider=self.name,
            order_number=order.number,
            new_order_number=str(new.get("number") or ""),
            slot=self._slot(new.get("slot")),
            items=tuple((names.get(i, f"item {i}"), q) for i, q in items),
            currency=order.currency,
        )

    def change_slot(
        self,
        order: Order,
        slot: Slot,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        data = self._call(
            "POST",
            f"orders/{_segment(order.number)}/slot",
            body={**slot.to_json(), "reference": _reference(context)},
            key=idempotency_key,
        )
        moved = self._field(data, "order")
        previous = self._slot(data.get("previous"))
        if previous is None and order.delivery_slot_start and order.delivery_slot_end:
            previous = Slot(order.delivery_slot_start, order.delivery_slot_end)
        return ActionResult(
            kind="slot",
            idempotency_key=idempotency_key,
            provider=self.name,
            order_number=order.number,
            slot=self._slot(moved.get("slot")) or slot,
            previous_slot=previous,
            currency=order.currency,
        )

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
        currency = order.currency if order else "EUR"
        who = customer.external_id or str(customer.id)
        data = self._call(
            "POST",
            f"customers/{_segment(who)}/goodwill",
            body={
                "amount_cents": amount_cents,
                "currency": currency,
                "kind": kind,
                "order_number": order.number if order else None,
                "reference": _reference(context),
            },
            key=idempotency_key,
        )
        gesture = self._field(data, "gesture")
        return ActionResult(
            kind="goodwill",
            idempotency_key=idempotency_key,
            provider=self.name,
            order_number=order.number if order else None,
            amount_cents=amount_cents,
            currency=currency,
            goodwill_kind=kind,
            reference=str(gesture.get("id") or "") or None,
        )

    def cancel_order(
        self, order: Order, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        self._call(
            "POST",
            f"orders/{_segment(order.number)}/cancel",
            body={"reference": _reference(context)},
            key=idempotency_key,
        )
        return ActionResult(
            kind="cancel",
            idempotency_key=idempotency_key,
            provider=self.name,
            order_number=order.number,
            amount_cents=order.total_cents,
            currency=order.currency,
            undoable=False,
        )

    def account(self, customer: Customer) -> AccountFacts:
        who = customer.external_id or str(customer.id)
        try:
            data = self._call("GET", f"customers/{_segment(who)}/account")
        except ActionRefused:
            return UNKNOWN_ACCOUNT  # 404: no account at the shop for this customer
        try:
            return AccountFacts.from_json(data)
        except (ValueError, TypeError) as exc:
            raise ActionFailed(
                f"The shop's answer could not be read ({one_line(str(exc), 80)})", retryable=True
            ) from None

    def delivery(self, order: Order) -> Delivery:
        data = self._call("GET", f"orders/{_segment(order.number)}/delivery")
        try:
            return Delivery.from_json(self._field(data, "delivery"), order_number=order.number)
        except (ValueError, TypeError) as exc:
            raise ActionFailed(
                f"The shop's answer could not be read ({one_line(str(exc), 80)})", retryable=True
            ) from None

    def pause_subscription(
        self, customer: Customer, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        return self._subscription(customer, "pause", idempotency_key, context)

    def resume_subscription(
        self, customer: Customer, *, idempotency_key: str, context: ActionContext | None = None
    ) -> ActionResult:
        return self._subscription(customer, "resume", idempotency_key, context)

    def _subscription(
        self, customer: Customer, kind: str, key: str, context: ActionContext | None
    ) -> ActionResult:
        who = customer.external_id or str(customer.id)
        data = self._call(
            "POST",
            f"customers/{_segment(who)}/subscription/{kind}",
            body={"reference": _reference(context)},
            key=key,
        )
        try:
            sub = Subscription.from_json(self._field(data, "subscription"))
        except (ValueError, TypeError) as exc:
            raise ActionFailed(
                f"The shop's answer could not be read ({one_line(str(exc), 80)})", retryable=True
            ) from None
        return ActionResult(
            kind="pause" if kind == "pause" else "resume",
            idempotency_key=key,
            provider=self.name,
            extra={
                "customer": who,
                "plan": sub.plan,
                "next_delivery": sub.next_delivery.isoformat() if sub.next_delivery else None,
            },
        )

    def change_address(
        self,
        order: Order,
        address: str,
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        clean = " ".join(address.split())
        if not clean:
            raise ActionRefused("Type the new delivery address")
        data = self._call(
            "POST",
            f"orders/{_segment(order.number)}/address",
            body={"address": clean, "reference": _reference(context)},
            key=idempotency_key,
        )
        moved = self._field(data, "order")
        previous = data.get("previous")
        return ActionResult(
            kind="address",
            idempotency_key=idempotency_key,
            provider=self.name,
            order_number=order.number,
            currency=order.currency,
            extra={
                "address": str(moved.get("address") or clean),
                "previous_address": str(previous) if previous else "",
            },
        )

    def refund_items(
        self,
        order: Order,
        items: list[tuple[int, int]],
        *,
        idempotency_key: str,
        context: ActionContext | None = None,
    ) -> ActionResult:
        if not items:
            raise ActionRefused("Pick at least one item to refund")
        by_id = {i.id: i for i in order.items}
        unknown = [i for i, _ in items if i not in by_id]
        if unknown:
            raise ActionRefused(f"Item {unknown[0]} is not part of order {order.number}")
        asked = refund_cents(
            ((by_id[i].unit_price_cents, q) for i, q in items), paid_left_cents=order.total_cents
        )
        data = self._call(
            "POST",
            f"orders/{_segment(order.number)}/refund",
            body={
                "items": [{"item_id": i, "quantity": q} for i, q in items],
                "amount_cents": asked,
                "currency": order.currency,
                "reference": _reference(context),
            },
            key=idempotency_key,
        )
        refund = self._field(data, "refund")
        paid = refund.get("amount_cents")
        return ActionResult(
            kind="refund",
            idempotency_key=idempotency_key,
            provider=self.name,
            order_number=order.number,
            items=tuple((by_id[i].name, q) for i, q in items),
            amount_cents=paid if isinstance(paid, int) and not isinstance(paid, bool) else asked,
            currency=order.currency,
            reference=str(refund.get("id") or "") or None,
        )

    def undo(self, result: ActionResult) -> None:
        """Undo through the same endpoints, under a key derived from the action's own."""
        key = f"{result.idempotency_key}-undo"
        if not result.undoable:
            raise ActionRefused("A cancelled order cannot be restored from here")
        if result.kind == "resend":
            if not result.new_order_number:
                raise ActionRefused("The shop did not say which follow-up order it created")
            self._call(
                "POST", f"orders/{_segment(result.new_order_number)}/cancel", body={}, key=key
            )
        elif result.kind == "slot":
            if result.previous_slot is None or result.order_number is None:
                raise ActionRefused("The order had no slot before: nothing to restore")
            self._call(
                "POST",
                f"orders/{_segment(result.order_number)}/slot",
                body=result.previous_slot.to_json(),
                key=key,
            )
        elif result.kind in ("pause", "resume"):
            back = "resume" if result.kind == "pause" else "pause"
            who = str(result.extra.get("customer") or "")
            if not who:
                raise ActionRefused("The shop did not say whose subscription it was")
            self._call("POST", f"customers/{_segment(who)}/subscription/{back}", body={}, key=key)
        elif result.kind == "address":
            previous = str(result.extra.get("previous_address") or "")
            if not previous or result.order_number is None:
                raise ActionRefused("The shop did not say the previous address: nothing to restore")
            self._call(
                "POST",
                f"orders/{_segment(result.order_number)}/address",
                body={"address": previous},
                key=key,
            )
        elif result.kind == "goodwill":
            if not result.reference:
                raise ActionRefused("The shop did not say which gesture it recorded")
            self._call("POST", f"gestures/{_segment(result.reference)}/reverse", body={}, key=key)
        elif result.kind == "refund":
            if not result.reference:
                raise ActionRefused("The shop did not say which refund it made")
            self._call("POST", f"refunds/{_segment(result.reference)}/reverse", body={}, key=key)
