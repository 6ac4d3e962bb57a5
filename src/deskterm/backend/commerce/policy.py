"""The goodwill policy: how much an agent may give without a lead's approval; and the
refund policy, apart from it: how much of what an order paid an agent may pay back.

Pure: amounts in integer cents, the amounts already given passed in by the caller. Reasons
are one sentence for the agent, e.g. "€12.00 is above the €10.00 limit per gesture".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

#: Above this an amount is a typo, not a gesture (ten thousand in any currency).
MAX_AMOUNT_CENTS = 1_000_000

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
#: Units (digits, or groups of three after a space, comma or dot used the same way each time),
#: then optionally a decimal comma or dot and one or two digits.
_AMOUNT = re.compile(
    r"^(?P<units>\d{1,3}(?P<group>[ \u00a0\u202f.,])\d{3}(?:(?P=group)\d{3})*|\d+)"
    r"(?:(?P<point>[.,])(?P<cents>\d{1,2}))?$"
)


class Limits(Protocol):
    """The policy's numbers (``deskterm.config.GesturePolicy`` has this shape)."""

    max_per_gesture_cents: int
    max_per_customer_cents: int
    window_days: int
    currency: str


class RefundLimits(Protocol):
    """The refund policy's numbers (``deskterm.config.RefundPolicy`` has this shape)."""

    max_per_refund_cents: int  # 0: no cap but what the order paid


@dataclass(frozen=True)
class Verdict:
    """Whether a gesture may be given now; if not, why, and whether a lead may approve it."""

    allowed: bool
    reason: str = ""
    approvable: bool = False


class AmountError(ValueError):
    """Typed text that is not an amount; the message says what is expected."""


def format_money(cents: int, currency: str = "EUR", *, language: str = "en") -> str:
    """``€12.50`` in English, ``12,50 €`` in French; other currencies by their code."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    symbol = _SYMBOLS.get(currency.upper())
    if language.startswith("fr"):
        number = f"{units:,}".replace(",", " ") + f",{rest:02d}"
        return f"{sign}{number} {symbol or currency.upper()}"
    number = f"{units:,}.{rest:02d}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency.upper()} {number}"


def parse_amount(text: str) -> int:
    """Cents from what an agent types: ``5``, ``5.5``, ``5,50``, ``€5``, ``5 €``, ``5 EUR``,
    ``1 234,50``, ``1,234.50``, ``1.234,50``.

    Raises AmountError for anything else, zero, or an absurd amount.
    """
    clean = text.strip()
    for token in ("€", "$", "£", "EUR", "USD", "GBP", "eur"):
        clean = clean.replace(token, "")
    clean = clean.strip()
    match = _AMOUNT.match(clean)
    group, point = (match["group"], match["point"]) if match else (None, None)
    # "1,234.50" and "1.234,50" read as 1234.50; "1,234" alone could be either: refused.
    if not match or (group in (".", ",") and (point is None or point == group)):
        raise AmountError(f"{text.strip() or 'Nothing'!s} is not an amount: type e.g. 5 or 7.50")
    units = int(re.sub(r"\D", "", match["units"]))
    decimals = (match["cents"] or "0").ljust(2, "0")
    cents = units * 100 + int(decimals)
    if cents <= 0:
        raise AmountError("The amount must be above zero")
    if cents > MAX_AMOUNT_CENTS:
        raise AmountError(f"{format_money(cents)} is too large for a goodwill gesture")
    return cents


def remaining(given_cents: int, limits: Limits) -> int:
    """What can still be given to this customer in the window without approval."""
    return max(0, min(limits.max_per_gesture_cents, limits.max_per_customer_cents - given_cents))


def check_gesture(
    amount_cents: int,
    *,
    given_cents: int,
    limits: Limits,
    kind: str = "credit",
    order_total_cents: int | None = None,
    items_refunded_cents: int = 0,
) -> Verdict:
    """May an agent give ``amount_cents`` to a customer who got ``given_cents`` in the window?

    Refusals over a limit are ``approvable`` (a lead may say yes); a refund above the order's
    total (less what its items' refunds paid back already) or a non-positive amount is
    refused outright.
    """

    def money(cents: int) -> str:
        return format_money(cents, limits.currency)

    if amount_cents <= 0:
        return Verdict(False, "The amount must be above zero")
    if kind == "refund" and order_total_cents is not None:
        left = max(0, order_total_cents - items_refunded_cents)
        if amount_cents > left and items_refunded_cents:
            return Verdict(
                False,
                f"A refund of {money(amount_cents)} is more than the {money(left)} left of the "
                f"order's {money(order_total_cents)} total (its items' refunds paid back "
                f"{money(items_refunded_cents)})",
            )
        if amount_cents > left:
            return Verdict(
                False,
                f"A refund of {money(amount_cents)} is more than the order's "
                f"{money(order_total_cents)} total",
            )
    if amount_cents > limits.max_per_gesture_cents:
        return Verdict(
            False,
            f"{money(amount_cents)} is above the {money(limits.max_per_gesture_cents)} "
            "limit per gesture",
            approvable=True,
        )
    total = given_cents + amount_cents
    if total > limits.max_per_customer_cents:
        return Verdict(
            False,
            f"{money(amount_cents)} would bring this customer's goodwill to {money(total)} in "
            f"{limits.window_days} days, above the {money(limits.max_per_customer_cents)} "
            "limit per customer",
            approvable=True,
        )
    return Verdict(True)


def refund_cents(items: Iterable[tuple[int, int]], *, paid_left_cents: int) -> int:
    """What refunding (unit price in cents, quantity) pairs pays back: their price, capped
    by what the order paid and was not refunded yet."""
    return max(0, min(sum(price * qty for price, qty in items), paid_left_cents))


def check_refund(amount_cents: int, *, limits: RefundLimits | None, currency: str) -> Verdict:
    """May an agent refund ``amount_cents`` of paid items? Never counted against goodwill;
    above the cap per refund a lead does it (refused here, with that said)."""
    if amount_cents <= 0:
        return Verdict(False, "Nothing is left to refund on these items")
    cap = limits.max_per_refund_cents if limits is not None else 0
    if cap > 0 and amount_cents > cap:
        return Verdict(
            False,
            f"A refund of {format_money(amount_cents, currency)} is above the "
            f"{format_money(cap, currency)} limit per refund: a lead can do it",
        )
    return Verdict(True)
