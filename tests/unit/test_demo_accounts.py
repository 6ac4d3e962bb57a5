"""The demo's customers have accounts at the shop: the same for the same seed, and true to
what their conversations say (the refused code, the app version, the subscription)."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskterm.backend.commerce.store_accounts import ACCOUNTS, DELIVERIES
from deskterm.backend.commerce.store_provider import StoreProvider
from deskterm.backend.demo import generate_demo
from deskterm.backend.demo.accounts import Heard
from deskterm.backend.demo.catalog import STREETS
from deskterm.backend.store import Store
from tests.conftest import T0

PARIS = ZoneInfo("Europe/Paris")
#: 13:00 in Paris: the lunch rush, orders in the kitchen and on the road.
NOW = T0 + timedelta(hours=3)


def records(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT connector, key, value FROM sync_state WHERE connector LIKE 'commerce.%' "
            "ORDER BY connector, key"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "demo.db"
    generate_demo(path, conversations=600, seed=7, now=NOW)
    return path


def test_the_same_seed_gives_the_same_accounts(demo: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again.db", tmp_path / "other.db"
    generate_demo(again, conversations=600, seed=7, now=NOW)
    generate_demo(other, conversations=600, seed=6, now=NOW)

    assert records(again) == records(demo)
    assert records(other) != records(demo)


def test_every_customer_has_an_account_and_live_orders_a_courier(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    live = conn.execute(
        "SELECT count(*) FROM orders WHERE status IN ('preparing', 'out_for_delivery')"
    ).fetchone()[0]
    conn.close()
    found = records(demo)
    couriers = [r for r in found if r[0] == DELIVERIES and "courier" in r[2]]

    assert [r[0] for r in found].count(ACCOUNTS) == customers
    assert len(couriers) == live > 0


def _store(path: Path) -> Store:
    return Store(path, clock=lambda: NOW)


def _conversations_tagged(store: Store, tag: str) -> list[tuple[int, int, str]]:
    """(conversation id, customer id, first message) of the conversations with ``tag``."""
    rows = store.conn.execute(
        "SELECT c.id, c.customer_id, (SELECT body FROM messages m WHERE m.conversation_id = "
        "c.id ORDER BY m.created_at, m.id LIMIT 1) FROM conversations c "
        "JOIN conversation_tags t ON t.conversation_id = c.id WHERE t.tag = ? ORDER BY c.id",
        (tag,),
    ).fetchall()
    return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]


def test_a_code_a_customer_says_was_refused_is_in_their_promo_codes(demo: Path) -> None:
    store = _store(demo)
    provider = StoreProvider(store, tz=PARIS)
    try:
        found = _conversations_tagged(store, "promo-code")
        assert found
        for _, customer_id, first in found:
            customer = store.customer(customer_id)
            assert customer is not None
            facts = provider.account(customer)
            refused = [p.code for p in facts.promos if p.result == "expired"]
            assert any(code in first for code in refused), (first, refused)
    finally:
        store.close()


def test_the_version_of_the_latest_bug_report_is_the_app_last_seen(demo: Path) -> None:
    store = _store(demo)
    provider = StoreProvider(store, tz=PARIS)
    try:
        latest: dict[int, str] = {}
        for _, customer_id, first in _conversations_tagged(store, "bug"):
            latest[customer_id] = first
        checked = 0
        for customer_id, first in latest.items():
            customer = store.customer(customer_id)
            assert customer is not None
            app = provider.account(customer).app
            assert app is not None
            if "4." in first:  # the texts that quote a version
                checked += 1
                assert app.version in first
        assert checked
    finally:
        store.close()


def test_someone_waiting_on_a_subscription_question_has_one(demo: Path) -> None:
    store = _store(demo)
    provider = StoreProvider(store, tz=PARIS)
    try:
        waiting = [
            (cid, customer_id)
            for cid, customer_id, _ in _conversations_tagged(store, "subscription")
            if store.conversation(cid).status.value != "done"  # type: ignore[union-attr]
        ]
        assert waiting
        for _, customer_id in waiting:
            customer = store.customer(customer_id)
            assert customer is not None
            subscription = provider.account(customer).subscription
            assert subscription.state in ("active", "paused")
    finally:
        store.close()


def test_a_new_address_goes_on_the_order_once_an_agent_answered(demo: Path) -> None:
    store = _store(demo)
    provider = StoreProvider(store, tz=PARIS)
    moved = kept = 0
    try:
        for cid, customer_id, first in _conversations_tagged(store, "wrong-address"):
            customer = store.customer(customer_id)
            assert customer is not None
            said = " ".join(m.body for m in store.messages(cid, limit=50))
            order_numbers = re.findall(r"PO-\d+", said)
            orders = [store.order_by_number(n) for n in order_numbers]
            if not orders or orders[0] is None:
                continue
            delivery = provider.delivery(orders[0])
            account = provider.account(customer)
            answered = any(
                m.author_kind.value == "agent" and m.public for m in store.messages(cid, limit=50)
            )
            street = delivery.address.split(",")[0]
            if answered:
                moved += 1
                assert street in first  # the address the customer gave
            else:
                kept += 1
                assert delivery.address == account.address
            # The old address is in the city of the new one, not across the country.
            cities = {c for c, streets in STREETS.items() if any(st in first for st in streets)}
            assert account.address.split()[-1] in cities
        assert moved  # (unanswered ones are rare at this size: see below)
    finally:
        store.close()


def test_an_unanswered_new_address_leaves_the_order_where_it_was() -> None:
    heard = Heard()
    slots = {"city": "Lyon", "number": "3", "street": "rue Mercière"}

    heard.note(4, "wrong-address", "new", slots, 0, order_id=40)
    assert heard.moved == {}
    assert heard.said[4]["city"] == "Lyon"
    heard.note(4, "wrong-address", "done", slots, 0, order_id=41)
    assert heard.moved == {41: "3 rue Mercière, Lyon"}
