"""Which order a customer means by the dish they name: "la boîte de Pad thaï", "the pad
thai", "mes pad thaïs".

A name is found when its words follow one another in what the customer wrote, compared
blind to accents and case, with the little words around a dish left out (articles,
possessives, "de", "of") and each word taken without a plural ending, so "la boîte de Pad
thaï" names "Pad thaï" and "two tiramisus" names "Tiramisu". Customers shorten names to
their first words ("le pad thaï" for "Pad thaï aux crevettes", "le saumon" for "Saumon et
riz noir"): those name the dish too, when they tell it apart. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

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
#: How old an order may be, when the customer writes, to be the one a dish names: a dish
#: of an order of three weeks ago ("the salade César instead of the dahl") is not it.
RECENT = timedelta(days=3)


def _singular(word: str) -> str:
    """The word without a plural ending (``thais`` → ``thai``, ``gateaux`` → ``gateau``);
    short words and ``-ss`` words are left alone."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """The words that can name a dish in ``text``: folded, little words left out, singular."""
    return tuple(_singular(w) for w in _WORD.findall(fold(text)) if w not in LITTLE_WORDS)


Dish = tuple[str, ...]


def _find(said: Sequence[str], run: Dish) -> int | None:
    """Where the words ``run`` follow one another in ``said``, or None."""
    n = len(run)
    for i in range(len(said) - n + 1):
        if tuple(said[i : i + n]) == run:
            return i
    return None


def _named_by(said: Sequence[str], dish: Dish) -> tuple[int, int, bool] | None:
    """Where ``said`` names ``dish``: its whole name, else its longest leading words that
    still tell it apart ("le pad thaï" for "Pad thaï aux crevettes", "le saumon" for
    "Saumon et riz noir"); (start, end, whole) or None."""
    for n in range(len(dish), 0, -1):
        head = dish[:n]
        if n < len(dish) and max(len(w) for w in head) < 4:
            break  # "eau" alone does not name "Eau pétillante"
        at = _find(said, head)
        if at is not None:
            return at, at + n, n == len(dish)
    return None


def mentions(text: str, dishes: Iterable[Dish]) -> list[frozenset[Dish]]:
    """The dishes ``text`` names, one set per place it names one: the dishes it may mean
    there. Where names overlap the longest wins, a whole name before leading words ("le
    pad thaï" is "Pad thaï" rather than "Pad thaï aux crevettes" when both exist); a tie
    keeps each ("le pain": "Pain de campagne" or "Pain complet")."""
    said = words(text)
    found = sorted(
        (where[0], where[1], where[2], d)
        for d in set(dishes)
        if d and (where := _named_by(said, d)) is not None
    )
    places: list[list[tuple[int, int, bool, Dish]]] = []
    for hit in found:
        if places and hit[0] < max(h[1] for h in places[-1]):
            places[-1].append(hit)
        else:
            places.append([hit])
    named = []
    for place in places:
        best = max((h[1] - h[0], h[2]) for h in place)
        named.append(frozenset(h[3] for h in place if (h[1] - h[0], h[2]) == best))
    return named


def names(item_name: str, text: str) -> bool:
    """True when ``text`` names the item ``item_name`` (its words in order, together: all
    of them, or its leading ones when they tell it apart)."""
    dish = words(item_name)
    return bool(dish) and _named_by(words(text), dish) is not None


def named_order(
    orders: Sequence[Order], said: Iterable[tuple[str, datetime]], *, recent: timedelta = RECENT
) -> int | None:
    """The index in ``orders`` (newest first) of the order the customer means by the dishes
    they name, from their messages ``said`` (text, when written) newest first; None when no
    message names a dish of a recent order.

    The newest message that names a dish of an order placed at most ``recent`` before it
    decides: the newest such order that holds a dish for each place the message names one.
    When none holds them all (the pad thaï of one order and the nems of another), it is
    ambiguous: None. Follow-up orders (items sent again) are left out: a customer names
    what they ordered.
    """
    ordered = [(i, o) for i, o in enumerate(orders) if o.parent_order_id is None]
    for text, when in said:
        candidates = [(i, o) for i, o in ordered if o.placed_at >= when - recent]
        dishes = {words(item.name) for _, o in candidates for item in o.items}
        named = mentions(text, dishes)
        if not named:
            continue
        for i, order in candidates:
            held = {words(item.name) for item in order.items}
            if all(place & held for place in named):
                return i
        return None
    return None
