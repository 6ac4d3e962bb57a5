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
