"""Hostile data from outside: lone surrogates from a remote, bytes that are not UTF-8 in the
store. One bad field shows as U+FFFD in its own row; nothing else is lost."""

from __future__ import annotations

from pathlib import Path

from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync.protocol import RemoteCustomer
from deskterm.backend.sync.text import well_formed, well_formed_record
from tests.conftest import T0, Clock
from tests.fakes.memory_connector import MemoryConnector, MemoryHelpdesk

# -- remote text --------------------------------------------------------------------------------


def test_well_formed_replaces_lone_surrogates_and_joins_pairs() -> None:
    assert well_formed("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert well_formed("\ud83d\ude00") == "\U0001f600"  # a pair split in two: one emoji
    text = "Léa 👋 ordinary"
    assert well_formed(text) is text


def test_well_formed_record_reaches_nested_fields_and_keeps_clean_ones() -> None:
    clean = RemoteCustomer("c1", "Léa", "lea@x.org")
    assert well_formed_record(clean) is clean
    bad = RemoteCustomer("c1", "L\ud800a", organization="Org\udc00")
    fixed = well_formed_record(bad)
    assert (fixed.name, fixed.organization) == ("L\ufffda", "Org\ufffd")
    nested = well_formed_record({"k\ud800": ["x", ("\udfff",)]})
    assert nested == {"k\ufffd": ["x", ("\ufffd",)]}


def test_a_lone_surrogate_in_one_ticket_does_not_stop_its_batch(tmp_path: Path) -> None:
    remote = MemoryHelpdesk(T0)
    remote.add_ticket("1", "Missing bread", "il manque le pain")
    bad = remote.add_ticket("2", "Refund \ud800", "where is \udfff my refund", customer="P\ud800ul")
    bad.tags.append("vip\ud800")
    remote.add_ticket("3", "Late", "delivery is late", customer="Ana")
    store = Store(tmp_path / "mirror.db", clock=Clock(T0))
    engine = SyncEngine(store, MemoryConnector(remote))
    engine.identify()

    report = engine.pull()

    assert report.created == 3
    for tid in ("1", "3"):
        assert store.conversation_by_external(tid) is not None
    conv = store.conversation_by_external("2")
    assert conv is not None
    assert conv.subject == "Refund \ufffd"
    assert conv.tags == ["vip\ufffd"]
    assert [m.body for m in store.messages(conv.id)] == ["where is \ufffd my refund"]
    name = store.conn.execute(
        "SELECT name FROM customers WHERE id = ?", (conv.customer_id,)
    ).fetchone()[0]
    assert name == "P\ufffdul"


# -- bytes that are not UTF-8 in the store ------------------------------------------------------


def spoil(store: Store, conversation_id: int) -> None:
    """What another program writing the file could leave: TEXT values that are not UTF-8."""
    store.conn.execute(
        "UPDATE messages SET body = CAST(X'70616e6e65ff20766f69747572652c20d8' AS TEXT) "
        "WHERE conversation_id = ?",
        (conversation_id,),
    )
    store.conn.execute(
        "UPDATE conversations SET subject = CAST(X'5061ff6e6e65' AS TEXT), "
        "preview = CAST(X'70ff' AS TEXT) WHERE id = ?",
        (conversation_id,),
    )


def test_a_row_that_is_not_utf8_reads_with_replacement_in_its_own_fields(
    tmp_path: Path, clock: Clock
) -> None:
    from deskterm.backend.views import View
    from deskterm.domain.models import Channel
    from deskterm.domain.query import parse_query

    store = Store(tmp_path / "x.db", clock=clock)
    lea = store.add_customer("Léa")
    ids = [store.open_conversation(lea, Channel.EMAIL, f"Order {i}", f"pain {i}") for i in range(5)]
    spoil(store, ids[2])

    page = store.page(View("inbox", "Inbox"))
    assert sorted(r.id for r in page) == sorted(ids)
    bad = next(r for r in page if r.id == ids[2])
    assert (bad.subject, bad.preview) == ("Pa\ufffdnne", "p\ufffd")
    assert [m.body for m in store.messages(ids[2])] == ["panne\ufffd voiture, \ufffd"]
    found, count = store.first_page(View("search", "S", parse_query("panne", now=clock.now)))
    assert [r.id for r in found] == [ids[2]] and count == 1
    found, _ = store.first_page(View("search", "S", parse_query("pain", now=clock.now)))
    assert sorted(r.id for r in found) == sorted(ids[:2] + ids[3:])
