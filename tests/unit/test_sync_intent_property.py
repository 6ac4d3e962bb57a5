"""Nothing the agent does vanishes: random interleavings of the agent's actions, colleagues'
and customers' changes on the remote, and network faults, against the in-memory helpdesk
(which behaves as Request Tracker does; see ``tests/fakes/memory_connector.py``).

The invariant, once the network heals and the outbox drains: every outbox entry was applied
on the remote exactly once, or ended as a conflict line in its thread — never both, never
neither.
"""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskterm.backend.connectors.errors import RemoteError, TransientError
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.models import AuthorKind, Status
from tests.conftest import T0, Clock
from tests.fakes.memory_connector import ME, PAUL, MemoryConnector, MemoryHelpdesk

TICKETS = ("1", "2", "3")
LOCAL = ("reply", "note", "done", "send_done", "snooze", "tag", "untag", "take", "reopen")
REMOTE = ("colleague_replies", "customer_writes", "reopens", "closes", "retags", "takes")
FAULTS = ("offline", "back_online", "error_500", "timeout", "lost_answer", "pull_fails")
ENGINE = ("drain", "pull", "turn", "wait")

step = st.one_of(
    st.tuples(st.just("local"), st.sampled_from(LOCAL), st.sampled_from(TICKETS)),
    st.tuples(st.just("remote"), st.sampled_from(REMOTE), st.sampled_from(TICKETS)),
    st.tuples(st.just("fault"), st.sampled_from(FAULTS), st.just("")),
    st.tuples(st.just("engine"), st.sampled_from(ENGINE), st.just("")),
)


