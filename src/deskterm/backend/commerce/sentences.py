"""What to tell the customer after an action, in their language (French or English).

Pure: the caller passes "now" and the time zone; customer-supplied item names are made inert
(no escape codes, one line) before they go into a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskterm.backend.commerce.base import Slot
from deskterm.backend.commerce.policy import format_money
from deskterm.domain.safety import one_line

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


def language_of(code: str | None) -> str:
    """``fr`` for French-speaking customers, ``en`` for everyone else."""
    return "fr" if (code or "").lower().startswith("fr") else "en"


def clock_time(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """``13:00`` in English, ``13h00`` in French."""
    local = moment.astimezone(tz)
    return f"{local:%H}h{local:%M}" if language == "fr" else f"{local:%H:%M}"


def day_phrase(moment: datetime, now: datetime, tz: ZoneInfo, language: str) -> str:
    """ "" for today, "tomorrow", "on Thursday" within a week, else "on 3 December"."""
    day = moment.astimezone(tz).date()
    today = now.astimezone(tz).date()
    if day == today:
        return ""
    if day == today + timedelta(days=1):
        return "demain" if language == "fr" else "tomorrow"
    if today < day < today + timedelta(days=7):
        name = WEEKDAYS[language][day.weekday()]
        return name if language == "fr" else f"on {name}"
    month = MONTHS[language][day.month - 1]
    return f"le {day.day} {month}" if language == "fr" else f"on {day.day} {month}"


def _with_day(day: str, rest: str) -> str:
    return f"{day} {rest}" if day else rest


def item_list(items: Sequence[tuple[str, int]], language: str) -> str:
    """``Tarama, 2 × Bread and Tiramisu`` (``et`` in French)."""
    names = [
        (f"{qty} × " if qty > 1 else "") + one_line(name, 60) for name, qty in items if qty > 0
    ]
    if len(names) <= 1:
        return "".join(names)
    joiner = " et " if language == "fr" else " and "
    return ", ".join(names[:-1]) + joiner + names[-1]


def resend_sentence(
    items: Sequence[tuple[str, int]],
    slot: Slot | None,
    *,
    language: str,
    tz: ZoneInfo,
    now: datetime,
) -> str:
    """ "We have sent your bread again, it will arrive before 13:00." and its French."""
    single = len(items) == 1 and items[0][1] == 1
    listed = item_list(items, language)
    if language == "fr":
        what = f"votre {listed}" if single else f"vos articles ({listed})"
        sentence = f"Nous vous renvoyons {what}"
        if slot is None:
            return sentence + "."
        when = _with_day(
            day_phrase(slot.end, now, tz, language), f"avant {clock_time(slot.end, tz, language)}"
        )
        # "livraison prévue" rather than "il/elle arrivera": an item's gender is unknown.
        return f"{sentence}, livraison prévue {when}."
    what = f"your {listed}" if single else f"your items ({listed})"
    sentence = f"We have sent {what} again"
    if slot is None:
        return sentence + "."
    when = _with_day(
        day_phrase(slot.end, now, tz, language), f"before {clock_time(slot.end, tz, language)}"
    )
    return f"{sentence}, {'it' if single else 'they'} will arrive {when}."


def slot_sentence(slot: Slot, *, language: str, tz: ZoneInfo, now: datetime) -> str:
    """ "Your delivery is now planned between 19:00 and 20:00." and its French."""
    start, end = clock_time(slot.start, tz, language), clock_time(slot.end, tz, language)
    day = day_phrase(slot.start, now, tz, language)
    if language == "fr":
        return "Votre livraison est maintenant prévue " + _with_day(
            day or "aujourd'hui", f"entre {start} et {end}."
        )
    return "Your delivery is now planned " + _with_day(
        day or "for today", f"between {start} and {end}."
    )


def goodwill_sentence(amount_cents: int, currency: str, kind: str, *, language: str) -> str:
    """A credit or a refund, said to the customer."""
    amount = format_money(amount_cents, currency, language=language)
    if language == "fr":
        if kind == "refund":
            return (
                f"Nous vous avons remboursé {amount} ; le remboursement apparaîtra sur votre "
                "compte sous 3 à 5 jours."
            )
        return f"Nous avons ajouté {amount} à votre compte en geste commercial."
    if kind == "refund":
        return f"We have refunded {amount}; it will reach your account within 3 to 5 days."
    return f"We have added {amount} to your account as a goodwill gesture."


def refund_sentence(
    items: Sequence[tuple[str, int]], amount_cents: int, currency: str, *, language: str
) -> str:
    """ "We have refunded €12.50 for your Pad thaï; …" and its French: what was paid back,
    for which items, and when the customer sees it."""
    single = len(items) == 1 and items[0][1] == 1
    listed = item_list(items, language)
    amount = format_money(amount_cents, currency, language=language)
    if language == "fr":
        what = f"votre {listed}" if single else f"vos articles ({listed})"
        return (
            f"Nous vous avons remboursé {amount} pour {what} ; le remboursement apparaîtra "
            "sur votre compte sous 3 à 5 jours."
        )
    what = f"your {listed}" if single else f"your items ({listed})"
    return f"We have refunded {amount} for {what}; it will reach your account within 3 to 5 days."


def cancel_sentence(order_number: str, *, language: str) -> str:
    number = one_line(order_number, 40)
    if language == "fr":
        return f"Nous avons annulé votre commande {number}."
    return f"We have cancelled your order {number}."


def pause_sentence(*, language: str) -> str:
    """The subscription is paused, said to the customer."""
    if language == "fr":
        return (
            "Nous avons mis votre abonnement en pause : plus aucune livraison "
            "jusqu'à ce que vous le repreniez."
        )
    return "We have paused your subscription: no more deliveries until you resume it."


def resume_sentence(
    next_delivery: datetime | None, *, language: str, tz: ZoneInfo, now: datetime
) -> str:
    """The subscription is running again, with the day of its next box when known."""
    if next_delivery is None:
        if language == "fr":
            return "Nous avons repris votre abonnement."
        return "We have resumed your subscription."
    day = day_phrase(next_delivery, now, tz, language)
    at = clock_time(next_delivery, tz, language)
    if language == "fr":
        when = _with_day(day or "aujourd'hui", f"à {at}")
        return f"Nous avons repris votre abonnement : votre prochaine livraison est prévue {when}."
    when = _with_day(day or "today", f"at {at}")
    return f"We have resumed your subscription: your next delivery is {when}."


def address_sentence(order_number: str, address: str, *, language: str) -> str:
    """The order goes to its new address (typed by the agent: made inert, one line)."""
    number, where = one_line(order_number, 40), one_line(address, 160)
    if language == "fr":
        return f"Nous avons modifié l'adresse de livraison de votre commande {number} : {where}."
    return f"We have changed the delivery address of your order {number} to {where}."


def approval_sentence(amount_cents: int, currency: str, *, language: str) -> str:
    """Said while a lead looks at a gesture above the agent's limit."""
    amount = format_money(amount_cents, currency, language=language)
    if language == "fr":
        return (
            f"J'ai demandé à mon responsable de valider un geste de {amount} pour vous ; "
            "je reviens vers vous très vite."
        )
    return (
        f"I have asked my team lead to approve a gesture of {amount} for you; "
        "I will get back to you very soon."
    )
