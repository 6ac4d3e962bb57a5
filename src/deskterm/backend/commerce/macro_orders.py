"""A macro's order actions (``domain/macros/orders.py``) read against the catalogue: which
order action each names, and what the macro already answers (items, amount, credit or
refund) for the conversation on screen; the rest is asked at send, with the customer pane's
own questions.

At send, each is checked against the order as it is then (:func:`still_applies`): what no
longer applies (cancelling a cancelled order, refunding an order refunded in full, or a
second refund beside a cancellation, which refunds the order itself) is left out with one
line saying why, and an item named is refunded or resent only as many times as are left.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from deskterm.backend.commerce.base import ActionRefused, GoodwillKind
from deskterm.backend.commerce.catalogue import BY_KIND, OrderActionSpec
from deskterm.backend.commerce.policy import AmountError, parse_amount
from deskterm.domain.fuzzy import fold
from deskterm.domain.macros.orders import ALL_ITEMS, ASK
from deskterm.domain.models import Order, OrderItem, OrderStatus
from deskterm.domain.safety import one_line

#: What each way of asking lets a macro fix in advance.
_ANSWERS = {
    "items": {"items"},
    "amount": {"amount", "as"},
    "slot": set(),
    "nothing": set(),
    "address": set(),
    "subscription": set(),
}


@dataclass(frozen=True)
class MacroOrder:
    """One order action of a macro, with what the macro answered (None: ask at send).
    ``how_many``: the items were named, not all of the order: of an item with more than
    one, the agent says how many (up to its quantity in ``items``)."""

    spec: OrderActionSpec
    items: tuple[tuple[OrderItem, int], ...] | None = None
    amount_cents: int | None = None
    goodwill_kind: GoodwillKind | None = None
    how_many: bool = False

    @property
    def refunds(self) -> bool:
        """It pays money back on the order: items refunded, or goodwill as a refund."""
        return self.spec.kind == "refund" or (
            self.spec.kind == "goodwill" and self.goodwill_kind == "refund"
        )


def check_order_action(action: dict[str, Any]) -> str | None:
    """What is wrong with a macro's order action for this catalogue, in one line; None
    when it names an order action deskterm has and fixes only what that action asks."""
    spec = BY_KIND.get(str(action.get("do")))
    if spec is None:
        kinds = ", ".join(BY_KIND)
        return f"order action {action.get('do')!r} does not exist (use {kinds})"
    extra = sorted(set(action) - {"do"} - _ANSWERS[spec.asks])
    if extra:
        return f"order action {spec.kind} takes no {extra[0]}"
    amount = action.get("amount", ASK)
    if amount != ASK and "{{" not in amount:
        try:
            parse_amount(amount)
        except AmountError as exc:
            return f"order action {spec.kind}: {exc}"
    return None


def _amount(text: str, render: Callable[[str], str]) -> int | None:
    if text == ASK:
        return None
    filled = render(text) if "{{" in text else text
    if not filled.strip() or "⟦" in filled:
        return None  # nothing to fill it from (no item named): the agent says how much
    try:
        return parse_amount(filled)
    except AmountError as exc:
        raise ActionRefused(f"The macro's amount {filled.strip()!r}: {exc}") from None


def _items(text: str, order: Order, render: Callable[[str], str]) -> tuple | None:
    if text == ASK:
        return None
    if text == ALL_ITEMS:
        return tuple((i, i.quantity) for i in order.items) or None
    filled = fold(render(text) if "{{" in text else text)
    if "⟦" in filled:
        return None
    # Each item named whole, longest names first, so "pain de campagne" is not also "pain".
    chosen = []
    for item in sorted(order.items, key=lambda i: len(i.name), reverse=True):
        name = fold(item.name)
        found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", filled)
        if found:
            chosen.append((item, item.quantity))
            filled = filled[: found.start()] + filled[found.end() :]
    return tuple(chosen) or None


def resolve(
    action: dict[str, Any], order: Order | None, render: Callable[[str], str]
) -> MacroOrder:
    """What the macro answers for ``order``: items and amount filled in from the order
    (``render`` fills Liquid), None where the agent is asked. Raises ActionRefused (one
    line) for an order action that does not exist or an amount that is not one."""
    problem = check_order_action(action)
    if problem is not None:
        raise ActionRefused(problem[:1].upper() + problem[1:])
    spec = BY_KIND[action["do"]]
    if spec.needs_order and order is None:
        raise ActionRefused("There is no order to act on")
    kind = action.get("as", ASK)
    items = action.get("items", ASK)
    return MacroOrder(
        spec,
        items=_items(items, order, render) if order is not None else None,
        amount_cents=_amount(action.get("amount", ASK), render),
        goodwill_kind=None if kind == ASK else kind,
        how_many=items not in (ASK, ALL_ITEMS),
    )


def still_applies(
    found: list[MacroOrder],
    order: Order | None,
    *,
    paid_left_cents: int,
    items_left: dict[int, int],
) -> tuple[list[MacroOrder], list[str]]:
    """The macro's order actions that still apply to ``order`` as it is now, and one line
    for each left out, saying why. ``paid_left_cents``: what the order paid that is not
    refunded yet; ``items_left``: how many of each item can still be refunded."""
    if order is None:
        return list(found), []
    number = " ".join(order.number.split())[:30]
    cancelled = order.status is OrderStatus.CANCELLED
    cancels = any(m.spec.kind == "cancel" for m in found)
    kept: list[MacroOrder] = []
    why: list[str] = []
    for m in found:
        still: MacroOrder | None = None
        line = None
        if m.spec.kind == "cancel" and cancelled:
            line = f"{number} is already cancelled: not cancelled again"
        elif m.refunds and cancelled:
            line = f"{number} is already cancelled, which refunded it: not refunded again"
        elif m.refunds and (order.status is OrderStatus.REFUNDED or paid_left_cents <= 0):
            line = f"{number} is already refunded in full: not refunded again"
        elif m.refunds and cancels:
            line = f"{number}: cancelling it refunds it, no second refund"
        elif m.spec.priced and m.items is not None:
            still, line = _items_still_to_refund(m, number, items_left)
        else:
            still = m
        if line is not None:
            why.append(line)
        if still is not None:
            kept.append(still)
    return kept, list(dict.fromkeys(why))


def _items_still_to_refund(
    m: MacroOrder, number: str, left: dict[int, int]
) -> tuple[MacroOrder | None, str | None]:
    """The items of a refund as many times as are left to refund; None when none is."""
    items = m.items or ()
    still = tuple((i, min(q, left.get(i.id, 0))) for i, q in items if left.get(i.id, 0) > 0)
    done = [i.name for i, _ in items if left.get(i.id, 0) <= 0]
    if not done:
        return replace(m, items=still), None
    names = ", ".join(one_line(n, 40) for n in done)
    line = f"{number}: {names} already refunded, not refunded again"
    return (replace(m, items=still) if still else None), line
