"""Building the real app, through the CLI's factory, on a small deterministic store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from deskterm.app import DeskApp, create_app
from deskterm.backend.store import Store
from deskterm.config import Settings
from deskterm.domain.models import AuthorKind, Channel, Handle, OrderStatus
from tests.conftest import T0, Clock

SIZE = (160, 45)


def quiet_settings(**overrides) -> Settings:
    """Settings for tests: no waiting on undo-send unless a test asks for it."""
    values = {"undo_send_seconds": 0, "timezone": "Europe/Paris"} | overrides
    return Settings(**values)


def build_small_desk(store: Store, clock: Clock) -> dict[str, int]:
    """Twelve conversations across channels, with orders, notes and a hostile customer."""
    from deskterm.domain.sla import DEFAULT_POLICIES

    store.set_sla_policies(DEFAULT_POLICIES)
    ids: dict[str, int] = {}
    group = store.add_group("Instant")
    ids["camille"] = store.add_agent("Camille Moreau", "camille@popote.example", group_id=group)
    ids["paul"] = store.add_agent("Paul Roux", "paul@popote.example", group_id=group)
    lea = store.add_customer(
        "Léa Martin",
        language="fr",
        vip=True,
        notes="Prefers WhatsApp. Allergic to nuts.",
        handles=[
            Handle(channel=Channel.WHATSAPP, value="+33611223344"),
            Handle(channel=Channel.EMAIL, value="lea.martin@example.com"),
        ],
        created_at=T0 - timedelta(days=400),
    )
    ids["lea"] = lea
    order_id = _order(
        store,
        lea,
        "PO-88213",
        T0 - timedelta(hours=2),
        [("Tarama", 1, 450), ("Pain de campagne", 2, 280), ("Tiramisu", 1, 550)],
    )
    ids["order"] = order_id
    _order(store, lea, "PO-87001", T0 - timedelta(days=9), [("Houmous", 1, 390)])
    clock.now = T0 - timedelta(minutes=50)
    # Léa has waited longest on an instant channel: the most urgent conversation.
    bread = store.open_conversation(
        lea,
        Channel.WHATSAPP,
        "Il manque le pain",
        "Bonjour, il manque le pain dans ma commande PO-88213 !",
    )
    ids["bread"] = bread
    store.add_message(
        bread,
        author_kind=AuthorKind.AGENT,
        author_id=ids["paul"],
        author_name="Paul Roux",
        public=False,
        body="Checked with the kitchen: the bread was out of stock at 11:00.",
    )
    people = [
        (
            "Paul Durand",
            "en",
            Channel.EMAIL,
            "Refund for my last order",
            "Hello, I was charged twice for order PO-1234. Can I get a refund?",
        ),
        (
            "Ana Souza",
            "en",
            Channel.CHAT,
            "Is the curry spicy?",
            "Hi! Is the chicken curry spicy? My kids don't like spicy food.",
        ),
        (
            "[bold red]Mallory[/]",
            "en",
            Channel.FORM,
            "\x1b]0;pwned\x07Title \x1b[2J",
            "Look: [link=https://evil.example]click[/link] \x1b[31mred\x1b[0m and \u202eevil",
        ),
        (
            "Hugo Petit",
            "fr",
            Channel.SOCIAL,
            "Livraison en retard",
            "Ma commande devait arriver à 12h, il est 12h40 et toujours rien.",
        ),
        (
            "Emma Leroy",
            "fr",
            Channel.EMAIL,
            "Code promo refusé",
            "Le code BIENVENUE10 ne fonctionne pas sur l'application.",
        ),
        (
            "Noah Bernard",
            "en",
            Channel.WHATSAPP,
            "Change delivery slot",
            "Can you deliver tomorrow between 19:00 and 20:00 instead?",
        ),
        (
            "Chloé Dubois",
            "fr",
            Channel.CHAT,
            "Compte bloqué",
            "Je n'arrive plus à me connecter à mon compte depuis ce matin.",
        ),
        (
            "Liam Moreau",
            "en",
            Channel.EMAIL,
            "Compliment",
            "The lasagna yesterday was the best I've had in years. Thank you!",
        ),
        (
            "Jade Laurent",
            "fr",
            Channel.FORM,
            "Allergènes",
            "Est-ce que le tiramisu contient des fruits à coque ?",
        ),
        (
            "Oscar Garcia",
            "en",
            Channel.PHONE,
            "Called about a wrong address",
            "Customer called: the driver went to the old address.",
        ),
    ]
    for name, lang, channel, subject, body in people:
        clock.advance(minutes=4)
        cust = store.add_customer(name, language=lang, created_at=T0 - timedelta(days=30))
        cid = store.open_conversation(cust, channel, subject, body)
        ids[name.split()[0].lower()] = cid
    old = store.open_conversation(
        lea, Channel.EMAIL, "Late delivery last week", "My order PO-87001 arrived 40 minutes late."
    )
    store.add_message(
        old,
        author_kind=AuthorKind.AGENT,
        author_id=ids["camille"],
        author_name="Camille Moreau",
        body="Sorry Léa, we refunded the delivery.",
        status_after=None,
    )
    store.set_status(old, "done", agent_id=ids["camille"])  # type: ignore[arg-type]
    store.set_tags(old, ["late-delivery"], agent_id=ids["camille"])
    ids["old"] = old
    store.set_tags(bread, ["missing-item"], agent_id=ids["paul"])
    ids["macro_missing"] = store.add_macro(
        "Missing item — resend",
        "Hello {{ customer.first_name }}, sorry! We are sending {{ order.item_names }} again "
        "with your order {{ order.number }}. {% cursor %}\n{{ agent.first_name }}",
        variants={
            "fr": "Bonjour {{ customer.first_name }}, désolés ! Nous vous renvoyons "
            "{{ order.item_names }} (commande {{ order.number }}). {% cursor %}\n"
            "{{ agent.first_name }}"
        },
        actions=[
            {"field": "add_tags", "value": ["missing-item", "resent"]},
            {"field": "status", "value": "done"},
        ],
    )
    ids["macro_photo"] = store.add_macro(
        "Ask for a photo",
        "Could you send us a photo of the damaged packaging, {{ customer.first_name }}?",
        actions=[{"field": "snooze", "value": "until reply"}],
    )
    ids["macro_tracking"] = store.add_macro(
        "Tracking link", "Your parcel: {{ order.tracking_url }} — {{ agent.first_name }}"
    )
    ids["macro_refund"] = store.add_macro(
        "Refund issued",
        "We refunded {{ order.total }} for order {{ order.number }}. It takes 3–5 days.",
        actions=[{"field": "add_tags", "value": ["refund"]}],
    )
    clock.now = T0
    return ids


def _order(store: Store, customer: int, number: str, when, items) -> int:
    with store.transaction() as c:
        total = sum(q * p for _, q, p in items)
        oid = c.execute(
            "INSERT INTO orders(number, customer_id, status, placed_at, delivery_slot_start, "
            "delivery_slot_end, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                customer,
                OrderStatus.DELIVERED.value,
                int(when.timestamp()),
                int((when + timedelta(hours=1)).timestamp()),
                int((when + timedelta(hours=2)).timestamp()),
                total,
            ),
        ).lastrowid
        c.executemany(
            "INSERT INTO order_items(order_id, name, quantity, unit_price_cents) "
            "VALUES (?, ?, ?, ?)",
            [(oid, n, q, p) for n, q, p in items],
        )
    return int(oid or 0)


@pytest.fixture
def desk_store(tmp_path: Path, clock: Clock) -> Iterator[tuple[Store, dict[str, int]]]:
    store = Store(tmp_path / "desk.db", clock=clock)
    ids = build_small_desk(store, clock)
    yield store, ids
    store.close()


@pytest.fixture
def make_app(desk_store, clock):
    store, _ = desk_store

    def make(*, live_update_seconds: float | None = None, **settings) -> DeskApp:
        fast = {} if live_update_seconds is None else {"live_update_seconds": live_update_seconds}
        return create_app(
            store,
            quiet_settings(**settings),
            agent_email="camille@popote.example",
            clock=clock,
            **fast,
        )

    return make


def burst(target, *keys: str) -> None:
    """Post ``keys`` to ``target`` (the app, a screen) all at once, without waiting between
    them: as they arrive when the agent types while the app is busy for a moment."""
    from textual import events

    characters: dict[str, str | None] = {"slash": "/", "space": " ", "enter": "\r"}
    for key in keys:
        target.post_message(events.Key(key, characters.get(key, key)))


async def until(pilot, test: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for a condition while the app runs (a poll, the sync worker that never completes);
    the timeout only bounds a failing test."""
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.02)


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers and debounce timers finish and the screen repaint."""
    from textual.worker import WorkerCancelled

    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # a newer poll or search replaced it: done all the same
            pass
        await pilot.pause()
        for _ in range(50):  # a loaded machine may run a 60 ms timer late
            if getattr(pilot.app.screen, "settled", True):
                break
            await pilot.pause(0.02)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture(autouse=True)
def _no_error_hidden(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """The app shows an exception and goes on (deskterm.patches.barrier): a test must not pass over
    one. Tests that raise errors on purpose use the ``log_file`` fixture of test_barrier.py."""
    yield
    if "log_file" in request.fixturenames:
        return
    contained = [
        f"{record.getMessage()}: {record.exc_info[1]!r}" if record.exc_info else record.getMessage()
        for record in caplog.get_records("call")
        if record.name == "deskterm.patches.barrier" and record.levelno >= logging.ERROR
    ]
    assert not contained, f"the app kept running past: {contained}"
