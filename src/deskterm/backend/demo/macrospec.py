"""A macro of the demo library: its Liquid bodies, its actions, and a fast renderer.

Bodies use only ``customer.first_name``, ``agent.first_name``, ``order.number``,
``order.item_names``, ``order.delivery_slot``, ``problem.title`` (in an ``if``) and the
``{% cursor %}`` mark. :func:`render` is
a plain substitution that gives the same text as Liquid for exactly these placeholders, so
replies "from a macro" really are the macro, at the speed a million conversations need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deskterm.backend.demo.wording import fill

Texts = dict[str, tuple[str, ...]]

#: The Liquid placeholders the library uses, and the slot each one reads.
PLACEHOLDERS = {
    "{{ customer.first_name }}": "first_name",
    "{{ agent.first_name }}": "agent",
    "{{ order.number }}": "order",
    '{{ order.item_names | join: ", " }}': "item_names",
    "{{ order.delivery_slot }}": "order_slot",
    "{% cursor %}": "cursor",
    # The fix notice names the problem; replies in the history had none to name.
    "{% if problem.title %} ({{ problem.title }}){% endif %}": "problem_part",
}


@dataclass(frozen=True)
class MacroSpec:
    """One macro of the library and what using it does."""

    key: str
    title: str
    en: str
    fr: str
    tags: tuple[str, ...] = ()
    status: str | None = None  # "done": the reply closes the conversation
    snooze: str | None = None  # "until reply": the reply waits on the customer
    priority: str | None = None
    fill: Texts = field(default_factory=dict)  # what agents sometimes type at the cursor
    gesture: str | None = None  # refund of the item, the dish or the order; or a voucher
    owner: int | None = None  # index into catalog.AGENTS; None: shared
    order: tuple[dict[str, str], ...] = ()  # order actions run with the reply (see orders.py)
    title_fr: str | None = None

    def actions(self) -> list[dict[str, Any]]:
        """The macro's actions as the store keeps them."""
        found: list[dict[str, Any]] = []
        if self.tags:
            found.append({"field": "add_tags", "value": list(self.tags)})
        if self.priority:
            found.append({"field": "priority", "value": self.priority})
        if self.status:
            found.append({"field": "status", "value": self.status})
        if self.snooze:
            found.append({"field": "snooze", "value": self.snooze})
        if self.order:
            found.append({"field": "order", "value": [dict(a) for a in self.order]})
        return found


def compile_body(body: str) -> str:
    """A Liquid body as a ``str.format`` template over the slots of :data:`PLACEHOLDERS`."""
    if "{" in body.replace("{{", "").replace("{%", "") or "}" in body.replace("}}", "").replace(
        "%}", ""
    ):
        raise ValueError("a macro body may only use the known placeholders")
    text = body
    for liquid, slot in PLACEHOLDERS.items():
        text = text.replace(liquid, "\0" + slot + "\1")
    if "{{" in text or "{%" in text:
        raise ValueError(f"unknown placeholder in macro body: {body[:60]!r}")
    return text.replace("\0", "{").replace("\1", "}")


def render(template: str, slots: dict[str, str]) -> str:
    """A compiled body with its slots filled in (French articles contracted)."""
    return fill(template, slots)
