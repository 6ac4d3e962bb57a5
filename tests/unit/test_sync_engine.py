"""The sync engine against an in-memory helpdesk: pull, push, order, retries, refusals."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from deskterm.backend.connectors.errors import (
    AuthError,
    PermanentError,
    RateLimited,
    TransientError,
)
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine, UnknownConnector, available, load
from deskterm.backend.sync.fields import exact, plan_fields
from deskterm.backend.sync.mirror import get_state
from deskterm.backend.sync.outbox import backoff, waiting
from deskterm.backend.sync.protocol import PushAction
from deskterm.domain.models import AuthorKind, Status
from tests.conftest import T0, Clock
from tests.fakes.memory_connector import PAUL, MemoryConnector, MemoryHelpdesk


class Desk:
    """A store mirroring a MemoryHelpdesk, and the agent working in it."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = Clock(T0)
        self.remote = MemoryHelpdesk(T0)
        self.connector = MemoryConnector(self.remote)
        self.store = Store(tmp_path / "mirror.db", clock=self.clock)
        self.engine = SyncEngine(self.store, self.connector)
        self.engine.drainer.rand = lambda: 0.5  # no jitter: exact backoff in the tests
        self.engine.identify()
        self.me = self.engine.local_agent_id()

    def local(self, tid: str) -> int:
        conv = self.store.conversation_by_external(tid)
        assert conv is not None
        return conv.id

    def reply(self, tid: str, body: str, *, done: bool = False, note: bool = False) -> int:
        return self.store.add_message(
            self.local(tid),
            author_kind=AuthorKind.AGENT,
            author_id=self.me,
            author_name="Alice",
            body=body,
            public=not note,
            status_after=Status.DONE if done else None,
            outbox={
                "kind": "note" if note else "reply",
                "payload": {"body": body, "done": done},
            },
        )

    def set_status(self, tid: str, status: Status) -> None:
        self.store.set_status(
            self.local(tid), status, agent_id=self.me, outbox={"kind": "status", "payload": {}}
        )

    def later(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        self.remote.now = self.clock.now

    def thread(self, tid: str) -> list[tuple[str, str]]:
        return [(str(m.author_kind), m.body) for m in self.store.messages(self.local(tid))]


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    d = Desk(tmp_path)
    d.remote.add_ticket("1", "Missing bread", "il manque le pain")
    d.remote.add_ticket("2", "Refund", "where is my refund", customer="Paul")
    d.remote.add_ticket("3", "Late", "delivery is late", customer="Ana")
    return d


def test_first_pull_mirrors_in_batches_with_progress_and_cursor(desk: Desk) -> None:
    seen: list[tuple[int, int | None]] = []
    report = desk.engine.pull(lambda done, total: seen.append((done, total)))
    assert report.conversations == 3 and report.created == 3
    assert seen == [(2, 3), (3, 3)]  # batches of two
    assert get_state(desk.store, "memory", "cursor") == "3"
    conv = desk.store.conversation_by_external("1")
    assert conv is not None and conv.subject == "Missing bread"
    assert desk.thread("1") == [("customer", "il manque le pain")]
    # A second pull has nothing new and duplicates nothing.
    assert desk.engine.pull().conversations == 0
    assert len(desk.store.messages(desk.local("1"))) == 1


def test_a_failed_pull_resumes_after_the_last_batch_that_landed(desk: Desk) -> None:
    pulled = []

    original = desk.connector.pull

    def failing(cursor):
        for i, batch in enumerate(original(cursor)):
            if i == 1:
                raise TransientError("connection reset")
            pulled.append(batch)
            yield batch

    desk.connector.pull = failing  # type: ignore[method-assign]
    with pytest.raises(TransientError):
        desk.engine.pull()
    assert get_state(desk.store, "memory", "cursor") == "2"
    assert desk.store.conversation_by_external("3") is None
    desk.connector.pull = original  # type: ignore[method-assign]
    assert desk.engine.pull().conversations == 1
    assert desk.store.conversation_by_external("3") is not None


def test_incremental_pull_brings_new_messages_and_wakes_the_conversation(desk: Desk) -> None:
    desk.engine.pull()
    desk.later(60)
    desk.remote.add_message("1", "toujours rien", author=None)
    assert desk.engine.pull().conversations == 1
    assert desk.thread("1")[-1] == ("customer", "toujours rien")


def test_a_reply_is_queued_with_the_message_and_pushed_once(desk: Desk) -> None:
    desk.engine.pull()
    mid = desk.reply("1", "On vous renvoie le pain")
    assert waiting(desk.store) == 1
    report = desk.engine.drain()
    assert report.pushed == 1 and waiting(desk.store) == 0
    assert desk.remote.sent == [("1", "On vous renvoie le pain", True)]
    linked = desk.store.conn.execute("SELECT external_id FROM messages WHERE id = ?", (mid,))
    assert linked.fetchone()[0] is not None
    desk.engine.pull()  # the remote's copy of our reply is not added a second time
    assert desk.thread("1").count(("agent", "On vous renvoie le pain")) == 1


def test_actions_go_out_in_order_per_conversation(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "first")
    desk.set_status("1", Status.DONE)
    desk.reply("2", "other conversation")
    desk.connector.push_faults.append(TransientError("timed out", status=504))
    report = desk.engine.drain()
    assert report.pushed == 0 and report.retrying == 1
    desk.engine.fast_drain = False
    desk.later(0.5)
    report = desk.engine.drain()  # the first entry waits its backoff: so does the status
    assert report.pushed == 1 and desk.connector.pushed_kinds == ["reply"]
    assert desk.remote.sent == [("2", "other conversation", True)]
    desk.later(3)
    desk.engine.drain()
    assert desk.connector.pushed_kinds == ["reply", "reply", "status"]
    assert desk.remote.tickets["1"].status == Status.DONE
    assert [b for _, b, _ in desk.remote.sent] == ["other conversation", "first"]


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    assert backoff(1, lambda: 0.5) == 2.0
    assert backoff(2, lambda: 0.5) == 4.0
    assert backoff(4, lambda: 0.5) == 16.0
    assert backoff(50, lambda: 0.5) == 300.0
    assert backoff(1, lambda: 0.0) == 1.0 and backoff(1, lambda: 0.999) < 3.0


def test_retry_waits_its_backoff_then_pushes(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "hello")
    desk.connector.push_faults += [TransientError("502", status=502)] * 2
    desk.engine.drain()
    desk.later(1.9)
    desk.engine.drain()
    assert desk.remote.pushes == 1  # 2 s backoff not over yet
    desk.later(0.2)
    desk.engine.drain()
    assert desk.remote.pushes == 2
    desk.later(3.9)
    desk.engine.drain()
    assert desk.remote.pushes == 2  # then 4 s (kept in whole seconds, rounded up)
    desk.later(1.1)
    desk.engine.drain()
    assert desk.remote.sent == [("1", "hello", True)] and waiting(desk.store) == 0


def test_429_pauses_every_push_for_retry_after(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "one")
    desk.reply("2", "two")
    desk.connector.push_faults.append(RateLimited("slow down", retry_after=30))
    report = desk.engine.drain()
    assert report.rate_limited_until == T0 + timedelta(seconds=30)
    desk.later(29)
    desk.engine.drain()
    assert desk.remote.pushes == 1 and desk.remote.sent == []  # not even the other ticket
    desk.later(1.5)
    desk.engine.drain()
    assert sorted(b for _, b, _ in desk.remote.sent) == ["one", "two"]


def test_a_refused_reply_goes_back_to_the_draft_with_a_notice(desk: Desk) -> None:
    desk.engine.pull()
    cid = desk.local("1")
    desk.reply("1", "Voici un code promo")
    conv = desk.store.conversation(cid)
    assert conv is not None and conv.status == Status.PENDING
    desk.connector.push_faults.append(PermanentError("403 Forbidden: no right", status=403))
    report = desk.engine.drain()
    assert report.failed == 1 and waiting(desk.store) == 0
    state = desk.store.conn.execute("SELECT state, last_error FROM outbox").fetchone()
    assert state[0] == "failed" and "403" in state[1]
    thread = desk.thread("1")
    assert ("agent", "Voici un code promo") not in thread
    assert thread[-1][0] == "system" and "refused your reply" in thread[-1][1]
    draft = desk.store.draft(cid, desk.me or 0)
    assert draft is not None and draft.body == "Voici un code promo"
    conv = desk.store.conversation(cid)
    assert conv is not None and conv.status == Status.NEW  # the reply's status change undone
    assert desk.engine.status().failed == 1
    assert desk.remote.sent == []


def test_a_conflicting_status_change_keeps_the_remote_version(desk: Desk) -> None:
    desk.engine.pull()
    desk.set_status("2", Status.DONE)
    desk.remote.add_message("2", "Refund sent today", author=PAUL)  # which opens it
    desk.engine.drain()
    assert desk.remote.tickets["2"].status == Status.OPEN
    thread = desk.thread("2")
    assert thread[-1][0] == "system" and "changed meanwhile" in thread[-1][1]
    assert thread[-1][1].endswith("Close anyway? e")
    assert desk.store.conn.execute("SELECT state FROM outbox").fetchone()[0] == "conflict"
    desk.engine.pull()
    conv = desk.store.conversation(desk.local("2"))
    assert conv is not None and conv.status == Status.PENDING


def test_a_pull_does_not_undo_a_change_still_in_the_outbox(desk: Desk) -> None:
    desk.engine.pull()
    desk.connector.online = False
    desk.set_status("3", Status.DONE)
    desk.engine.drain()
    desk.connector.online = True
    ticket = desk.remote.tickets["3"]
    ticket.tags = ["late"]  # someone tagged it; its status is still the one we started from
    desk.remote.touch(ticket)
    desk.engine.pull()
    conv = desk.store.conversation(desk.local("3"))
    assert conv is not None and conv.status == Status.DONE and conv.tags == ["late"]
    desk.later(10)
    desk.engine.drain()
    assert ticket.status == Status.DONE and ticket.tags == ["late"]


def test_answer_lost_after_the_push_does_not_send_twice(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "Le pain arrive")
    desk.connector.lose_answers = 1
    report = desk.engine.drain()
    assert report.retrying == 1 and len(desk.remote.sent) == 1
    desk.later(5)
    desk.engine.drain()
    assert desk.remote.sent == [("1", "Le pain arrive", True)]
    assert waiting(desk.store) == 0


def test_crash_between_push_and_mark_done_does_not_send_twice(desk: Desk, tmp_path: Path) -> None:
    desk.engine.pull()
    desk.reply("1", "crash test")
    original = desk.connector.push

    def push_then_die(action: PushAction):
        original(action)
        raise KeyboardInterrupt  # the process dies before marking the entry done

    desk.connector.push = push_then_die  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        desk.engine.drain()
    desk.store.close()
    # Next start: a new store connection and engine over the same file.
    store = Store(tmp_path / "mirror.db", clock=desk.clock)
    connector = MemoryConnector(desk.remote)
    engine = SyncEngine(store, connector)
    engine.identify()
    assert waiting(store) == 1
    engine.drain()
    assert desk.remote.sent == [("1", "crash test", True)] and waiting(store) == 0
    engine.pull()
    bodies = [m.body for m in store.messages(store.conversation_by_external("1").id)]  # type: ignore[union-attr]
    assert bodies.count("crash test") == 1


def test_offline_keeps_working_and_drains_when_back(desk: Desk) -> None:
    desk.engine.pull()
    desk.connector.online = False
    desk.reply("1", "one")
    desk.set_status("2", Status.DONE)
    desk.engine.drain()
    status = desk.engine.status()
    assert not status.online and status.describe() == "offline, 2 actions waiting"
    conv = desk.store.conversation(desk.local("2"))
    assert conv is not None and conv.status == Status.DONE  # local change stands offline
    desk.connector.online = True
    desk.later(10)
    desk.engine.drain()
    assert waiting(desk.store) == 0 and desk.engine.status().online
    assert desk.remote.tickets["2"].status == Status.DONE
    assert desk.engine.status().describe() == "synced"


def test_a_remote_reply_racing_ours_is_shown_before_ours_goes_out(desk: Desk) -> None:
    desk.engine.pull()
    desk.connector.online = False
    desk.reply("2", "We refund you today")
    desk.engine.drain()
    desk.later(60)
    desk.remote.add_message("2", "Refund sent yesterday", author=PAUL)
    desk.later(60)
    desk.connector.online = True
    desk.engine.pull()
    notice = desk.thread("2")[-1]
    assert notice[0] == "system"
    assert notice[1].startswith("Paul replied 1 min ago, before your reply went out")
    desk.engine.drain()
    assert desk.remote.sent == [("2", "We refund you today", True)]


def test_tags_snooze_and_assign_push(desk: Desk) -> None:
    desk.engine.pull()
    cid = desk.local("1")
    desk.store.change_tags(
        cid, add=["vip"], agent_id=desk.me, outbox={"kind": "tags", "payload": {}}
    )
    until = T0 + timedelta(hours=3)
    desk.store.snooze(cid, until, agent_id=desk.me, outbox={"kind": "snooze", "payload": {}})
    desk.store.assign(cid, desk.me, agent_id=desk.me, outbox={"kind": "assign", "payload": {}})
    desk.engine.drain()
    t = desk.remote.tickets["1"]
    assert t.tags == ["vip"] and t.snoozed_until == until
    assert t.assignee is not None and t.assignee.name == "Alice"


def test_macros_are_imported_with_their_placeholders(desk: Desk) -> None:
    assert desk.engine.import_macros() == 1
    macro = next(m for m in desk.store.macros() if m.title == "Thanks")
    assert macro.body == "Hi {{ticket.requester.first_name}}"


def test_tags_merge_instead_of_conflicting() -> None:
    action = PushAction(
        1,
        "1",
        "tags",
        "k",
        T0,
        1,
        fields={"tags": ["a", "new"]},
        before={"tags": ["a", "old"]},
    )
    plan = plan_fields(action, {"tags": ["a", "old", "theirs"]}, exact)
    assert plan.send == {"tags": ["a", "new", "theirs"]} and not plan.conflicts


def test_registry_lists_without_importing_and_names_the_installed(monkeypatch) -> None:
    assert {"rt", "zendesk"} <= set(available())
    with pytest.raises(UnknownConnector, match=r"'freshdesk' \(installed: email, rt, zendesk"):
        load("freshdesk")


def test_the_same_words_sent_again_later_are_a_new_reply(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "Thanks!")
    desk.engine.drain()
    desk.engine.pull()
    desk.later(30)
    desk.reply("1", "Thanks!")  # on purpose, the same words again
    desk.connector.lose_answers = 1  # and this time the answer is lost: a retry follows
    desk.engine.drain()
    desk.later(5)
    desk.engine.drain()
    assert desk.remote.sent == [("1", "Thanks!", True), ("1", "Thanks!", True)]


def test_a_retry_never_mistakes_an_earlier_reply_for_the_one_in_flight(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "Thanks!")
    desk.engine.drain()
    desk.later(30)
    desk.reply("1", "Thanks!")
    desk.connector.push_faults.append(TransientError("reset before it reached the remote"))
    desk.engine.drain()
    desk.later(5)
    desk.engine.drain()  # the retry finds only the first "Thanks!", which the mirror holds
    assert desk.remote.sent == [("1", "Thanks!", True), ("1", "Thanks!", True)]


def test_a_remote_error_with_a_lone_surrogate_is_kept_readable(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "one")
    desk.connector.push_faults.append(TransientError("502 Bad Gateway \ud800", status=502))
    desk.engine.drain()
    retry = desk.store.conn.execute("SELECT last_error FROM outbox").fetchone()[0]
    assert "502" in retry and "\ufffd" in retry
    desk.later(2.1)
    desk.connector.push_faults.append(PermanentError("403 r\ud83dfus\u00e9", status=403))
    report = desk.engine.drain()
    assert report.failed == 1
    refused = desk.store.conn.execute("SELECT state, last_error FROM outbox").fetchone()
    assert refused[0] == "failed" and "\ufffd" in refused[1]


# -- nothing vanishes: a stale close or snooze ends as a conflict line with the intent ------


def _outbox_states(desk: Desk) -> list[str]:
    return [r[0] for r in desk.store.conn.execute("SELECT state FROM outbox ORDER BY id")]


def test_an_offline_done_overtaken_by_a_colleagues_reply_is_a_conflict_line(desk: Desk) -> None:
    desk.remote.tickets["1"].status = Status.OPEN  # taken up; the customer wrote last
    desk.engine.pull()
    desk.connector.online = False
    desk.set_status("1", Status.DONE)
    desk.engine.drain()  # cannot connect: the done waits
    desk.later(30)
    desk.remote.add_message("1", "On vous renvoie le pain demain", author=PAUL)
    desk.connector.online = True
    desk.engine.pull()  # Paul's reply comes in; the remote's open status shows
    desk.later(300)
    desk.engine.drain()
    assert desk.remote.tickets["1"].status == Status.OPEN  # not closed behind Paul's back
    assert _outbox_states(desk) == ["conflict"]
    assert desk.thread("1")[-1] == (
        "system",
        "⚠ You closed this; Paul replied meanwhile. Close anyway? e",
    )
    assert desk.engine.status().describe() == "1 conflict"
    # The usual key again: the conversation is open locally, so e closes it, and this time
    # the agent decided on the thread as it is.
    conv = desk.store.conversation(desk.local("1"))
    assert conv is not None and conv.status != Status.DONE
    desk.set_status("1", Status.DONE)
    desk.engine.drain()
    assert desk.remote.tickets["1"].status == Status.DONE
    assert _outbox_states(desk) == ["conflict", "done"]
    assert desk.engine.status().describe() == "synced"  # acted on: no longer counted


def test_a_snooze_overtaken_by_the_customer_keeps_the_wake_time_in_the_line(desk: Desk) -> None:
    desk.engine.pull()
    desk.connector.online = False
    cid = desk.local("3")
    until = T0 + timedelta(days=1, hours=2)
    desk.store.snooze(cid, until, agent_id=desk.me, outbox={"kind": "snooze", "payload": {}})
    desk.engine.drain()
    desk.remote.add_message("3", "any news?", author=None)
    desk.connector.online = True
    desk.engine.pull()
    desk.later(300)
    desk.engine.drain()
    assert desk.remote.tickets["3"].snoozed_until is None
    line = desk.thread("3")[-1][1]
    assert line == (
        "⚠ You snoozed this until Wed 25 Nov 11:00 UTC; Ana wrote meanwhile. Snooze anyway? z"
    )
    conv = desk.store.conversation(cid)
    assert conv is not None and conv.snoozed_until is None  # the customer's message shows


def test_a_done_that_may_have_landed_is_never_also_a_conflict(desk: Desk) -> None:
    desk.engine.pull()
    desk.set_status("1", Status.DONE)
    desk.connector.lose_answers = 1  # the close lands on the remote; its answer is lost
    desk.engine.drain()
    assert desk.remote.tickets["1"].status == Status.DONE
    desk.remote.add_message("1", "Reopening: the customer called", author=PAUL)
    desk.engine.pull()
    desk.later(300)
    desk.engine.drain()  # the retry finds its own change: done, not a conflict
    assert _outbox_states(desk) == ["done"]
    assert not any(body.startswith("⚠") for _, body in desk.thread("1"))
    assert desk.remote.applied == {next(iter(desk.remote.applied)): 1}
    assert desk.remote.tickets["1"].status == Status.OPEN  # Paul's reopen stands


def test_a_reopen_pushed_after_a_pull_showed_the_remote_sends_what_the_agent_did(
    desk: Desk,
) -> None:
    desk.engine.pull()
    desk.set_status("2", Status.DONE)
    desk.engine.drain()
    desk.engine.pull()
    desk.connector.online = False
    desk.set_status("2", Status.OPEN)  # reopened offline
    desk.engine.drain()
    desk.connector.online = True
    ticket = desk.remote.tickets["2"]
    ticket.tags = ["refund"]
    desk.remote.touch(ticket)
    desk.engine.pull()
    desk.later(300)
    desk.engine.drain()
    assert ticket.status == Status.OPEN and _outbox_states(desk) == ["done", "done"]


# -- a fast drain: when the remote answers again, what waits goes at once, in order --------


def test_after_an_outage_a_successful_pull_lets_every_waiting_entry_go_in_order(
    desk: Desk,
) -> None:
    desk.engine.pull()
    desk.connector.online = False
    for n in range(6):
        desk.reply(str(n % 3 + 1), f"message {n}")
    for _ in range(180):  # a three-minute outage, the loop draining every second
        desk.engine.drain()
        desk.later(1)
    waits = [r[0] for r in desk.store.conn.execute("SELECT next_attempt_at FROM outbox") if r[0]]
    assert max(waits) - desk.clock.now.timestamp() > 60  # each would wait out its backoff
    desk.connector.online = True
    desk.engine.pull()  # the remote answers
    desk.later(1)
    desk.engine.drain()
    assert waiting(desk.store) == 0
    assert [b for _, b, _ in desk.remote.sent] == [f"message {n}" for n in range(6)]


def test_a_push_that_succeeds_hurries_the_entries_of_other_conversations(desk: Desk) -> None:
    desk.engine.pull()
    desk.connector.online = False
    desk.reply("1", "one")
    desk.engine.drain()
    desk.later(3)
    desk.engine.drain()  # a second failure: 4 s more
    desk.connector.online = True
    desk.reply("2", "two")  # new, due at once: it goes, and tells the drainer RT is back
    desk.later(0.5)
    report = desk.engine.drain()
    assert report.pushed == 2 and waiting(desk.store) == 0
    assert [b for _, b, _ in desk.remote.sent] == ["two", "one"]


def test_a_rate_limit_still_holds_when_the_remote_answers(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "one")
    desk.connector.push_faults.append(RateLimited("slow down", retry_after=30))
    desk.engine.drain()
    desk.engine.pull()  # answers, and hurries: but the account's pause holds
    desk.later(5)
    desk.engine.drain()
    assert desk.remote.sent == []
    desk.later(26)
    desk.engine.drain()
    assert desk.remote.sent == [("1", "one", True)]


def test_a_send_and_done_overtaken_by_the_customer_sends_the_reply_and_holds_the_close(
    desk: Desk,
) -> None:
    desk.engine.pull()
    desk.connector.online = False
    desk.reply("2", "Your refund left today", done=True)
    desk.engine.drain()
    desk.remote.add_message("2", "And can I change my address?", author=None)
    desk.connector.online = True
    desk.engine.pull()
    desk.later(300)
    desk.engine.drain()
    assert desk.remote.sent == [("2", "Your refund left today", True)]
    assert desk.remote.tickets["2"].status == Status.OPEN  # the new question is not closed
    assert _outbox_states(desk) == ["held"]
    assert desk.thread("2")[-1] == (
        "system",
        "⚠ You closed this; Paul wrote meanwhile; your reply went out. Close anyway? e",
    )
    conv = desk.store.conversation(desk.local("2"))
    assert conv is not None and conv.status != Status.DONE
    assert desk.engine.status().describe() == "1 conflict"


# -- a sign-in refused: the action waits, the status bar says why ---------------------------


def test_refused_credentials_keep_the_action_and_say_so(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "On vous renvoie le pain")
    expired = "the sign-in has expired: run `deskterm --remote memory login` again"
    desk.connector.push_faults.append(AuthError(expired, status=401))
    report = desk.engine.drain()
    assert report.failed == 0 and report.retrying == 1 and waiting(desk.store) == 1
    assert desk.engine.status().describe() == f"Memory desk: {expired}, 1 action waiting"
    assert desk.thread("1")[-1] == ("agent", "On vous renvoie le pain")  # not rolled back
    desk.later(60)
    assert desk.engine.drain().pushed == 1  # signed in again: it goes out
    assert desk.engine.status().describe() == "synced"
    assert desk.remote.sent == [("1", "On vous renvoie le pain", True)]


def test_a_refused_pull_puts_the_sign_in_line_in_the_status_bar(desk: Desk) -> None:
    desk.connector.pull_faults.append(AuthError("sign in again", status=401))
    stop, seen = threading.Event(), []

    def on_status(status) -> None:
        seen.append(status.describe())
        stop.set()

    desk.engine.run(stop, interval=60, on_status=on_status)
    assert seen == ["Memory desk: sign in again"]


def test_a_403_is_still_this_action_s_refusal(desk: Desk) -> None:
    desk.engine.pull()
    desk.reply("1", "On vous renvoie le pain")
    desk.connector.push_faults.append(AuthError("no right to modify ticket 1", status=403))
    report = desk.engine.drain()
    assert report.failed == 1 and waiting(desk.store) == 0
