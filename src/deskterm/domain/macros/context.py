"""The values a macro can show, built from the domain model and written the customer's way.

Dates, money, lists and order statuses are formatted for the customer's language: English
by default, French for ``fr``. The tables are small on purpose (no locale database): add a
language by adding one ``_Locale``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from deskterm.domain.fuzzy import fold
from deskterm.domain.models import Agent, Conversation, Customer, Order, OrderItem
from deskterm.domain.problems import Problem


@dataclass(frozen=True)
class _Locale:
    days: tuple[str, ...]  # Monday first
    months: tuple[str, ...]
    conjunction: str
    decimal: str
    group: str
    symbol_after: bool  # "41,50 €" rather than "€41.50"
    statuses: dict[str, str]
    channels: dict[str, str]


_EN = _Locale(
    days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    conjunction="and",
    decimal=".",
    group=",",
    symbol_after=False,
    statuses={
        "placed": "placed",
        "preparing": "being prepared",
        "out_for_delivery": "out for delivery",
        "delivered": "delivered",
        "cancelled": "cancelled",
        "refunded": "refunded",
    },
    channels={
        "email": "email",
        "chat": "chat",
        "whatsapp": "WhatsApp",
        "social": "social media",
        "form": "contact form",
        "phone": "phone",
    },
)

_FR = _Locale(
    days=("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    months=(
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
    conjunction="et",
    decimal=",",
    group=" ",
    symbol_after=True,
    statuses={
        "placed": "enregistrée",
        "preparing": "en préparation",
        "out_for_delivery": "en cours de livraison",
        "delivered": "livrée",
        "cancelled": "annulée",
        "refunded": "remboursée",
    },
    channels={
        "email": "e-mail",
        "chat": "chat",
        "whatsapp": "WhatsApp",
        "social": "réseaux sociaux",
        "form": "formulaire de contact",
        "phone": "téléphone",
    },
)

_LOCALES = {"en": _EN, "fr": _FR}
#: A subscription's state, said the customer's way.
_SUBSCRIPTION = {
    "en": {"active": "active", "paused": "paused", "none": "none"},
    "fr": {"active": "actif", "paused": "en pause", "none": "aucun"},
}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def language_code(language: str) -> str:
    """The primary language of a tag: ``fr-FR``, ``fr_FR`` and ``FR`` all give ``fr``."""
    return language.strip().replace("_", "-").split("-")[0].lower()


def _locale(language: str) -> _Locale:
    return _LOCALES.get(language_code(language), _EN)


def join_names(names: list[str], language: str = "en") -> str:
    """ "bread, tarama and hummus" (English), "pain, tarama et houmous" (French)."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_locale(language).conjunction} {names[-1]}"


def format_money(cents: int, currency: str, language: str = "en") -> str:
    """ "€41.50" in English, "41,50 €" in French; unknown currencies show their code."""
    loc = _locale(language)
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", loc.group)
    amount = f"{grouped}{loc.decimal}{rest:02d}"
    code = currency.upper()
    symbol = _SYMBOLS.get(code)
    if loc.symbol_after:
        return f"{sign}{amount} {symbol or code}"
    if symbol:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{code} {amount}"


def _zone(tz: str) -> tzinfo:
    # A mistyped zone in the settings should not stop every macro from rendering.
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_date(moment: datetime, tz: str = "UTC", language: str = "en") -> str:
    """ "Tue 24 Nov" in English, "mar. 24 nov." in French, in the given time zone."""
    loc = _locale(language)
    local = moment.astimezone(_zone(tz))
    return f"{loc.days[local.weekday()]} {local.day} {loc.months[local.month - 1]}"


def format_slot(
    start: datetime, end: datetime | None, tz: str = "UTC", language: str = "en"
) -> str:
    """ "Tue 24 Nov 12:00–13:00"; a slot that ends on another day shows both days."""
    zone = _zone(tz)
    local_start = start.astimezone(zone)
    head = f"{format_date(start, tz, language)} {local_start:%H:%M}"
    if end is None:
        return head
    local_end = end.astimezone(zone)
    if local_end.date() == local_start.date():
        return f"{head}–{local_end:%H:%M}"
    return f"{head} – {format_date(end, tz, language)} {local_end:%H:%M}"


