"""Each agent's line of the report: answered, medians, SLA, reopen rate, gestures; and what a
lead and an agent may see of it."""

from __future__ import annotations

from datetime import timedelta

from deskterm.backend.commerce import ledger
from deskterm.backend.metrics.agents import team_view
from deskterm.backend.store import Store
from deskterm.domain.models import Status
from tests.conftest import T0, Clock, Team
from tests.unit.test_metrics import again, ask, at, reply, report


def test_answered_medians_reopens_and_gestures_per_agent(store: Store, team: Team, clock: Clock):
    one = ask(store, team, 0)
    reply(store, one, team.agent, 4)
    clock.now = at(5)
    store.set_status(one, Status.DONE, agent_id=team.agent)
    again(store, one, 30)  # the customer comes back: Camille's close is reopened
    reply(store, one, team.other, 32)
    two = ask(store, team, 10)
    reply(store, two, team.agent, 20)
    clock.now = at(21)
    store.set_status(two, Status.DONE, agent_id=team.agent)
    with store.transaction() as c:
        for amount, state in ((500, "applied"), (700, "applied"), (2500, "approval_requested")):
            ledger.record_gesture(
                c, key=f"g{amount}", customer_id=team.customer, conversation_id=one,
                order_id=None, agent_id=team.agent, amount_cents=amount, kind="credit",
                state=state, reason="", when=T0 + timedelta(minutes=6),
            )  # fmt: skip
    r = report(store)
    lines = {a.agent_id: a for a in r.agents}
    camille, paul = lines[team.agent], lines[team.other]
    assert camille.answered == 2 and paul.answered == 1
    assert camille.figures.first_median == 7 * 60  # 4 and 10 minutes
    assert paul.figures.response_median == 2 * 60
    assert (camille.closed, camille.reopened, camille.reopen_rate) == (2, 1, 0.5)
    assert (camille.gestures, camille.gestures_cents) == (2, 1200)  # not the one waiting
    assert (paul.gestures, paul.closed, paul.reopen_rate) == (0, 0, None)


def test_a_lead_sees_everyone_an_agent_sees_themself_and_the_team(store: Store, team: Team):
    reply(store, ask(store, team, 0), team.agent, 4)
    reply(store, ask(store, team, 1), team.other, 3)
    r = report(store)
    lead = team_view(r.agents, r.overall, viewer=team.agent, lead=True)
    assert {a.agent_id for a in lead.agents} == {team.agent, team.other}
    mine = team_view(r.agents, r.overall, viewer=team.other, lead=False)
    assert [a.agent_id for a in mine.agents] == [team.other]
    assert mine.team_first_median == r.overall.first_median == 3 * 60
