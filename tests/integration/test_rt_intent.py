"""Nothing the agent does offline vanishes, and the outbox drains fast when RT is back:
against the real Request Tracker 5, a colleague working in it through REST 2, and the fault
proxy unplugged for an outage (connections refused, as when RT is down)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.rt import RTConnector
from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.models import AuthorKind, Status
from tests.conftest import Clock
from tests.integration.conftest import RTServer
from tests.integration.faultproxy import FaultProxy

pytestmark = pytest.mark.integration


class Desk:
    """deskterm's mirror of one queue, reaching RT through the fault proxy, on a fake clock
    (backoffs are computed from it: an outage of minutes takes no minutes here)."""

    def __init__(self, tmp_path: Path, url: str, token: str, queue: str) -> None:
        self.clock = Clock(datetime.now(UTC).replace(microsecond=0))
        self.store = Store(tmp_path / "mirror.db", clock=self.clock)
        client = RTClient(url, token=token, timeout=5.0)
        self.engine = SyncEngine(self.store, RTConnector(client, user="root", queue=queue))
        self.engine.drainer.rand = lambda: 0.5
        self.engine.identify()
        self.me = self.engine.local_agent_id()

    def local(self, tid: int) -> int:
        conv = self.store.conversation_by_external(str(tid))
        assert conv is not None
        return conv.id

    def later(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)

    def close(self) -> None:
        self.engine.connector.close()
        self.store.close()


@pytest.fixture
def proxy(rt_server: RTServer) -> Iterator[FaultProxy]:
    with FaultProxy(rt_server.host, rt_server.port) as running:
        yield running


@pytest.fixture
def desk(tmp_path: Path, rt_server: RTServer, proxy: FaultProxy, queue: str) -> Iterator[Desk]:
    d = Desk(tmp_path, proxy.url, rt_server.token, queue)
    yield d
    d.close()


def test_an_offline_done_overtaken_by_a_colleagues_reply_ends_in_a_conflict_line(
    rt: RTClient, paul: RTClient, desk: Desk, proxy: FaultProxy, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Missing bread", "lea@example.com", "il manque le pain")
    rt.update_ticket(tid, {"Status": "open"})  # taken up; the customer's message is the last
    desk.engine.pull()
    cid = desk.local(tid)
    proxy.unplug()  # RT is out of reach
    desk.store.set_status(cid, Status.DONE, agent_id=desk.me, outbox={"kind": "status"})
    desk.engine.drain()
    assert not desk.engine.status().online and waiting(desk.store) == 1
    paul.correspond(tid, "Le pain part demain matin")  # meanwhile, in RT
    proxy.plug()
    desk.clock.now = datetime.now(UTC) + timedelta(seconds=1)
    desk.engine.pull()
    desk.engine.drain()
    assert rt.get_ticket(tid)["Status"] == "open"  # not closed behind Paul's reply
    states = [r[0] for r in desk.store.conn.execute("SELECT state FROM outbox")]
    assert states == ["conflict"]
    line = desk.store.messages(cid)[-1]
    assert line.author_kind == AuthorKind.SYSTEM
    assert line.body == "⚠ You closed this; Paul replied meanwhile. Close anyway? e"
    # The usual key again closes it, on the thread as it now is.
    conv = desk.store.conversation(cid)
    assert conv is not None and conv.status != Status.DONE
    desk.store.set_status(cid, Status.DONE, agent_id=desk.me, outbox={"kind": "status"})
    desk.engine.drain()
    assert rt.get_ticket(tid)["Status"] == "resolved"


def test_after_an_outage_the_outbox_drains_at_once_in_order(
    rt: RTClient, desk: Desk, proxy: FaultProxy, queue: str
) -> None:
    tickets = [rt.create_ticket(queue, f"Order {i}", f"c{i}@example.com", "hi") for i in range(3)]
    desk.engine.pull()
    proxy.unplug()
    texts: dict[int, list[str]] = {tid: [] for tid in tickets}
    for n in range(6):
        tid = tickets[n % 3]
        body = f"reply {n} {uuid.uuid4().hex[:6]}"
        texts[tid].append(body)
        desk.store.add_message(
            desk.local(tid),
            author_kind=AuthorKind.AGENT,
            author_id=desk.me,
            author_name="root",
            body=body,
            outbox={"kind": "reply", "payload": {"body": body}},
        )
    for _ in range(180):  # three minutes of outage on the fake clock, a drain a second
        desk.engine.drain()
        desk.later(1)
    due = [r[0] for r in desk.store.conn.execute("SELECT next_attempt_at FROM outbox") if r[0]]
    assert max(due) - desk.clock.now.timestamp() > 60  # the backoffs had grown to minutes
    proxy.plug()
    desk.engine.pull()  # RT answers: every waiting entry is due now
    desk.engine.drain()
    assert waiting(desk.store) == 0  # with no time passing on the clock
    for tid in tickets:
        sent = [str(t.get("Content") or "") for t in rt.history(tid) if t["Type"] == "Correspond"]
        assert sent == texts[tid]


def test_a_done_whose_answer_was_lost_is_not_done_again_over_a_colleagues_reopen(
    rt: RTClient, paul: RTClient, desk: Desk, proxy: FaultProxy, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Wrong address", "tom@example.com", "wrong street")
    desk.engine.pull()
    cid = desk.local(tid)
    desk.store.set_status(cid, Status.DONE, agent_id=desk.me, outbox={"kind": "status"})
    proxy.fail_next(1, "delay", seconds=0)  # the push reads the ticket,
    proxy.fail_next(1, "drop_after")  # then its update lands and the answer is lost
    desk.engine.drain()
    assert rt.get_ticket(tid)["Status"] == "resolved" and waiting(desk.store) == 1
    paul.update_ticket(tid, {"Status": "open"})  # Paul reopens it meanwhile
    desk.later(300)
    desk.engine.drain()
    assert rt.get_ticket(tid)["Status"] == "open"  # not closed a second time over Paul
    states = [r[0] for r in desk.store.conn.execute("SELECT state FROM outbox")]
    assert states == ["done"]  # it was applied once: no conflict line as well
    assert not any(m.body.startswith("⚠") for m in desk.store.messages(cid))


def test_a_send_and_done_overtaken_by_a_colleague_sends_the_reply_and_holds_the_close(
    rt: RTClient, paul: RTClient, desk: Desk, proxy: FaultProxy, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Allergens", "jade@example.com", "nuts in the tiramisu?")
    rt.update_ticket(tid, {"Status": "open"})
    desk.engine.pull()
    cid = desk.local(tid)
    proxy.unplug()
    body = f"No nuts, only mascarpone {uuid.uuid4().hex[:6]}"
    desk.store.add_message(
        cid,
        author_kind=AuthorKind.AGENT,
        author_id=desk.me,
        author_name="root",
        body=body,
        status_after=Status.DONE,
        outbox={"kind": "reply", "payload": {"body": body, "done": True}},
    )
    desk.engine.drain()
    paul.correspond(tid, "Careful: the biscuits may hold traces")
    proxy.plug()
    desk.clock.now = datetime.now(UTC) + timedelta(seconds=1)
    desk.engine.pull()
    desk.engine.drain()
    sent = [str(t.get("Content") or "") for t in rt.history(tid) if t["Type"] == "Correspond"]
    assert sent[-1] == body and sent.count(body) == 1  # the reply went out, once
    assert rt.get_ticket(tid)["Status"] == "open"  # its close held back
    states = [r[0] for r in desk.store.conn.execute("SELECT state FROM outbox")]
    assert states == ["held"]
    assert desk.store.messages(cid)[-1].body == (
        "⚠ You closed this; Paul replied meanwhile; your reply went out. Close anyway? e"
    )


def test_rt_opens_and_keeps_statuses_as_the_in_memory_helpdesk_does(
    rt: RTClient, paul: RTClient, queue: str
) -> None:
    """What ``tests/fakes/memory_connector.py`` copies from RT, checked on the real one."""

    def status(tid: int) -> str:
        return str(rt.get_ticket(tid)["Status"])

    tid = rt.create_ticket(queue, "Statuses", "ana@example.com", "hello")
    assert status(tid) == "new"  # creating leaves it new
    paul.comment(tid, "a note")
    assert status(tid) == "new"  # a note changes no status
    paul.correspond(tid, "a reply")
    assert status(tid) == "open"  # a reply opens a new ticket
    rt.update_ticket(tid, {"Status": "resolved"})
    paul.comment(tid, "a note on a resolved ticket")
    assert status(tid) == "resolved"
    paul.correspond(tid, "a reply to a resolved ticket")
    assert status(tid) == "open"  # and reopens a resolved one
    rt.update_ticket(tid, {"Status": "stalled"})
    paul.correspond(tid, "a reply to a stalled ticket")
    assert status(tid) == "stalled"  # a stalled one stays stalled (the mirror reads it)
