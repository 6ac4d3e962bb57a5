"""The sync engine and the RT connector against a real Request Tracker 5, with faults."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.rt import RTConnector
from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync import outbox as outbox_module
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.models import AuthorKind, Status
from tests.integration.conftest import RTServer
from tests.integration.faultproxy import FaultProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def proxy(rt_server: RTServer) -> Iterator[FaultProxy]:
    with FaultProxy(rt_server.host, rt_server.port) as running:
        yield running


class Mirror:
    def __init__(self, store: Store, engine: SyncEngine) -> None:
        self.store = store
        self.engine = engine
        self.me = engine.local_agent_id()

    def local(self, tid: int) -> int:
        conv = self.store.conversation_by_external(str(tid))
        assert conv is not None, f"ticket {tid} is not mirrored"
        return conv.id

    def reply(self, tid: int, body: str, *, note: bool = False, done: bool = False) -> None:
        self.store.add_message(
            self.local(tid),
            author_kind=AuthorKind.AGENT,
            author_id=self.me,
            author_name="root",
            body=body,
            public=not note,
            status_after=Status.DONE if done else None,
            outbox={"kind": "note" if note else "reply", "payload": {"body": body, "done": done}},
        )

    def drain_until_empty(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while waiting(self.store) and time.monotonic() < deadline:
            self.engine.drain()
            time.sleep(0.05)
        assert waiting(self.store) == 0, "the outbox did not drain"


def _mirror(tmp_path: Path, client: RTClient, queue: str, name: str = "m") -> Mirror:
    store = Store(tmp_path / f"{name}.db")
    connector = RTConnector(client, user="root", queue=queue)
    engine = SyncEngine(store, connector)
    engine.identify()
    return Mirror(store, engine)


@pytest.fixture
def mirror(tmp_path: Path, rt_server: RTServer, queue: str) -> Iterator[Mirror]:
    # A web session, as deskterm uses with a password (RT's CSRF check wants its own address
    # in the Referer, so the proxied mirror below uses the token instead).
    client = RTClient(rt_server.url, user="root", password=rt_server.password, web_session=True)
    m = _mirror(tmp_path, client, queue)
    yield m
    m.engine.connector.close()
    m.store.close()


@pytest.fixture
def faulty(tmp_path: Path, rt_server: RTServer, queue: str, proxy: FaultProxy) -> Iterator[Mirror]:
    client = RTClient(proxy.url, token=rt_server.token, timeout=5.0)
    m = _mirror(tmp_path, client, queue, name="faulty")
    yield m
    m.engine.connector.close()
    m.store.close()


def _messages(rt: RTClient, tid: int, kind: str) -> list[str]:
    return [str(t.get("Content") or "") for t in rt.history(tid) if t.get("Type") == kind]


def test_sync_down_tickets_messages_statuses_and_tags(
    rt: RTClient, paul: RTClient, mirror: Mirror, queue: str
) -> None:
    a = rt.create_ticket(queue, "Missing bread", "lea@example.com", "il manque le pain")
    b = rt.create_ticket(queue, "Refund", "ana@example.com", "where is my refund?")
    c = rt.create_ticket(queue, "Thanks", "tom@example.com", "all good")
    paul.correspond(b, "Refund sent today")
    paul.comment(b, "checked with finance")
    rt.update_ticket(c, {"Status": "resolved"})
    rt.update_ticket(a, {"CustomFields": {"Tags": ["VIP", "late"]}, "Owner": "paul"})
    progress: list[tuple[int, int | None]] = []
    report = mirror.engine.pull(lambda n, total: progress.append((n, total)))
    assert report.created == 3
    assert progress[-1] == (3, 3)
    conv_a = mirror.store.conversation(mirror.local(a))
    assert conv_a is not None and conv_a.status == Status.NEW
    assert sorted(conv_a.tags) == ["late", "vip"]
    assert conv_a.assignee_id is not None
    conv_b = mirror.store.conversation(mirror.local(b))
    assert conv_b is not None and conv_b.status == Status.PENDING  # answered, waits on Ana
    thread = [(m.author_kind, m.public, m.body) for m in mirror.store.messages(conv_b.id)]
    assert thread == [
        (AuthorKind.CUSTOMER, True, "where is my refund?"),
        (AuthorKind.AGENT, True, "Refund sent today"),
        (AuthorKind.AGENT, False, "checked with finance"),
    ]
    conv_c = mirror.store.conversation(mirror.local(c))
    assert conv_c is not None and conv_c.status == Status.DONE
    customer = mirror.engine.connector.fetch_customer("ana@example.com")
    assert customer.email == "ana@example.com"
    # Incremental: nothing new, nothing added; then only what changed.
    again = mirror.engine.pull()
    assert again.messages == 0
    paul.correspond(a, "On vous renvoie le pain")
    later = mirror.engine.pull()
    assert later.messages == 1
    assert mirror.store.messages(mirror.local(a))[-1].body == "On vous renvoie le pain"


def test_reply_note_status_snooze_assign_tags_reach_rt(
    rt: RTClient, mirror: Mirror, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Late delivery", "lea@example.com", "my order is late")
    mirror.engine.pull()
    cid = mirror.local(tid)
    me = mirror.me
    mirror.reply(tid, "Sorry, it leaves the warehouse now")
    mirror.reply(tid, "called the driver", note=True)
    mirror.store.change_tags(cid, add=["late"], agent_id=me, outbox={"kind": "tags"})
    mirror.store.assign(cid, me, agent_id=me, outbox={"kind": "assign"})
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    mirror.store.snooze(cid, until, agent_id=me, outbox={"kind": "snooze"})
    mirror.drain_until_empty()
    ticket = rt.get_ticket(tid)
    assert ticket["Status"] == "stalled" and ticket["Starts"] == until
    assert ticket["Owner"] == "root"
    assert [v for cf in ticket["CustomFields"] if cf["name"] == "Tags" for v in cf["values"]] == [
        "late"
    ]
    assert _messages(rt, tid, "Correspond") == ["Sorry, it leaves the warehouse now"]
    assert _messages(rt, tid, "Comment") == ["called the driver"]
    # The mirror keeps the snooze and does not add our own messages a second time.
    mirror.engine.pull()
    conv = mirror.store.conversation(cid)
    assert conv is not None and conv.snoozed_until == until
    bodies = [m.body for m in mirror.store.messages(cid)]
    assert bodies.count("Sorry, it leaves the warehouse now") == 1
    # Unsnooze and done.
    mirror.store.set_status(cid, Status.DONE, agent_id=me, outbox={"kind": "status"})
    mirror.drain_until_empty()
    assert rt.get_ticket(tid)["Status"] == "resolved"


def test_send_and_done_resolves(rt: RTClient, mirror: Mirror, queue: str) -> None:
    tid = rt.create_ticket(queue, "Question", "ana@example.com", "do you deliver Sunday?")
    mirror.engine.pull()
    mirror.reply(tid, "Yes, from 9 to 13", done=True)
    mirror.drain_until_empty()
    assert rt.get_ticket(tid)["Status"] == "resolved"
    assert _messages(rt, tid, "Correspond") == ["Yes, from 9 to 13"]


def test_a_status_change_racing_pauls_keeps_rts_version(
    rt: RTClient, paul: RTClient, mirror: Mirror, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Wrong item", "tom@example.com", "I got salmon, not cod")
    mirror.engine.pull()
    cid = mirror.local(tid)
    mirror.store.set_status(cid, Status.DONE, agent_id=mirror.me, outbox={"kind": "status"})
    paul.update_ticket(tid, {"Status": "rejected"})  # meanwhile, in RT
    paul.update_ticket(tid, {"Status": "open"})
    mirror.engine.drain()
    assert rt.get_ticket(tid)["Status"] == "open"
    notice = mirror.store.messages(cid)[-1]
    assert notice.author_kind == AuthorKind.SYSTEM
    assert "changed meanwhile" in notice.body and "Paul changed the status" in notice.body
    mirror.engine.pull()
    conv = mirror.store.conversation(cid)
    assert conv is not None and conv.status == Status.OPEN


def test_an_invalid_owner_is_refused_and_rolled_back(
    rt: RTClient, mirror: Mirror, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Assign me", "tom@example.com", "hello")
    mirror.engine.pull()
    cid = mirror.local(tid)
    ghost = mirror.store.add_agent("Ghost", "ghost@example.com", external_id="no-such-user-x")
    mirror.store.assign(cid, ghost, agent_id=mirror.me, outbox={"kind": "assign"})
    mirror.engine.drain()
    conv = mirror.store.conversation(cid)
    assert conv is not None and conv.assignee_id is None
    assert "refused your assign" in mirror.store.messages(cid)[-1].body
    assert rt.get_ticket(tid)["Owner"] == "Nobody"


def test_no_reply_lost_or_sent_twice_through_drops_delays_and_500s(
    rt: RTClient, faulty: Mirror, proxy: FaultProxy, queue: str, monkeypatch
) -> None:
    monkeypatch.setattr(outbox_module, "BASE_DELAY", 0.05)
    monkeypatch.setattr(outbox_module, "MAX_DELAY", 0.5)
    tickets = [
        rt.create_ticket(queue, f"Chaos {i}", f"c{i}@example.com", f"message {i}") for i in range(3)
    ]
    faulty.engine.pull()
    texts = {}
    for n, tid in enumerate(tickets):
        for k in range(2):
            body = f"reply {k} to ticket {n} {uuid.uuid4().hex[:6]}"
            texts.setdefault(tid, []).append(body)
            faulty.reply(tid, body)
    # Each kind of fault at least once, on the first requests (the first reply's send, its
    # retries), then random ones.
    for mode in ("drop_after", "500", "drop", "429"):
        proxy.fail_next(1, mode)
    proxy.fail_next(1, "delay", seconds=6.0)  # past the client's 5 s timeout
    proxy.fail_next(1, "drop_after")
    proxy.chaos(0.2, seed=8, modes=("drop", "drop_after", "500", "429"))
    faulty.drain_until_empty(seconds=120)
    proxy.calm()
    outcomes = set(proxy.outcomes())
    print("requests through the proxy:", proxy.seen, sorted(outcomes))
    assert {"drop_after", "500", "drop", "429", "delay"} <= outcomes  # faults really happened
    for tid in tickets:
        assert _messages(rt, tid, "Correspond") == texts[tid]  # each once, in order
    faulty.engine.pull()
    for tid in tickets:
        bodies = [m.body for m in faulty.store.messages(faulty.local(tid))]
        for text in texts[tid]:
            assert bodies.count(text) == 1


def test_offline_then_back_drains_and_shows_a_racing_reply(
    rt: RTClient, paul: RTClient, faulty: Mirror, proxy: FaultProxy, queue: str
) -> None:
    tid = rt.create_ticket(queue, "Where is it", "lea@example.com", "no parcel yet")
    faulty.engine.pull()
    proxy.chaos(1.0, seed=1, modes=("drop",))  # the network is down
    faulty.reply(tid, "It arrives tomorrow")
    faulty.engine.drain()
    status = faulty.engine.status()
    assert not status.online and status.describe() == "offline, 1 action waiting"
    paul.correspond(tid, "Parcel is at the depot")
    proxy.calm()
    faulty.engine.pull()
    notice = faulty.store.messages(faulty.local(tid))[-1]
    assert notice.author_kind == AuthorKind.SYSTEM
    assert notice.body.startswith("Paul replied") and "before your reply went out" in notice.body
    faulty.engine.drainer.paused_until = None
    faulty.store.conn.execute("UPDATE outbox SET next_attempt_at = NULL")
    faulty.drain_until_empty()
    assert _messages(rt, tid, "Correspond") == ["Parcel is at the depot", "It arrives tomorrow"]
