"""The inbox knows when a customer has several conversations open: each page counts its
customers' open ones in one query (never one per row), closed and gone ones left out."""

from __future__ import annotations

from deskterm.backend.store import Store
from deskterm.backend.views import BUILTIN_VIEWS
from deskterm.domain.models import Status
from tests.conftest import Clock, Team, customer_writes

INBOX = BUILTIN_VIEWS[0]


def test_a_page_says_how_many_each_customer_has_open(
    store: Store, team: Team, clock: Clock
) -> None:
    a = customer_writes(store, team.customer, "Il manque le pain")
    clock.advance(minutes=1)
    b = customer_writes(store, team.customer, "Toujours pas de pain ?")
    clock.advance(minutes=1)
    closed = customer_writes(store, team.customer, "Merci")
    store.set_status(closed, Status.DONE, agent_id=team.agent)
    clock.advance(minutes=1)
    gone = customer_writes(store, team.customer, "Effacé sur le helpdesk")
    store.conn.execute("UPDATE conversations SET gone_at = 1 WHERE id = ?", (gone,))
    alone = customer_writes(store, store.add_customer("Paul Roux", language="fr"), "Bonjour")
    rows = {r.id: r for r in store.page(INBOX, limit=50)}
    assert rows[a].open_of_customer == rows[b].open_of_customer == 2
    assert rows[alone].open_of_customer == 0
    assert {r.id: r.open_of_customer for r in store.page_at(INBOX, 0, limit=50)} == {
        r.id: r.open_of_customer for r in rows.values()
    }
    store.set_status(b, Status.DONE, agent_id=team.agent)
    assert {r.id: r.open_of_customer for r in store.page(INBOX, limit=50)}[a] == 0


def test_the_count_is_one_query_for_the_whole_page(store: Store, team: Team, clock: Clock) -> None:
    for i in range(30):
        customer = store.add_customer(f"Client {i}", language="fr")
        for _ in range(2):
            clock.advance(minutes=1)
            customer_writes(store, customer, f"Question {i}")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        page = store.page(INBOX, limit=50)
    finally:
        store.conn.set_trace_callback(None)
    assert len(page) == 50 and all(r.open_of_customer == 2 for r in page)
    counting = [s for s in statements if "count(*)" in s]
    assert len(counting) == 1, statements
