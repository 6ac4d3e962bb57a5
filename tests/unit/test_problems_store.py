"""Problems in the store: created, linked, changed, counted, and undone like any action."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deskterm.backend.store import Store
from deskterm.backend.writes import new_key
from deskterm.domain.models import Channel
from deskterm.domain.problems import ProblemKind, ProblemStatus, sparkline
from tests.conftest import T0


@pytest.fixture
def store(tmp_path, clock):
    s = Store(tmp_path / "p.db", clock=clock)
    yield s
    s.close()


def _conversation(store: Store, name: str, body: str, *, days_ago: int = 0) -> int:
    customer = store.add_customer(name, created_at=T0 - timedelta(days=100))
    return store.open_conversation(
        customer, Channel.EMAIL, "App crash", body, created_at=T0 - timedelta(days=days_ago)
    )


def test_a_problem_counts_customers_this_week_and_reports_per_day(store):
    crash = store.add_problem("App crashes after update", agent_id=None)
    promo = store.add_problem("Promo code refused", kind=ProblemKind.BUG, agent_id=None)
    a = _conversation(store, "Ana", "The app crashes when I open it")
    b = _conversation(store, "Bob", "Crash at start", days_ago=1)
    old = _conversation(store, "Cleo", "Code refused", days_ago=10)
    store.link_problem(crash, [a, b], agent_id=None)
    store.link_problem(promo, [old], agent_id=None)
    found = store.problems()
    assert [p.id for p in found] == [crash, promo]
    top = found[0]
    assert (top.customers_week, top.customers, top.conversations) == (2, 2, 2)
    assert top.per_day[-1] == 1 and top.per_day[-2] == 1 and sum(top.per_day) == 2
    assert found[1].customers_week == 0 and found[1].customers == 1
    assert store.problems_of_conversation(a)[0].id == crash
    assert {c.id for c in store.problem_conversations(crash)} == {a, b}
    assert sparkline([0, 1, 4]) == " ▂█"


def test_linking_twice_keeps_one_link(store):
    p = store.add_problem("Slot page", agent_id=None)
    a = _conversation(store, "Ana", "The slot page is blank")
    assert store.link_problem(p, [a], agent_id=None) == [a]
    assert store.link_problem(p, [a, a], agent_id=None) == []
    assert store.problem(p).conversations == 1


def test_undo_takes_back_a_new_problem_and_its_links(store):
    a = _conversation(store, "Ana", "Crash")
    group = new_key()
    p = store.add_problem("Crash", agent_id=1, undo_group=group)
    store.link_problem(p, [a], agent_id=1, undo_group=group)
    assert store.undo(group, agent_id=1)
    assert store.problem(p) is None
    assert store.problems_of_conversation(a) == []


def test_undo_of_a_status_change_leaves_a_newer_change_alone(store):
    p = store.add_problem("Crash", agent_id=1)
    fixed = new_key()
    store.update_problem(p, {"status": ProblemStatus.FIXED}, agent_id=1, undo_group=fixed)
    assert store.problem(p).status is ProblemStatus.FIXED
    assert store.undo(fixed, agent_id=1)
    assert store.problem(p).status is ProblemStatus.OPEN
    again = new_key()
    store.update_problem(p, {"status": "in_progress"}, agent_id=1, undo_group=again)
    store.update_problem(p, {"status": "wont_fix"}, agent_id=2)
    assert store.undo(again, agent_id=1) == []
    assert store.problem(p).status is ProblemStatus.WONT_FIX


def test_unlink_is_undone_too(store):
    p = store.add_problem("Crash", agent_id=1)
    a = _conversation(store, "Ana", "Crash")
    store.link_problem(p, [a], agent_id=1)
    group = new_key()
    assert store.unlink_problem(p, a, agent_id=1, undo_group=group)
    assert store.problem_conversations(p) == []
    store.undo(group, agent_id=1)
    assert [c.id for c in store.problem_conversations(p)] == [a]


def test_a_customer_linked_twice_is_counted_once_when_told(store):
    p = store.add_problem("Crash", agent_id=1)
    customer = store.add_customer("Ana", created_at=T0 - timedelta(days=100))
    one = store.open_conversation(customer, Channel.EMAIL, "Crash", "It crashes")
    two = store.open_conversation(customer, Channel.CHAT, "Crash again", "Still crashing")
    other = _conversation(store, "Bob", "Crash")
    store.link_problem(p, [one, two, other], agent_id=1)
    assert store.record_notified(p, [one]) == 1
    assert all(r.notified for r in store.problem_reports(p) if r.conversation.id in (one, two))
    assert store.record_notified(p, [two, other]) == 1
    assert store.problem(p).notified == 2


def test_bad_values_are_refused_with_one_line(store):
    with pytest.raises(ValueError, match="title"):
        store.add_problem("   ", agent_id=None)
    p = store.add_problem("Crash", agent_id=None)
    with pytest.raises(ValueError):
        store.update_problem(p, {"status": "solved"}, agent_id=None)
    with pytest.raises(ValueError, match="notified"):
        store.update_problem(p, {"notified": 3}, agent_id=None)
