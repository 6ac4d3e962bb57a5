"""Does a macro do what its text says? A small claim detector, in English and French.

A reply that says "I've refunded order PO-1" or « je vous ai ajouté un bon de 5 € » tells the
customer something was done; the macro should carry the order action that does it.
:func:`claims_in` finds such claims, sentence by sentence: a completed or promised action
(a participle, a first-person verb), not a question, not a condition, not negated ("I can't
cancel it any more", « je ne peux plus la décaler »), and not a request handed on ("I've
passed your refund request to billing").

========  =============================================================================
claim     words it looks for
========  =============================================================================
refund    refund, refunded; rembourser, remboursé, remboursement
credit    voucher, credit, discount applied; bon d'achat, bon de 5 €, avoir, réduction
resend    resend, sending it again / with your next delivery; renvoyer, réexpédier
cancel    cancel, cancelled; annuler, annulée
slot      moved the delivery, changed the slot; créneau déplacé, livraison décalée
address   updated the address; adresse modifiée
========  =============================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from deskterm.domain.macros.orders import order_claims

CLAIMS = ("refund", "credit", "resend", "cancel", "slot", "address")

_WORDS = r"[^.!?;:\n]{0,40}?"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


#: Forms that say the action is done or under way by themselves.
_DONE: dict[str, re.Pattern[str]] = {
    "refund": _any(
        r"\brefund(?:ed|ing)\b",
        r"\brembours(?:é|ée|és|ées|ons|erons|erai)\b",
        r"\bprocédé au remboursement\b",
        r"\b(?:effectué|fait|lancé|validé) (?:le|un|votre) remboursement\b",
    ),
    "credit": _any(
        r"\bcredited\b",
        rf"\b(?:added|given|sent|applied|issued|offered)\b{_WORDS}"
        r"\b(?:voucher|credit|discount|gift card)\b",
        r"\bcrédité(?:e|s|es)?\b",
        rf"\b(?:ajouté|offert|accordé|appliqué|envoyé)\w*{_WORDS}"
        r"\b(?:bon d'achat|bon de|avoir|réduction|geste commercial)",
    ),
    "resend": _any(
        r"\bresen(?:t|ding)\b",
        rf"\b(?:sending|sent|shipping|shipped)\b{_WORDS}"
        r"\b(?:again|with your next (?:delivery|order))\b",
        r"\bfree with your next (?:delivery|order)\b",
        r"\brenvo(?:y|i)\w*",
        r"\brenverr\w*",
        r"\bréexpédi\w*",
        r"\bgratuitement avec (?:votre|la) prochaine (?:livraison|commande)\b",
    ),
    "cancel": _any(r"\bcancell?(?:ed|ing)\b", r"\bannul(?:é|ée|és|ées|ons|erai|erons)\b"),
    "slot": _any(
        rf"\b(?:moved|changed|rescheduled|updated|switched)\b{_WORDS}\b(?:slot|delivery time)\b",
        rf"\bmoved\b{_WORDS}\bdelivery\b",
        r"\bwill now be delivered\b",
        rf"\b(?:déplacé|décalé|modifié|changé|avancé|reporté)\w*{_WORDS}\bcréneau\b",
        rf"\b(?:déplacé|décalé|avancé|reporté)\w*{_WORDS}\blivraison\b",
        r"\bsera (?:désormais |maintenant )livrée\b",
    ),
    "address": _any(
        rf"\b(?:updated|changed|corrected|modified|fixed|amended)\b{_WORDS}\baddress\b",
        rf"\b(?:modifié|changé|corrigé|mis à jour|rectifié)\w*{_WORDS}\badresse\b",
    ),
}

#: Forms that are a claim only when the agent ("I", "we", « je », « nous ») says it.
_SAID: dict[str, re.Pattern[str]] = {
    "refund": _any(
        r"\brefund\b(?! request| team| policy)",
        r"\brembourser\b",
        r"(?<!demande de )\bremboursement\b(?! de votre demande)",
    ),
    "credit": _any(
        r"\bvoucher\b",
        r"\bcredit\b(?! card)",
        r"\bbon (?:d'achat|de réduction|de \d)",
        r"\b(?:un|votre|d'un|cet) avoir\b",
    ),
    "resend": _any(r"\bresend\b", r"\brenvoyer\b"),
    "cancel": _any(r"\bcancel\b", r"\bannuler\b"),
}

_FIRST_PERSON = re.compile(
    r"\bI\b|(?i:\bwe\b|\bj'|\bje\b|\bnous\b|\bon (?:vous |l'|le |la |les )?a\b)"
)
_NEGATION = re.compile(
    r"(?i:\b(?:can't|cannot|can not|couldn't|won't|wouldn't|unable|not|no longer|never|"
    r"don't|didn't|haven't|hasn't|isn't|aren't)\b|\bne\b|\bn'|\bimpossible\b|\bjamais\b|\bpas\b)"
)
_CONDITION = re.compile(r"^(?i:if|si|s'il|once|when|quand|lorsque|dès que)\b")
_CLAUSE = re.compile(r"[^.!?;:\n]+[.!?;:]?")
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
#: How far before a claim a negation still negates it ("I can't cancel it").
_NEGATION_REACH = 40


def _clauses(text: str) -> Iterable[str]:
    plain = _LIQUID.sub(" X ", text.replace("\u2019", "'"))
    for match in _CLAUSE.finditer(plain):
        clause = match.group().strip()
        if clause and not clause.endswith("?") and not _CONDITION.match(clause):
            yield clause


def _negated(clause: str, at: int) -> bool:
    return _NEGATION.search(clause, max(0, at - _NEGATION_REACH), at) is not None


def _claims(clause: str, claim: str) -> bool:
    for match in _DONE[claim].finditer(clause):
        if not _negated(clause, match.start()):
            return True
    said = _SAID.get(claim)
    if said is None:
        return False
    for match in said.finditer(clause):
        person = _FIRST_PERSON.search(clause, 0, match.start())
        if person is not None and not _negated(clause, match.start()):
            return True
    return False


def claims_in(text: str) -> list[str]:
    """The actions ``text`` says were done (or are being done), in :data:`CLAIMS` order."""
    found: set[str] = set()
    for clause in _clauses(text):
        found.update(c for c in CLAIMS if c not in found and _claims(clause, c))
    return [c for c in CLAIMS if c in found]


def unkept_claims(texts: Iterable[str], orders: Iterable[dict[str, Any]]) -> str | None:
    """One line when the texts (a macro's bodies) claim an action its order actions do not
    carry: "claims refund, carries none"; None when every claim is kept."""
    carried = list(orders)
    kept = {c for action in carried for c in order_claims(action)}
    claimed: list[str] = []
    for text in texts:
        claimed += [c for c in claims_in(text) if c not in claimed]
    unkept = [c for c in CLAIMS if c in claimed and c not in kept]
    if not unkept:
        return None
    has = ", ".join(
        dict.fromkeys(str(a.get("do")) + (f" ({a['as']})" if "as" in a else "") for a in carried)
    )
    has = has or "none"
    return f"claims {' and '.join(unkept)}, carries {has}"