def _person(first_name: str, name: str) -> dict[str, Any]:
    return {"first_name": first_name or None, "name": name or None}


def build_context(
    *,
    customer: Customer | None,
    agent: Agent | None,
    conversation: Conversation | None,
    order: Order | None,
    orders_count: int = 0,
    tz: str = "UTC",
    problem: Problem | None = None,
    said: str = "",
    subscription: str | None = None,
    eta: datetime | None = None,
) -> dict[str, Any]:
    """The variables a macro body can use (see :mod:`deskterm.domain.macros` for the table).

    ``said`` is what the customer wrote last: the order's items it names are
    ``order.named_items``. ``subscription`` (active, paused, none) and ``eta`` (when the
    order should arrive) are the shop's, when the customer pane has read them. Anything not
    known is left out or None, so the rendered text shows a marker for it.
    """
    language = language_code(customer.language) if customer else "en"
    loc = _locale(language)
    ctx: dict[str, Any] = {}
    if customer is not None:
        ctx["customer"] = {
            **_person(customer.first_name, customer.name),
            "language": language,
            "email": customer.email,
            "vip": customer.vip,
            "orders_count": orders_count,
            "subscription": _SUBSCRIPTION.get(language, _SUBSCRIPTION["en"]).get(
                subscription or ""
            ),
        }
        ctx.setdefault("ticket", {})["requester"] = _person(customer.first_name, customer.name)
    if agent is not None:
        ctx["agent"] = _person(agent.first_name, agent.name)
        ctx["current_user"] = _person(agent.first_name, agent.name)
    if conversation is not None:
        # The reference the customer knows: the helpdesk's own id when the conversation
        # is mirrored from one, else deskterm's.
        reference = conversation.external_id or str(conversation.id)
        ctx["conversation"] = {
            "id": reference,
            "subject": conversation.subject or None,
            "channel": loc.channels.get(conversation.channel.value, conversation.channel.value),
        }
        ctx.setdefault("ticket", {})["id"] = reference
    if order is not None:
        ctx["order"] = _order(order, tz, language, said)
        ctx["order"]["eta"] = f"{eta.astimezone(_zone(tz)):%H:%M}" if eta else None
    if problem is not None:
        # Told to a customer: the title as the team wrote it, never the tracker's link.
        ctx["problem"] = {"title": problem.title or None, "status": problem.status.label}
    return ctx


#: Words of an item's name too common to say which item the customer means.
_COMMON = frozenset(
    {"avec", "sans", "sauce", "maison", "petit", "petite", "grand", "grande", "with", "fresh"}
)
_WORD = re.compile(r"\w{4,}")


def named_items(items: list[OrderItem], said: str) -> list[OrderItem]:
    """The items the customer names in ``said``: an item whose name has a word (four
    letters or more, not a common one) that the customer wrote, accents and case aside."""
    words = set(_WORD.findall(fold(said)))
    return [
        i
        for i in items
        if any(w in words and w not in _COMMON for w in _WORD.findall(fold(i.name)))
    ]


def _order(order: Order, tz: str, language: str, said: str = "") -> dict[str, Any]:
    loc = _locale(language)
    start, end = order.delivery_slot_start, order.delivery_slot_end
    named = named_items(order.items, said) if said else []
    named_cents = sum(i.unit_price_cents * i.quantity for i in named)
    return {
        "named_items": join_names([i.name for i in named], language) or None,
        "named_items_total": format_money(named_cents, order.currency, language) if named else None,
        "number": order.number or None,
        "items": [{"name": i.name, "quantity": i.quantity} for i in order.items],
        "item_names": join_names([i.name for i in order.items], language) or None,
        "delivery_slot": format_slot(start, end, tz, language) if start else None,
        "delivery_date": format_date(start, tz, language) if start else None,
        "total": format_money(order.total_cents, order.currency, language),
        "status": loc.statuses.get(order.status.value, order.status.value),
    }
