"""Undoing what a sent reply changed (its status) never un-counts the reply itself."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from deskterm.backend.metrics import today_first_response
from deskterm.backend.store import Store
from deskterm.domain.models import Status
from deskterm.domain.sla import DEFAULT_POLICIES
from tests.conftest import Clock, Team, agent_replies, customer_writes


def test_undoing_send_and_done_keeps_the_first_response(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "Il manque le pain")
    clock.advance(minutes=4)
    agent_replies(
        store, cid, team.agent, "On vous le renvoie.", status_after=Status.DONE, undo_group="g"
    )
    sent = store.conversation(cid)
    assert sent.status is Status.DONE and sent.first_response_at == clock.now
    median = today_first_response(
        store.conn, now=clock.now, tz=ZoneInfo("Europe/Paris"), policies=DEFAULT_POLICIES
    )
    assert median == 240

    clock.advance(minutes=1)
    assert store.undo("g", agent_id=team.agent) == [cid]
    back = store.conversation(cid)
    # The status goes back; the reply was really sent, so its time stays.
    assert back.status is Status.NEW
    assert back.first_response_at == sent.first_response_at
    assert (
        back.sla_due_at != store.conversation(customer_writes(store, team.customer, "x")).sla_due_at
    )
    assert (
        today_first_response(
            store.conn, now=clock.now, tz=ZoneInfo("Europe/Paris"), policies=DEFAULT_POLICIES
        )
        == median
    )


def test_undoing_a_later_status_change_leaves_the_first_response(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    agent_replies(store, cid, team.agent, "hi")
    first = store.conversation(cid).first_response_at
    store.set_status(cid, Status.DONE, agent_id=team.agent, undo_group="done")
    store.undo("done", agent_id=team.agent)
    conv = store.conversation(cid)
    assert conv.status is Status.PENDING and conv.first_response_at == first
