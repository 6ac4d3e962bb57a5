"""Which order a customer means by the dish they name: "la boîte de Pad thaï", "the pad
thai", "mes pad thaïs".

A name is found when its words follow one another in what the customer wrote, compared
blind to accents and case, with the little words around a dish left out (articles,
possessives, "de", "of") and each word taken without a plural ending, so "la boîte de Pad
thaï" names "Pad thaï" and "two tiramisus" names "Tiramisu". Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from deskterm.domain.fuzzy import fold
from deskterm.domain.models import Order

#: Words that never tell one dish from another (French and English articles, possessives,
#: prepositions, "and"): left out of names and of what the customer wrote alike.
LITTLE_WORDS = frozenset(
    {
        # French
        "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "a",
        "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre",
        "vos", "ce", "cet", "cette", "ces", "et", "en",
        # English
        "the", "an", "of", "my", "your", "our", "his", "her", "their", "this", "that",
        "these", "those", "some", "and",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+")


def _singular(word: str) -> str:
    """The word without a plural ending (``thais`` → ``thai``, ``gateaux`` → ``gateau``);
    short words and ``-ss`` words are left alone."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """The words that can name a dish in ``text``: folded, little words left out, singular."""
    return tuple(_singular(w) for w in _WORD.findall(fold(text)) if w not in LITTLE_WORDS)


def _holds(said: Sequence[str], name: Sequence[str]) -> bool:
    n = len(name)
    return n > 0 and any(tuple(said[i : i + n]) == tuple(name) for i in range(len(said) - n + 1))


def names(item_name: str, text: str) -> bool:
    """True when ``text`` names the item ``item_name`` (its words, in order, together)."""
    return _holds(words(text), words(item_name))


def named_order(orders: Sequence[Order], said: Iterable[str]) -> int | None:
    """The index in ``orders`` (newest first) of the order the customer means by the dishes
    they name, from their messages ``said`` newest first; None when no message names one.

    The newest message that names a dish of these orders decides: the newest order that
    holds every dish it names. When no order holds them all (the pad thaï of one order and
    the nems of another), it is ambiguous: None. Follow-up orders (items sent again) are
    left out: a customer names what they ordered.
    """
    ordered = [(i, o) for i, o in enumerate(orders) if o.parent_order_id is None]
    dishes = {words(item.name) for _, o in ordered for item in o.items} - {()}
    for text in said:
        written = words(text)
        named = {d for d in dishes if _holds(written, d)}
        # "Pad thaï" inside "Pad thaï crevettes": the longer name is the one meant.
        named = {d for d in named if not any(len(o) > len(d) and _holds(o, d) for o in named)}
        if not named:
            continue
        for i, order in ordered:
            if named <= {words(item.name) for item in order.items}:
                return i
        return None
    return None
