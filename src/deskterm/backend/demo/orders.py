"""Orders: what customers bought, when it was delivered, and the numbers they quote."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from deskterm.backend.demo.catalog import (
    BREADS,
    DESSERTS,
    DRINKS,
    EXTRAS,
    MAINS,
    SLOT_STARTS,
    STARTERS,
    Dish,
)


@dataclass(slots=True)
class OrderInfo:
    """An order as the texts need it; ``row`` and ``items`` are what the store keeps."""

    id: int
    number: str
    slot_start: int
    dishes: list[Dish]
    total_cents: int
    row: tuple
    items: list[tuple]


class OrderBook:
    """Hands out order and item ids, and numbers that look random but never repeat."""

    def __init__(self, rng: Random, capacity: int) -> None:
        self.rng = rng
        digits = 5
        while 9 * 10 ** (digits - 1) < capacity:
            digits += 1
        self._base = 10 ** (digits - 1)
        self._modulus = 9 * self._base
        self.next_id = 1
        self.next_item_id = 1

    def number(self, order_id: int) -> str:
        """ "PO-" and a number unique per id: a multiplication modulo a 9·10^k range, by a
        prime that divides neither 2, 3 nor 5, is a permutation of it."""
        return f"PO-{self._base + (order_id * 104_729) % self._modulus}"

    def basket(self, *, extra: bool = False) -> list[tuple[Dish, int]]:
        """A meal: a main or two, often a starter, bread, dessert or drink."""
        rng = self.rng
        basket = [(rng.choice(MAINS), 1 if rng.random() < 0.7 else 2)]
        if rng.random() < 0.15:
            basket.append((rng.choice(MAINS), 1))
        for group, share in ((STARTERS, 0.35), (BREADS, 0.4), (DESSERTS, 0.5), (DRINKS, 0.55)):
            if rng.random() < share:
                basket.append((rng.choice(group), 1 if rng.random() < 0.8 else 2))
        if extra and len(basket) == 1:
            basket.append((rng.choice(EXTRAS), 1))
        seen: set[str] = set()
        unique = []
        for dish, quantity in basket:
            if dish.name not in seen:
                seen.add(dish.name)
                unique.append((dish, quantity))
        return unique

    def make(
        self,
        customer_id: int,
        *,
        placed_at: int,
        slot_start: int,
        status: str,
        basket: list[tuple[Dish, int]] | None = None,
        parent: int | None = None,
        free: bool = False,
    ) -> OrderInfo:
        """A new order with its items; ``free`` for a follow-up that resends something."""
        basket = basket if basket is not None else self.basket()
        order_id = self.next_id
        self.next_id += 1
        items = []
        total = 0
        for dish, quantity in basket:
            items.append((self.next_item_id, order_id, dish.name, quantity, dish.price_cents))
            self.next_item_id += 1
            total += quantity * dish.price_cents
        total = 0 if free else total
        number = self.number(order_id)
        row = (order_id, number, customer_id, status, placed_at, slot_start, slot_start + 3600,
               total, "EUR", parent, None)  # fmt: skip
        return OrderInfo(order_id, number, slot_start, [d for d, _ in basket], total, row, items)

    def history_slot(self, t: float, offset: int) -> int:
        """A delivery slot on the local day of ``t``, at a meal time."""
        midnight = t - (t + offset) % 86400
        return int(midnight + self.rng.choice(SLOT_STARTS) * 3600)


def meal_slot_before(t: float, *, low: float, rng: Random, offset: int) -> int:
    """Start of a one-hour slot at a meal time (the shop's local time: *offset* seconds from
    UTC) that ended at least ``low`` seconds before ``t``: the latest such slot, or the one
    before it now and then. A customer writing at eight in the morning about a delivery
    speaks of last night's dinner, not of a slot at six in the morning."""
    latest = t - low
    midnight = latest - (latest + offset) % 86400
    ended = [
        int(midnight + day * 86400 + hour * 3600)
        for day in (-1, 0)
        for hour in SLOT_STARTS
        if midnight + day * 86400 + hour * 3600 + 3600 <= latest
    ]
    return ended[-1] if rng.random() < 0.8 or len(ended) < 2 else ended[-2]


def slot_after(t: float, *, low: float, high: float, rng: Random, offset: int) -> int:
    """Start of the first one-hour slot at a meal time (the shop's local time: *offset*
    seconds from UTC) that begins at least ``low`` to ``high`` seconds after ``t``: the
    kitchen delivers lunch and dinner, never at half past three in the morning."""
    earliest = t + rng.uniform(low, high)
    midnight = earliest - (earliest + offset) % 86400
    for day in range(2):
        for hour in SLOT_STARTS:
            start = midnight + day * 86400 + hour * 3600
            if start >= earliest:
                return int(start)
    raise AssertionError("every day has meal times")  # SLOT_STARTS is not empty
