"""Conversations whose ticket left the remote: out of every view with a line, back when it
returns; a connector that cannot tell leaves the mirror alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine, scope
from deskterm.backend.views import View
from deskterm.domain.models import AuthorKind, Status
from deskterm.domain.query import parse_query
from tests.conftest import T0, Clock
from tests.fakes.memory_connector import MemoryConnector, MemoryHelpdesk


@pytest.fixture(autouse=True)
def scope_at_every_pull(monkeypatch: pytest.MonkeyPatch) -> None:
    """What left the remote is checked at every pull here (every few minutes in use)."""
    monkeypatch.setattr(scope, "SCOPE_SECONDS", 0)


class ScopedConnector(MemoryConnector):
    """The memory desk, saying which tickets are in scope (those it still has)."""

    def in_scope(self) -> frozenset[str]:
        return frozenset(self.desk.tickets)

    def why_gone(self, external_id: str) -> str | None:
        return None if external_id in self.desk.tickets else "deleted in Memory desk"


def _listed(store: Store, key: str) -> set[int]:
    return {row.id for row in store.page(View(key, key), limit=100)}


def test_a_ticket_that_leaves_is_in_no_view_and_comes_back(tmp_path: Path) -> None:
    desk = MemoryHelpdesk(T0)
    for tid in ("1", "2", "3"):
        desk.add_ticket(tid, f"Question {tid}", f"hello {tid}", customer=f"c{tid}")
    desk.tickets["3"].status = Status.DONE
    store = Store(tmp_path / "m.db")
    engine = SyncEngine(store, ScopedConnector(desk))
    engine.identify()
    assert engine.pull().gone == 0
    gone2 = desk.tickets.pop("2")
    gone3 = desk.tickets.pop("3")
    assert engine.pull().gone == 2
    two = store.conversation_by_external("2")
    three = store.conversation_by_external("3")
    assert two is not None and three is not None
    for view in ("inbox", "unassigned", "pending", "snoozed", "done"):
        assert not _listed(store, view) & {two.id, three.id}
    assert store.count(View("inbox", "inbox")) == 1
    assert store.count(View("done", "done")) == 0
    line = store.messages(two.id)[-1]
    assert line.author_kind == AuthorKind.SYSTEM
    assert line.body == "This ticket was deleted in Memory desk; it left your views."
    words = View("search", "s", parse_query("Question", now=T0))
    assert two.id not in {r.id for r in store.page(words)}
    assert [r.id for r in store.page(View("search", "s", parse_query("#2", now=T0)))] == [two.id]
    assert engine.pull().gone == 0  # said once
    desk.tickets["2"] = gone2
    desk.tickets["3"] = gone3
    engine.pull()
    assert two.id in _listed(store, "inbox") and three.id in _listed(store, "done")
    assert "back" in store.messages(two.id)[-1].body
    store.close()


def test_a_connector_that_cannot_tell_leaves_the_mirror_alone(tmp_path: Path) -> None:
    desk = MemoryHelpdesk(T0)
    desk.add_ticket("1", "Question", "hello")
    store = Store(tmp_path / "m.db")
    engine = SyncEngine(store, MemoryConnector(desk))
    engine.identify()
    engine.pull()
    desk.tickets.clear()
    assert engine.pull().gone == 0
    assert store.count(View("inbox", "inbox")) == 1
    store.close()


def test_the_check_waits_its_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scope, "SCOPE_SECONDS", 300)
    desk = MemoryHelpdesk(T0)
    desk.add_ticket("1", "Question", "hello")
    desk.add_ticket("2", "Other", "hi")
    clock = Clock(T0)
    store = Store(tmp_path / "m.db", clock=clock)
    engine = SyncEngine(store, ScopedConnector(desk))
    engine.identify()
    engine.pull()
    del desk.tickets["2"]
    assert engine.pull().gone == 0  # checked a moment ago
    clock.advance(seconds=301)
    assert engine.pull().gone == 1
    store.close()
