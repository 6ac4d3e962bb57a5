"""A macro's order actions: what a macro asks the shop to do when its reply is sent.

The order actions themselves (resend, slot, goodwill, cancel…) are declared once, in the
commerce catalogue (``backend/commerce/catalogue.py``); a macro names one by its kind in
``do`` and says where its answers come from, so the agent is asked only what the macro
leaves open:

==========  ======================================================================
key         value
==========  ======================================================================
do          the order action's kind in the catalogue: resend, slot, goodwill, cancel,
            refund (paid items paid back, not goodwill), pause, resume, address (the new
            address is asked at send)
items       which items (resend, refund): ``ask`` (the default), ``all``, names separated by
            commas, or Liquid filled from the order, e.g. ``{{ order.named_items }}``
amount      how much (goodwill): ``ask`` (the default), a fixed amount (``5``,
            ``4,50 €``), or Liquid, e.g. ``{{ order.total }}``
as          credit or refund (goodwill); ``ask`` (the default) lets the agent choose
==========  ======================================================================

In a TOML library: ``{field = "order", value = {do = "goodwill", as = "credit", amount = "5"}}``;
a list of such tables when a macro does several (cancel, then refund).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from deskterm.domain.macros.marks import MacroError

ASK = "ask"
ALL_ITEMS = "all"
GOODWILL_AS = ("credit", "refund", ASK)
_KEYS = ("do", "items", "amount", "as")
_WORD = re.compile(r"^[a-z][a-z_-]{0,30}$")
_MAX_TEXT = 300


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _one(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MacroError(f"order: each order action is a table with do = …, not {_short(value)}")
    unknown = sorted(set(value) - set(_KEYS))
    if unknown:
        raise MacroError(f"order: unknown key {unknown[0]!r} (use {', '.join(_KEYS)})")
    do = value.get("do")
    if not isinstance(do, str) or not _WORD.match(do.strip().lower()):
        raise MacroError(f"order: do must name an order action such as resend, not {_short(do)}")
    out = {"do": do.strip().lower()}
    for key in ("items", "amount"):
        if key not in value:
            continue
        raw = value[key]
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise MacroError(f"order: {key} must be text, not {_short(raw)}")
        text = " ".join(str(raw).split())
        if not text or len(text) > _MAX_TEXT:
            raise MacroError(f"order: {key} must be 1 to {_MAX_TEXT} characters")
        if key == "amount" and text != ASK and "{{" not in text and not re.search(r"\d", text):
            raise MacroError(f"order: amount must be ask, an amount or Liquid, not {_short(raw)}")
        out[key] = text
    if "as" in value:
        kind = value["as"]
        if not isinstance(kind, str) or kind.strip().lower() not in GOODWILL_AS:
            choices = ", ".join(GOODWILL_AS)
            raise MacroError(f"order: as must be one of {choices}, not {_short(kind)}")
        out["as"] = kind.strip().lower()
    return out


def read_orders(value: object) -> list[dict[str, str]]:
    """A macro's order actions as written (one table or a list), checked and normalised;
    raises MacroError (one line). Whether ``do`` names an action the shop has is checked
    against the catalogue where it is known (the send, ``deskterm macros check``)."""
    tables = value if isinstance(value, list) else [value]
    if not tables:
        raise MacroError("order needs at least one order action")
    found: list[dict[str, str]] = []
    for table in tables:
        one = _one(table)
        if one not in found:
            found.append(one)
    return found


def _where(text: str) -> str:
    if text == ASK:
        return "asked at send"
    placeholder = re.fullmatch(r"\{\{\s*([\w.]+)\s*(?:\|[^}]*)?\}\}", text)
    return f"from {placeholder.group(1)}" if placeholder else text


def describe_order(action: dict[str, str]) -> str:
    """The picker's words for one order action: "Order: resend (items from order.named_items)"."""
    do = action["do"]
    details = []
    if do == "goodwill" or "as" in action or "amount" in action:
        kind = action.get("as", ASK)
        details.append(f"{'credit or refund' if kind == ASK else kind} "
                       f"{_where(action.get('amount', ASK))}")  # fmt: skip
    if "items" in action or do == "resend":
        items = action.get("items", ASK)
        details.append("all items" if items == ALL_ITEMS else f"items {_where(items)}")
    return f"Order: {do}" + (f" ({', '.join(details)})" if details else "")


def describe_orders(actions: Iterable[dict[str, str]]) -> str:
    return " · ".join(describe_order(a) for a in actions)


def order_claims(action: dict[str, Any]) -> tuple[str, ...]:
    """The claims (see :mod:`.claims`) a carried order action makes true: its kind, and for
    goodwill what it gives (a credit, a refund, either when the agent chooses at send)."""
    kind = action.get("as")
    if kind in ("credit", "refund"):
        return (action["do"], kind)
    if action.get("do") == "goodwill":
        return ("goodwill", "credit", "refund")
    return (action["do"],)
