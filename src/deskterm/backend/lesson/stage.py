"""The lesson's own small helpdesk: the demo's customers, orders, macros and history, and an
inbox of four conversations, each the occasion of one step of the lesson."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deskterm.backend.store import Store
from deskterm.domain.models import Channel, Status

#: The same lesson every time: the demo built from this seed, then four conversations.
SEED = 5
HISTORY = 40


@dataclass(frozen=True)
class Targets:
    """The lesson's conversations: ``promo`` (answered with a suggested macro), ``missing``
    (an item to send again: ``item``), ``photo`` (snoozed until the customer answers) and
    ``thanks`` (answered and closed, then reopened by undo); with their customers' names."""

    promo: int
    missing: int
    photo: int
    thanks: int
    item: str
    names: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Targets:
        data = json.loads(text)
        return cls(**data)


_TEXTS = {
    "promo": {
        "fr": ("Où mettre le code promo ?", "Bonjour, où faut-il saisir le code promo "
               "BIENVENUE10 ? Je ne trouve pas le champ sur la page de paiement."),
        "en": ("Where does the promo code go?", "Hi, where do I enter the promo code "
               "WELCOME10? I can't find the field on the payment page."),
    },
    "missing": {
        "fr": ("Article manquant", "Bonjour, il manque {item} dans ma commande {order}. "
               "Vous pouvez me le renvoyer ?"),
        "en": ("Missing item", "Hi, {item} is missing from my order {order}. "
               "Can you send it again?"),
    },
    "photo": {
        "fr": ("Plat abîmé", "Le couvercle de ma boîte était ouvert à la livraison. "
               "Je vous envoie une photo ce soir en rentrant."),
        "en": ("Damaged dish", "The lid of my box was open when it arrived. "
               "I'll send you a photo tonight when I get home."),
    },
    "thanks": {
        "fr": ("Merci !", "Merci beaucoup pour le geste de la semaine dernière, "
               "c'était parfait."),
        "en": ("Thank you!", "Thanks a lot for last week's gesture, it was perfect."),
    },
}  # fmt: skip

#: Channel and minutes since the customer wrote: the promo is the most urgent.
_ARRIVALS = {
    "promo": (Channel.WHATSAPP, 20),
    "missing": (Channel.CHAT, 14),
    "photo": (Channel.EMAIL, 50),
    "thanks": (Channel.EMAIL, 30),
}


def build(path: Path, *, now: datetime | None = None) -> Targets:
    """Write the lesson's helpdesk to ``path`` (an empty or missing store file)."""
    from deskterm.backend.demo import generate_demo

    when = now or datetime.now(UTC)
    generate_demo(path, conversations=HISTORY, seed=SEED, now=when)
    store = Store(path)
    try:
        return stage(store, when)
    finally:
        store.close()


def stage(store: Store, now: datetime) -> Targets:
    """Close what the demo left open, then write the four lesson conversations."""
    agent = min(store.agents(), key=lambda a: a.id)
    still_open = store.conn.execute(
        "SELECT id FROM conversations WHERE status != 'done' ORDER BY id"
    ).fetchall()
    for (cid,) in still_open:
        store.set_status(cid, Status.DONE, agent_id=agent.id, undo_group=None)
    with store.transaction() as c:
        c.execute("UPDATE conversations SET unread = 0")
    picked = _customers(store)
    ids: dict[str, int] = {}
    names: dict[str, str] = {}
    item = ""
    for role, (customer_id, order_id) in picked.items():
        customer = store.customer(customer_id)
        assert customer is not None
        language = "fr" if customer.language == "fr" else "en"
        subject, body = _TEXTS[role][language]
        if role == "missing":
            order = store.order(order_id)
            assert order is not None and order.items
            item = order.items[-1].name
            body = body.format(item=item, order=order.number)
        channel, minutes = _ARRIVALS[role]
        ids[role] = store.open_conversation(
            customer_id, channel, subject, body, created_at=now - timedelta(minutes=minutes)
        )
        names[role] = customer.name
    return Targets(**ids, item=item, names=names)


def _customers(store: Store) -> dict[str, tuple[int, int]]:
    """Four different customers with a delivered order of several items (the missing item's
    customer needs one; the others' orders make the customer pane worth reading)."""
    found = store.conn.execute(
        "SELECT o.customer_id, max(o.id) FROM orders o "
        "WHERE o.status = 'delivered' AND (SELECT count(*) FROM order_items i "
        "WHERE i.order_id = o.id) >= 2 GROUP BY o.customer_id ORDER BY o.customer_id LIMIT 4"
    ).fetchall()
    if len(found) < 4:
        raise RuntimeError("the lesson's demo has too few customers with orders")
    roles = ("promo", "missing", "photo", "thanks")
    return {role: (int(row[0]), int(row[1])) for role, row in zip(roles, found, strict=True)}
