"""What a reason to contact support is made of: its texts per language and its macros.

Templates are ``str.format`` strings; the slots they may use are listed in :data:`SLOTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every slot a template may use (the generator fills all of them for every conversation).
SLOTS = (
    "first_name", "full_name", "agent", "order", "item_ref", "Item_ref", "item_name", "dish_ref",
    "Dish_ref", "dish_name", "wrong_ref", "wrong_name", "slot", "new_slot", "time", "minutes",
    "amount", "code", "number", "street", "city", "device", "version", "day", "allergen",
    "allergen_des", "allergen_aux", "ticket",
)  # fmt: skip

Texts = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Situation:
    """One reason to contact support, with its texts in French and English."""

    key: str
    tag: str  # the reason tag agents put on the conversation
    weight: float  # how common it is, relative to the others
    phase: str | None  # the order it is about: "after"/"during"/"before" delivery, or None
    subjects: Texts
    first: Texts  # the customer's first message
    replies: Texts  # what an agent writes without a macro (greeting and signature added)
    notes: Texts  # internal notes, in the language the agent writes notes in
    macros: tuple[str, ...]  # keys of the macros that answer it
    priority: str = "normal"
    photo: bool = False  # customers often attach a photo