class World:
    """The agent's mirror, the remote helpdesk and the network between them."""

    def __init__(self, folder: Path) -> None:
        self.clock = Clock(T0)
        self.remote = MemoryHelpdesk(T0)
        for tid, who in zip(TICKETS, ("Léa", "Ana", "Tom"), strict=True):
            self.remote.add_ticket(tid, f"Ticket {tid}", f"hello from {who}", customer=who)
        self.connector = MemoryConnector(self.remote)
        self.store = Store(folder / "mirror.db", clock=self.clock)
        self.engine = SyncEngine(self.store, self.connector)
        self.engine.drainer.rand = lambda: 0.5
        self.engine.identify()
        self.engine.pull()
        self.me = self.engine.local_agent_id()
        self.n = 0

    def later(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        self.remote.now = self.clock.now

    def cid(self, tid: str) -> int:
        conv = self.store.conversation_by_external(tid)
        assert conv is not None
        return conv.id

    # -- the agent -----------------------------------------------------------------------

    def local(self, action: str, tid: str) -> None:
        self.n += 1
        cid, me, store = self.cid(tid), self.me, self.store
        if action in ("reply", "note", "send_done"):
            body = f"{action} {self.n}"
            store.add_message(
                cid,
                author_kind=AuthorKind.AGENT,
                author_id=me,
                author_name=ME.name,
                body=body,
                public=action != "note",
                status_after=Status.DONE if action == "send_done" else None,
                outbox={
                    "kind": "note" if action == "note" else "reply",
                    "payload": {"body": body, "done": action == "send_done"},
                },
            )
        elif action in ("done", "reopen"):
            status = Status.DONE if action == "done" else Status.OPEN
            store.set_status(cid, status, agent_id=me, outbox={"kind": "status"})
        elif action == "snooze":
            until = self.clock.now + timedelta(hours=3 + self.n)
            store.snooze(cid, until, agent_id=me, outbox={"kind": "snooze"})
        elif action in ("tag", "untag"):
            tags = {"add": [f"t{self.n % 3}"]} if action == "tag" else {"remove": ["t0", "t1"]}
            store.change_tags(cid, agent_id=me, outbox={"kind": "tags"}, **tags)  # type: ignore[arg-type]
        elif action == "take":
            store.assign(cid, me, agent_id=me, outbox={"kind": "assign"})

    # -- colleagues and customers, on the remote -----------------------------------------

    def remote_change(self, change: str, tid: str) -> None:
        self.n += 1
        t = self.remote.tickets[tid]
        if change == "colleague_replies":
            self.remote.add_message(tid, f"Paul says {self.n}", author=PAUL)
            return
        if change == "customer_writes":
            self.remote.add_message(tid, f"customer says {self.n}", author=None)
            return
        if change == "reopens":
            t.status, t.snoozed_until = Status.OPEN, None
        elif change == "closes":
            t.status, t.snoozed_until = Status.DONE, None
        elif change == "retags":
            t.tags = [f"t{self.n % 4}", "paul"]
        elif change == "takes":
            t.assignee = PAUL
        self.remote.touch(t)

    # -- the network ---------------------------------------------------------------------

    def fault(self, kind: str) -> None:
        c = self.connector
        if kind == "offline":
            c.online = False
        elif kind == "back_online":
            c.online = True
        elif kind == "error_500":
            c.push_faults.append(TransientError("500 Internal Server Error", status=500))
        elif kind == "timeout":
            c.push_faults.append(TransientError("timed out"))
        elif kind == "lost_answer":
            c.lose_answers += 1
        elif kind == "pull_fails":
            c.pull_faults.append(TransientError("502 Bad Gateway", status=502))

    def engine_step(self, what: str) -> None:
        try:
            if what == "drain":
                self.engine.drain()
            elif what == "pull":
                self.engine.pull()
            elif what == "turn":
                self.engine.turn(interval=10)
        except RemoteError:
            pass
        self.later(1 if what != "wait" else 45)

    def heal(self) -> None:
        """The network comes back for good; the loop runs until the outbox is empty."""
        c = self.connector
        c.online, c.push_faults, c.pull_faults, c.lose_answers = True, [], [], 0
        for _ in range(30):
            if not waiting(self.store):
                break
            self.later(301)
            self.engine.drain()
            self.engine.pull()
        assert waiting(self.store) == 0, "the outbox did not drain"
        self.engine.pull()


def check_invariant(world: World) -> None:
    store, remote = world.store, world.remote
    conflicted = {
        json.loads(r[0])["outbox_id"]
        for r in store.conn.execute("SELECT after FROM events WHERE kind = 'sync:conflict'")
    }
    lines = [
        m.body
        for tid in TICKETS
        for m in store.messages(world.cid(tid))
        if m.author_kind is AuthorKind.SYSTEM and m.body.startswith("⚠ You")
    ]
    mine = [
        m.body
        for t in remote.tickets.values()
        for m in t.messages
        if m.author_external_id == ME.external_id
    ]
    entries = store.conn.execute(
        "SELECT id, kind, payload, idempotency_key, state FROM outbox ORDER BY id"
    ).fetchall()
    for entry in entries:
        payload = json.loads(entry["payload"])
        key, state = entry["idempotency_key"], entry["state"]
        what = (
            f"entry {entry['id']} ({entry['kind']} {payload.get('fields') or payload.get('body')})"
        )
        if entry["kind"] in ("reply", "note"):
            assert state in ("done", "held"), f"{what} ended {state}"
            assert mine.count(payload["body"]) == 1, (
                f"{what} reached the remote {mine.count(payload['body'])} times"
            )
            if payload.get("done"):  # its close: applied, or held back with a line
                closed = key in remote.closed
                assert closed != (entry["id"] in conflicted), f"{what}: closed {closed}"
                assert (state == "held") == (entry["id"] in conflicted)
            continue
        applied = remote.applied.get(key, 0)
        assert applied <= 1, f"{what} was applied {applied} times"
        if state == "done":
            assert key in remote.accepted, f"{what} is marked sent but never reached the remote"
            assert entry["id"] not in conflicted, f"{what} was applied and shown as a conflict"
        else:
            assert state == "conflict", f"{what} ended {state}"
            assert key not in remote.accepted and applied == 0, f"{what}: applied and a conflict"
            assert entry["id"] in conflicted, f"{what} is a conflict with no line"
    assert len(lines) == len(conflicted)
    assert len(conflicted) == sum(1 for e in entries if e["state"] in ("conflict", "held"))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(step, min_size=1, max_size=40))
def test_every_action_reaches_the_remote_once_or_ends_as_a_conflict_line(steps) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder))
        try:
            for who, what, tid in steps:
                if who == "local":
                    world.local(what, tid)
                elif who == "remote":
                    world.remote_change(what, tid)
                elif who == "fault":
                    world.fault(what)
                else:
                    world.engine_step(what)
            world.heal()
            check_invariant(world)
        finally:
            world.store.close()


def test_the_reported_case_is_among_the_interleavings() -> None:
    """Offline done, a colleague's reply, the pull, then the push: a conflict line."""
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder))
        for who, what, tid in [
            ("fault", "offline", ""),
            ("local", "done", "1"),
            ("engine", "turn", ""),
            ("remote", "colleague_replies", "1"),
            ("fault", "back_online", ""),
            ("engine", "pull", ""),
            ("engine", "drain", ""),
        ]:
            getattr(world, {"local": "local", "remote": "remote_change"}.get(who, who), None)
            if who == "local":
                world.local(what, tid)
            elif who == "remote":
                world.remote_change(what, tid)
            elif who == "fault":
                world.fault(what)
            else:
                world.engine_step(what)
        world.heal()
        check_invariant(world)
        assert world.remote.tickets["1"].status is Status.OPEN
        last = world.store.messages(world.cid("1"))[-1].body
        assert last.startswith("⚠ You closed this; Paul replied meanwhile")
        world.store.close()
