"""Merging two open conversations of one customer: messages moved in order of time, the
source closed with a line naming the target, the target told too; undo splits them back
exactly, even after the customer wrote again."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskterm.backend.store import Store
from deskterm.backend.writes.merge import MergeRefused
from deskterm.domain.models import AuthorKind, Channel, Status
from tests.conftest import Clock, Team, agent_replies, customer_writes

#: Everything a conversation's row holds but its version and update time (undo moves those on).
SNAPSHOT = (
    "SELECT id, status, message_count, last_message_at, last_customer_message_at, "
    "last_agent_message_at, first_response_at, preview, unread, sla_due_at, bucket, "
    "snoozed_until, urgency FROM conversations ORDER BY id"
)


def _state(store: Store) -> tuple[list[tuple], list[tuple], int]:
    conn = store.conn
    rows = [tuple(r) for r in conn.execute(SNAPSHOT)]
    messages = [
        tuple(r) for r in conn.execute("SELECT id, conversation_id FROM messages ORDER BY id")
    ]
    waits = conn.execute("SELECT count(*) FROM waits").fetchone()[0]
    return rows, messages, waits


def _two(store: Store, team: Team, clock: Clock) -> tuple[int, int]:
    a = customer_writes(store, team.customer, "Il manque le pain", subject="Pain")
    clock.advance(minutes=2)
    b = customer_writes(store, team.customer, "Toujours pas de pain ?", subject="Re: pain",
                        channel=Channel.WHATSAPP)  # fmt: skip
    clock.advance(minutes=3)
    agent_replies(store, a, team.agent, "Je regarde.")
    clock.advance(minutes=1)
    store.add_message(b, author_kind=AuthorKind.CUSTOMER, body="Allô ?")
    clock.advance(minutes=1)
    return a, b


def test_merge_moves_the_messages_in_order_closes_the_source_and_says_so(
    store: Store, team: Team, clock: Clock
) -> None:
    a, b = _two(store, team, clock)
    moved = store.merge(b, a, agent_id=team.agent, undo_group="g1")
    assert moved == 2
    source, target = store.conversation(b), store.conversation(a)
    assert source is not None and target is not None
    assert source.status is Status.DONE
    bodies = [m.body for m in store.messages(a)]
    assert bodies[:4] == ["Il manque le pain", "Toujours pas de pain ?", "Je regarde.", "Allô ?"]
    assert bodies[4].startswith(f"#{b} merged in here: its 2 messages")
    [line] = store.messages(b)
    assert line.author_kind is AuthorKind.SYSTEM and line.body.startswith(f"Merged into #{a}")
    assert target.message_count == 5 and target.preview == "Allô ?"
    assert target.unread and target.status is Status.OPEN  # the customer wrote last
    assert target.first_response_at is not None


def test_undo_splits_them_back_exactly(store: Store, team: Team, clock: Clock) -> None:
    a, b = _two(store, team, clock)
    before = _state(store)
    store.merge(b, a, agent_id=team.agent, undo_group="g1")
    assert _state(store) != before
    touched = store.undo("g1", agent_id=team.agent)
    assert set(touched) == {a, b}
    assert _state(store) == before


def test_undo_after_the_customer_wrote_again_keeps_the_new_message(
    store: Store, team: Team, clock: Clock
) -> None:
    a, b = _two(store, team, clock)
    store.merge(b, a, agent_id=team.agent, undo_group="g1")
    clock.advance(minutes=5)
    store.add_message(a, author_kind=AuthorKind.CUSTOMER, body="Merci de répondre !")
    store.undo("g1", agent_id=team.agent)
    assert [m.body for m in store.messages(b)] == ["Toujours pas de pain ?", "Allô ?"]
    target = store.conversation(a)
    assert target is not None
    assert [m.body for m in store.messages(a)][-1] == "Merci de répondre !"
    assert target.message_count == 3 and target.preview == "Merci de répondre !"
    source = store.conversation(b)
    assert source is not None and source.status is not Status.DONE


def test_what_cannot_merge_is_refused_in_one_line(store: Store, team: Team, clock: Clock) -> None:
    a, b = _two(store, team, clock)
    other = store.add_customer("Paul Roux", language="fr")
    c = customer_writes(store, other, "Bonjour")
    store.set_status(b, Status.DONE, agent_id=team.agent)
    before = _state(store)
    for source, target in ((a, a), (a, c), (a, b)):
        with pytest.raises(MergeRefused) as refused:
            store.merge(source, target, agent_id=team.agent, undo_group="g")
        assert "\n" not in str(refused.value)
    assert _state(store) == before


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["customer", "agent", "note"]),
                          st.integers(0, 90)), min_size=0, max_size=8))  # fmt: skip
def test_any_two_threads_merge_and_split_back_to_what_they_were(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[bool, str, int]]
) -> None:
    from deskterm.domain.sla import DEFAULT_POLICIES

    clock = Clock()
    store = Store(tmp_path_factory.mktemp("m") / "s.db", clock=clock)
    try:
        store.set_sla_policies(DEFAULT_POLICIES)
        customer = store.add_customer("Ana", language="en")
        agent = store.add_agent("Cam", "cam@example.com")
        ids = [customer_writes(store, customer, "one"), customer_writes(store, customer, "two")]
        for to_b, kind, minutes in steps:
            clock.advance(minutes=minutes)
            cid = ids[int(to_b)]
            if kind == "customer":
                store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body=f"c{minutes}")
            else:
                agent_replies(store, cid, agent, f"a{minutes}", public=kind == "agent")
        open_ids = [i for i in ids if store.conversation(i).status is not Status.DONE]
        if len(open_ids) < 2:
            return
        before = _state(store)
        store.merge(ids[1], ids[0], agent_id=agent, undo_group="g")
        merged = [m.created_at for m in store.messages(ids[0])]
        assert merged == sorted(merged)
        store.undo("g", agent_id=agent)
        assert _state(store) == before
    finally:
        store.close()


def test_the_merge_is_one_transaction(store: Store, team: Team, clock: Clock, monkeypatch) -> None:
    a, b = _two(store, team, clock)
    before = _state(store)

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store._merges, "_recount", broken)
    with pytest.raises(sqlite3.OperationalError):
        store.merge(b, a, agent_id=team.agent, undo_group="g")
    assert _state(store) == before
