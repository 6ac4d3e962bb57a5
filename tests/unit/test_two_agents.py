"""Two deskterm processes on one store file: no change is lost, and a lost race is told.

Each process opens its own Store on the file (as two agents' terminals do) and writes at the
same moment as the other; a barrier lines the writes up so that they really overlap.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from deskterm.backend.db import StaleVersion, StoreError
from deskterm.backend.store import Store
from deskterm.backend.writes import ChangedMeanwhile
from deskterm.domain.models import AuthorKind, Priority, Status
from tests.conftest import Clock, Team, customer_writes

TAGS_EACH = 150
ROUNDS = 30

SPAWN = multiprocessing.get_context("spawn")


def _add_tags(path: str, agent: int, cid: int, prefix: str, barrier: Any, out: Any) -> None:
    store = Store(path)
    barrier.wait(timeout=60)
    for n in range(TAGS_EACH):
        store.change_tags(cid, add=[f"{prefix}-{n}"], agent_id=agent)
    store.close()
    out.put((prefix, "done"))


def _race_fields(
    path: str, agent: int, cids: list[int], wants: dict[str, Any], barrier: Any, out: Any
) -> None:
    """For each conversation: read it, wait for the other process to have read it too, then
    change every field in ``wants`` at once, checked against what was read."""
    store = Store(path)
    results = []
    for cid in cids:
        conv = store.conversation(cid)
        assert conv is not None
        seen = {
            "status": str(conv.status),
            "priority": str(conv.priority),
            "assignee_id": conv.assignee_id,
        }
        barrier.wait(timeout=60)
        try:
            store.update_conversation(
                cid, wants, agent_id=agent, kind="triage", seen={k: seen[k] for k in wants}
            )
        except ChangedMeanwhile as exc:
            results.append((cid, "changed meanwhile", exc.field))
        except StaleVersion:
            results.append((cid, "stale", None))
        else:
            results.append((cid, "applied", None))
    store.close()
    out.put((agent, results))


def _run(target: Any, *args: Any) -> list[Any]:
    barrier = SPAWN.Barrier(2)
    out = SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*a, barrier, out)) for a in args]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return results


def test_two_processes_adding_tags_at_once_keep_every_tag(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    path = str(store.path)
    _run(
        _add_tags,
        (path, team.agent, cid, "camille"),
        (path, team.other, cid, "paul"),
    )
    tags = set(store.conversation(cid).tags)
    wanted = {f"{who}-{n}" for who in ("camille", "paul") for n in range(TAGS_EACH)}
    assert len(tags & wanted) == 2 * TAGS_EACH, f"{len(tags & wanted)}/{2 * TAGS_EACH} survived"
    # The log tells the same story: one event per tag added, adding just that tag.
    added = []
    for e in store.events(cid):
        if e.kind != "tags":
            continue
        before = set(e.before["tags"].split())
        after = set(e.after["tags"].split())
        assert before <= after and len(after - before) == 1
        added.extend(after - before)
    assert sorted(added) == sorted(wanted)
    # And the tag index (what tag views read) holds them all too.
    indexed = {
        r[0]
        for r in store.conn.execute(
            "SELECT tag FROM conversation_tags WHERE conversation_id = ?", (cid,)
        )
    }
    assert indexed == tags


@pytest.mark.parametrize(
    "field, camille, paul",
    [
        ("status", str(Status.DONE), str(Status.PENDING)),
        ("priority", str(Priority.HIGH), str(Priority.URGENT)),
        ("assignee_id", "camille", "paul"),
    ],
)
def test_two_processes_setting_one_field_at_once_one_wins_the_other_is_told(
    store: Store, team: Team, field: str, camille: Any, paul: Any
):
    agents = {"camille": team.agent, "paul": team.other}
    camille = agents.get(camille, camille)
    paul = agents.get(paul, paul)
    cids = [customer_writes(store, team.customer, f"hello {n}") for n in range(ROUNDS)]
    path = str(store.path)
    results = dict(
        _run(
            _race_fields,
            (path, team.agent, cids, {field: camille}),
            (path, team.other, cids, {field: paul}),
        )
    )
    for n, cid in enumerate(cids):
        outcomes = {who: results[who][n] for who in (team.agent, team.other)}
        won = [who for who, (_, what, _) in outcomes.items() if what == "applied"]
        lost = [who for who, (_, what, _) in outcomes.items() if what != "applied"]
        assert len(won) == 1 and len(lost) == 1, f"#{cid}: {outcomes}"
        assert outcomes[lost[0]][1] == "changed meanwhile" and outcomes[lost[0]][2] == field
        row = store.conn.execute(f"SELECT {field} FROM conversations WHERE id = ?", (cid,))
        winner_value = camille if won[0] == team.agent else paul
        assert row.fetchone()[0] == winner_value
        changes = [e for e in store.events(cid) if e.kind == "triage"]
        assert [e.agent_id for e in changes] == won


def test_a_change_to_another_field_meanwhile_composes(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "hello")
    conv = store.conversation(cid)
    other = Store(store.path, clock=clock)  # a second process on the same file
    other.change_tags(cid, add=["refund"], agent_id=team.other)
    other.set_status(cid, Status.PENDING, agent_id=team.other)
    # The version moved on, but not the assignee: taking it composes with Paul's changes.
    store.assign(cid, team.agent, agent_id=team.agent, seen={"assignee_id": conv.assignee_id})
    now = store.conversation(cid)
    assert now.assignee_id == team.agent
    assert now.tags == ["refund"] and now.status is Status.PENDING
    # Paul takes it; Camille, who still saw it as hers, reassigning it is refused, naming Paul.
    other.assign(cid, team.other, agent_id=team.other, seen={"assignee_id": team.agent})
    with pytest.raises(ChangedMeanwhile) as refused:
        store.assign(cid, None, agent_id=team.agent, seen={"assignee_id": team.agent})
    assert refused.value.by_agent_id == team.other and refused.value.found == team.other
    assert refused.value.at == clock.now
    assert store.conversation(cid).assignee_id == team.other
    # Asking for what is already there is no conflict.
    store.assign(cid, team.other, agent_id=team.agent, seen={"assignee_id": None})
    other.close()


def test_an_agent_is_not_refused_over_a_change_of_their_own(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    store.set_status(cid, Status.PENDING, agent_id=team.agent)
    # The screen still showed it "new" (its own change not read back yet): no conflict.
    store.set_status(cid, Status.DONE, agent_id=team.agent, seen={"status": "new"})
    assert store.conversation(cid).status is Status.DONE


def test_a_customer_message_meanwhile_stops_a_blind_done(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    store.set_status(cid, Status.PENDING, agent_id=team.agent)
    store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="are you there?")
    with pytest.raises(ChangedMeanwhile) as refused:
        store.set_status(cid, Status.DONE, agent_id=team.agent, seen={"status": "pending"})
    assert refused.value.by_agent_id is None and refused.value.field == "status"


def test_removing_and_adding_tags_at_once_compose(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "hello")
    store.set_tags(cid, ["refund", "late"], agent_id=team.agent)
    other = Store(store.path, clock=clock)
    other.change_tags(cid, remove=["late"], agent_id=team.other)
    store.change_tags(cid, add=["VIP Customer"], agent_id=team.agent)
    assert store.conversation(cid).tags == ["refund", "vip-customer"]
    other.close()


def test_undo_of_a_tag_keeps_the_tags_others_added_since(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    store.change_tags(cid, add=["refund"], agent_id=team.agent, undo_group="g")
    store.change_tags(cid, add=["late"], agent_id=team.other)
    assert store.undo("g", agent_id=team.agent) == [cid]
    assert store.conversation(cid).tags == ["late"]


def test_customer_notes_edited_meanwhile_are_not_overwritten(store: Store, team: Team):
    store.update_customer_notes(team.customer, "Allergic to nuts.", seen="")
    with pytest.raises(StoreError, match="changed meanwhile"):
        store.update_customer_notes(team.customer, "Prefers WhatsApp.", seen="")
    assert store.customer(team.customer).notes == "Allergic to nuts."
    store.update_customer_notes(
        team.customer, "Allergic to nuts. Prefers WhatsApp.", seen="Allergic to nuts."
    )
    assert store.customer(team.customer).notes == "Allergic to nuts. Prefers WhatsApp."


def test_the_notice_says_who_did_what_and_when():
    from datetime import timedelta

    from deskterm.screens.changed_meanwhile import notice, seen_values, what_happened
    from tests.conftest import T0

    names = {1: "Camille Moreau", 2: "Paul Roux"}.get

    def name(agent: int | None) -> str:
        return names(agent, "nobody") if agent is not None else "nobody"

    took = ChangedMeanwhile(7, "assignee_id", 2, 2, T0)
    later = T0 + timedelta(seconds=10)
    assert what_happened(took, name, later) == "Paul Roux took this 10 s ago"
    gave = ChangedMeanwhile(7, "assignee_id", 1, 2, T0)
    assert what_happened(gave, name, later) == "Paul Roux assigned this to Camille Moreau 10 s ago"
    wrote = ChangedMeanwhile(7, "status", "open", None, T0 - timedelta(minutes=3))
    assert what_happened(wrote, name, T0) == "This changed to open 3 min ago (a new message?)"
    again = "press i again to take it anyway"
    assert notice([took], 1, name=name, now=later, again=again) == (
        "Paul Roux took this 10 s ago — press i again to take it anyway"
    )
    assert notice([took, gave], 5, name=name, now=later, again=again).startswith(
        "2 of 5 skipped, changed by someone else since you looked (Paul Roux took this"
    )
    assert seen_values("add_tags", None) is None
    assert seen_values("status", None) is None
