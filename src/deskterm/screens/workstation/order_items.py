"""Which items of an order an action covers, and how many of each: the question of the
order actions that act on items (resend, refund).

The agent ticks the items in a checklist (space), confirms (enter), and is asked how many
only of an item with more than one left; the answer is one job, so one confirmation and
one undo whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from deskterm.backend.commerce.catalogue import OrderActionSpec
from deskterm.backend.commerce.jobs import OrderJob, items_job, items_left
from deskterm.backend.commerce.policy import format_money
from deskterm.domain.models import Customer, Order, OrderItem
from deskterm.domain.safety import one_line
from deskterm.screens.checklist import ChecklistScreen
from deskterm.screens.picker import Choice
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation.host import Host

ALL_ITEMS = "all"

Tell = Callable[..., None]


def item_detail(spec: OrderActionSpec, order: Order, item: OrderItem, left: int) -> str:
    """What the checklist says beside an item: how many were ordered, or for a refund its
    price and what is left to refund."""
    if not spec.priced:
        return f"×{item.quantity} ordered"
    each = format_money(item.unit_price_cents, order.currency)
    if left < item.quantity:
        return f"{each} each · {left} of {item.quantity} left to refund"
    return f"{each} each · ×{item.quantity}"


class ItemQuestions:
    """Asks which items and how many, then hands the job on. ``tell`` is the pane's
    notification (never markup: item names are the shop's or the customer's text)."""

    def __init__(self, host: Host, tell: Tell) -> None:
        self.host = host
        self.tell = tell

    def ask(
        self,
        spec: OrderActionSpec,
        cid: int,
        customer: Customer,
        order: Order,
        then: Callable[[OrderJob], None],
        left: dict[int, int] | None = None,
    ) -> None:
        """``left`` is how many of each item the action can still cover: all ordered when
        None, or, for a refund, what is not refunded yet (read first, in a worker)."""
        if left is None and spec.priced:
            work = partial(self._load_left, spec, cid, customer, order, then)
            self.host.in_thread(work, group="commerce", name="_load_items_left")
            return
        left = left if left is not None else {i.id: i.quantity for i in order.items}
        items = {str(i.id): i for i in order.items if left.get(i.id, 0) > 0}
        if not items:
            what = "left to refund" if spec.priced else "items"
            self.tell(f"Order {one_line(order.number, 30)} has no {what}.", severity="warning")
            return
        choices = [
            Choice(key, one_line(i.name, 50), item_detail(spec, order, i, left[i.id]))
            for key, i in items.items()
        ]
        if len(items) > 1:
            choices.append(Choice(ALL_ITEMS, "All items of the order", f"{len(items)} items"))

        def picked(values: list[str] | None) -> None:
            if not values:
                return
            if ALL_ITEMS in values:
                chosen = [(i, left[i.id]) for i in items.values()]
                then(items_job(spec, cid, customer, order, chosen))
                return

            def counted(chosen: list[tuple[OrderItem, int]]) -> None:
                then(items_job(spec, cid, customer, order, chosen))

            self.how_many(spec, [items[v] for v in values], left, counted)

        title = f"{spec.label} of order {one_line(order.number, 30)}"
        self.host.ask(ChecklistScreen(title, choices), picked)

    def _load_left(self, spec: OrderActionSpec, cid, customer, order: Order, then) -> None:
        left = items_left(self.host.desk.store, spec, order)
        self.host.from_thread(self.ask, spec, cid, customer, order, then, left)

    def how_many(
        self,
        spec: OrderActionSpec,
        picked: list[OrderItem],
        left: dict[int, int],
        done: Callable[[list[tuple[OrderItem, int]]], None],
        *,
        one_by_default: bool = False,
    ) -> None:
        """How many of each picked item, asked only of those with more than one left; a
        number out of range stops with one line. The answer offered is all that is left,
        or 1 (``one_by_default``: a macro's, which names the item but not how many)."""
        chosen: list[tuple[OrderItem, int]] = []

        def ask_from(n: int) -> None:
            while n < len(picked) and left[picked[n].id] <= 1:
                chosen.append((picked[n], 1))
                n += 1
            if n == len(picked):
                done(chosen)
                return
            item, most = picked[n], left[picked[n].id]

            def counted(text: str | None) -> None:
                if text is None:
                    return
                try:
                    quantity = int(text.strip())
                except ValueError:
                    quantity = 0
                if not 1 <= quantity <= most:
                    self.tell(f"Type a number from 1 to {most}.", severity="warning")
                    return
                chosen.append((item, quantity))
                ask_from(n + 1)

            question = f"How many {one_line(item.name, 40)} to {spec.verb}? (1–{most})"
            offered = 1 if one_by_default else most
            self.host.ask(TextPromptScreen(question, str(offered)), counted)

        ask_from(0)
