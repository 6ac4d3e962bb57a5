"""Putting words together as a person would: French articles contracted where a dish name
meets "à" or "de" ("au pad thaï", "du tajine", "d'eau"), and greetings and farewells that fit
the shop's local hour (no "Bonsoir" at 11:02, no "have a good evening" at breakfast)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

#: "à" or "de" right before a slot: the only places an article may need contracting.
_BEFORE_SLOT = re.compile(r"(?<![\w'’])([àÀ]|[dD]e) \{(\w+)\}")
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"
#: (preposition, article) -> contracted form, for "à"/"de" followed by "le"/"les".
_CONTRACTED = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}


def contract(preposition: str, words: str) -> str:
    """``preposition`` ("à", "de", capitalised or not) followed by ``words``, as French
    writes them: "à le pad thaï" -> "au pad thaï", "de les quenelles" -> "des quenelles",
    "de Eau pétillante" -> "d'Eau pétillante"; anything else is left as it is."""
    low = preposition.lower()
    article, _, rest = words.partition(" ")
    joined = _CONTRACTED.get((low, article.lower())) if rest else None
    if joined is not None:
        if preposition[:1].isupper():
            joined = joined.capitalize()
        return f"{joined} {rest}"
    if low == "de" and words[:1].lower() in _VOWELS:
        return f"{preposition[0]}'{words}"
    return f"{preposition} {words}"


def fill(template: str, slots: Mapping[str, Any]) -> str:
    """``template.format_map(slots)``, with French articles contracted where a slot follows
    "à" or "de" (English templates have neither before a slot)."""

    if not _has_slot_after_preposition(template):
        return template.format_map(slots)

    def contracted(match: re.Match[str]) -> str:
        value = slots.get(match.group(2))
        if not isinstance(value, str) or not value:
            return match.group(0)
        return contract(match.group(1), value).replace("{", "{{").replace("}", "}}")

    return _BEFORE_SLOT.sub(contracted, template).format_map(slots)


@cache
def _has_slot_after_preposition(template: str) -> bool:
    return _BEFORE_SLOT.search(template) is not None


#: From this local hour on (until EARLY), it is evening: "Bonsoir", "bonne soirée".
EVENING = 18
#: Before this local hour it is still night: the evening's words still fit.
EARLY = 5

_DAY_WORDS = (
    (re.compile(r"\bBonsoir\b"), "Bonjour"),
    (re.compile(r"\bbonsoir\b"), "bonjour"),
    (re.compile(r"\b([Bb])onne soirée\b"), r"\1onne journée"),
    (re.compile(r"\b([Hh])ave a (good|nice|lovely) evening\b"), r"\1ave a \2 day"),
    (re.compile(r"\b([Gg])ood evening\b"), r"\1ood afternoon"),
)
_EVENING_WORDS = (
    (re.compile(r"\b([Bb])onne journée\b"), r"\1onne soirée"),
    (re.compile(r"\b([Hh])ave a (good|nice|lovely) day\b"), r"\1ave a \2 evening"),
    (re.compile(r"\b([Gg])ood morning\b"), r"\1ood evening"),
)

#: Substrings without which the patterns above cannot match (a cheap first look).
_DAY_HINTS = ("onsoir", "soirée", "evening")
_EVENING_HINTS = ("journée", " day", "morning")


def is_evening(local_hour: float) -> bool:
    """Whether ``local_hour`` (0-24) is evening or night, when "Bonsoir" fits."""
    return local_hour >= EVENING or local_hour < EARLY


def fit_to_hour(text: str, local_hour: float) -> str:
    """``text`` with its greetings and farewells fitting the local hour: "Bonsoir" becomes
    "Bonjour" in the day, "bonne journée" becomes "bonne soirée" in the evening."""
    evening = is_evening(local_hour)
    hints = _EVENING_HINTS if evening else _DAY_HINTS
    if not any(hint in text for hint in hints):  # most messages: nothing to look at
        return text
    for pattern, replacement in _EVENING_WORDS if evening else _DAY_WORDS:
        text = pattern.sub(replacement, text)
    return text
