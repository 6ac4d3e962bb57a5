"""The workstation's parts, each built with a small fake host instead of the whole screen.

A fake host records what a part asked (notices, modals, workers, timers) and runs workers at
once, in the test's thread; the store is the real one where the part writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from deskterm.backend.writes import ChangedMeanwhile
from deskterm.domain.models import AuthorKind, Status
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.workstation.drafts import DraftSaver
from deskterm.screens.workstation.live import (
    MEDIAN_SECONDS,
    MEDIAN_SLOW_SECONDS,
    LiveUpdates,
    Polled,
    median_interval,
)
from deskterm.screens.workstation.replies import HeldReplies, HeldReply
from deskterm.screens.workstation.triage import Triage
from deskterm.screens.workstation.undo import DoneAction, UndoStack
from tests.app.conftest import quiet_settings


class FakeTimer:
    def __init__(self, delay: float, callback: Callable[[], object]) -> None:
        self.delay, self.callback, self.stopped = delay, callback, False

    def stop(self) -> None:
        self.stopped = True


class FakeComposer:
    def __init__(self, conversation_id: int | None = None, text: str = "") -> None:
        self.conversation_id, self.text, self.note = conversation_id, text, False
        self.used_macros: list[Any] = []
        self.target = f"#{conversation_id}"
        self.loaded: list[tuple[int, str, str]] = []

    def clear(self) -> None:
        self.text = ""

    def insert(self, text: str, *, replace: bool = False, **_: Any) -> str:
        self.text = text if replace else self.text + text
        return text

    def load(self, cid: int, target: str, body: str, *, note: bool = False) -> None:
        self.conversation_id, self.text, self.note = cid, body, note
        self.loaded.append((cid, target, body))

    def restore_macros(self, used: Any) -> None:
        self.used_macros = list(used)


class FakeInbox:
    def __init__(self, cursor_id: int | None = None) -> None:
        self.cursor_id = cursor_id
        self.selected_ids: set[int] = set()
        self.refreshed = 0
        self.moved_to: list[int] = []

    @property
    def chosen_id(self) -> int | None:
        return self.cursor_id

    def refresh_rows(self) -> None:
        self.refreshed += 1

    def clear_selection(self) -> None:
        self.selected_ids = set()

    def select_ids(self, ids: Any) -> None:
        self.selected_ids = set(ids)

    def row_for(self, cid: int) -> None:
        return None

    def move_to(self, cid: int) -> bool:
        self.moved_to.append(cid)
        return True


class FakeHost:
    """Every part's host at once: what it was asked is recorded."""

    def __init__(self, desk: Any, *, composer: FakeComposer | None = None) -> None:
        self.desk = desk
        self.composer = composer or FakeComposer()
        self.inbox = FakeInbox()
        self.inbox_focused = True
        self.shown: Any = None
        self.shown_id: int | None = None
        self.shown_count = 0
        self.notices: list[tuple[str, str]] = []
        self.asked: list[tuple[Any, Callable[[Any], None]]] = []
        self.workers: list[str] = []
        self.timers: list[FakeTimer] = []
        self.messages: list[Any] = []
        self.drafts_saved: list[tuple[int, str, bool]] = []
        self.loaded: list[int] = []
        self.moved_on: list[int] = []
        self.put_away: set[int] = set()
        self.composer_focused = 0
        self.running: set[str] = set()

    def notify(self, message: str, *, severity: str = "information", **_: Any) -> None:
        self.notices.append((severity, message))

    def ask(self, modal: Any, answered: Callable[[Any], None]) -> None:
        self.asked.append((modal, answered))

    def in_thread(self, work: Callable[[], None], *, group: str, name: str, **_: Any) -> None:
        self.workers.append(name)
        work()

    def from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    def set_timer(self, delay: float, callback: Callable[[], object]) -> FakeTimer:
        self.timers.append(FakeTimer(delay, callback))
        return self.timers[-1]

    set_interval = set_timer

    def busy(self, group: str) -> bool:
        return group in self.running

    def post_message(self, message: Any) -> bool:
        self.messages.append(message)
        return True

    def load_conversation(self, cid: int) -> None:
        self.loaded.append(cid)

    def save_draft(self, cid: int, body: str, note: bool) -> None:
        self.drafts_saved.append((cid, body, note))

    def move_on_from(self, cid: int, *, closed: bool) -> None:
        self.moved_on.append(cid)

    def focus_composer(self) -> None:
        self.composer_focused += 1


def fake_desk(store: Any, agent_id: int, **settings: Any) -> SimpleNamespace:
    agent = store.agent(agent_id)
    return SimpleNamespace(
        store=store,
        agent=agent,
        settings=quiet_settings(**settings),
        outbox_for=lambda *a, **k: None,
        keymap_overrides={},
        clock=store.clock,
        agent_name=lambda aid: "you" if aid == agent_id else f"agent {aid}",
    )


def messages_by(store: Any, cid: int, agent_id: int) -> list[str]:
    return [
        m.body
        for m in store.messages(cid, limit=50)
        if m.author_kind is AuthorKind.AGENT and m.author_id == agent_id
    ]


# -- the undo stack ----------------------------------------------------------------------


def test_the_undo_stack_gives_back_the_newest_and_forgets_the_oldest():
    stack: UndoStack[DoneAction] = UndoStack(depth=3)
    assert stack.pop() is None
    for n in range(5):
        stack.push(DoneAction(f"g{n}", f"action {n}"))
    assert len(stack) == 3
    assert [stack.pop().undo_group for _ in range(3)] == ["g4", "g3", "g2"]  # type: ignore[union-attr]
    assert stack.pop() is None


# -- held replies ------------------------------------------------------------------------


def test_a_held_reply_waits_out_its_delay_and_undo_takes_it_back(desk_store):
    store, ids = desk_store
    cid, me = ids["bread"], ids["camille"]
    host = FakeHost(fake_desk(store, me, undo_send_seconds=5), composer=FakeComposer(cid))
    remembered: list[HeldReply] = []
    replies = HeldReplies(host, DraftSaver(host).unsaved, remembered.append)

    replies.hold(cid, "Bonjour Léa", note=False, done=True, seen=0)

    held = replies.held
    assert held is not None and remembered == [held] and replies.sending_to(cid)
    assert host.timers[-1].delay == 5 and host.workers == []  # nothing written yet
    assert host.notices[-1][1].startswith("Reply sending in 5s")
    assert host.composer.text == "" and host.moved_on == [cid]

    assert replies.take_back(held)
    assert replies.held is None and host.timers[-1].stopped
    assert host.composer.text == "Bonjour Léa" and host.composer_focused == 1
    assert replies.restore_on_show is held
    assert host.drafts_saved == [(cid, "Bonjour Léa", False)] and host.loaded == [cid]
    assert "Bonjour Léa" not in messages_by(store, cid, me)
    assert not replies.take_back(held)  # twice: nothing held any more


def test_a_held_reply_is_written_when_its_delay_is_over(desk_store):
    store, ids = desk_store
    cid, me = ids["bread"], ids["camille"]
    host = FakeHost(fake_desk(store, me, undo_send_seconds=5))
    replies = HeldReplies(host, DraftSaver(host).unsaved, lambda held: None)
    seen = store.conversation(cid).message_count

    replies.hold(cid, "Voilà, renvoyé.", note=False, done=True, seen=seen)
    host.timers[-1].callback()  # the delay is over

    assert host.workers == ["_commit_reply"] and replies.held is None
    assert messages_by(store, cid, me)[-1] == "Voilà, renvoyé."
    assert store.conversation(cid).status is Status.DONE
    assert host.inbox.refreshed == 1


def test_a_held_reply_someone_answered_first_stays_the_draft(desk_store, clock):
    store, ids = desk_store
    cid, me = ids["bread"], ids["camille"]
    host = FakeHost(fake_desk(store, me, undo_send_seconds=5), composer=FakeComposer(cid))
    replies = HeldReplies(host, DraftSaver(host).unsaved, lambda held: None)
    replies.hold(
        cid, "Je regarde.", note=False, done=False, seen=store.conversation(cid).message_count
    )
    clock.now += timedelta(seconds=2)
    store.add_message(
        cid,
        author_kind=AuthorKind.AGENT,
        author_id=ids["paul"],
        author_name="Paul Roux",
        body="C'est renvoyé.",
    )

    host.timers[-1].callback()

    assert "Je regarde." not in messages_by(store, cid, me)
    assert store.draft(cid, me).body == "Je regarde."
    severity, notice = host.notices[-1]
    assert severity == "warning" and notice.startswith("Not sent: Paul Roux wrote in")
    assert host.composer.text == "Je regarde."  # back where the agent writes


def test_a_reply_to_a_thread_that_moved_on_asks_first(desk_store):
    store, ids = desk_store
    cid, me = ids["bread"], ids["camille"]
    host = FakeHost(fake_desk(store, me, undo_send_seconds=5))
    host.shown_count = 0  # the agent saw none of the messages there are now
    replies = HeldReplies(host, DraftSaver(host).unsaved, lambda held: None)

    replies.send(cid, "Bonjour", note=False, done=False, after=[], macro_ids=())

    assert replies.held is None and host.loaded == [cid]
    modal, answered = host.asked[-1]
    assert isinstance(modal, ConfirmScreen)
    answered(True)
    assert replies.held is not None and replies.held.body == "Bonjour"


# -- triage: changed meanwhile ------------------------------------------------------------


def test_a_change_another_agent_made_first_is_refused_then_applied_on_the_same_key(
    desk_store,
):
    store, ids = desk_store
    cid, me = ids["bread"], ids["camille"]
    desk = fake_desk(store, me)
    calls: list[dict[str, Any] | None] = []

    def apply_change(cid: int, kind: str, value: Any, *, undo_group: str, seen: Any) -> None:
        calls.append(seen)
        if len(calls) == 1:
            raise ChangedMeanwhile(cid, "assignee_id", ids["paul"], ids["paul"], None)

    desk.apply_change = apply_change
    host = FakeHost(desk)
    host.inbox.cursor_id = cid
    remembered: list[DoneAction] = []
    triage = Triage(host, remembered.append)

    triage.take()

    severity, notice = host.notices[-1]
    assert severity == "warning" and "press i again to take it anyway" in notice
    assert triage.told == {(cid, "assignee_id"): ids["paul"]}
    assert [a.description for a in remembered] == ["Assigned to you"]

    triage.take()  # the same key again: checked against what the agent was told

    assert calls[-1] == {"assignee_id": ids["paul"]}
    assert host.notices[-1] == ("information", "Assigned to you · u to undo")
    assert triage.told == {}


def test_triage_without_a_conversation_says_so():
    host = FakeHost(SimpleNamespace())
    triage = Triage(host, lambda action: pytest.fail("nothing to remember"))
    triage.done()
    assert host.notices == [("information", "No conversation here.")] and host.workers == []


# -- drafts ------------------------------------------------------------------------------


class Refusing:
    def __init__(self) -> None:
        self.refuse = True
        self.saved: list[str] = []

    def save_draft(self, cid: int, agent_id: int, body: str, *, note: bool = False) -> None:
        if self.refuse:
            raise sqlite3.OperationalError("database is locked")
        self.saved.append(body)

    def touch_presence(self, *args: Any) -> None:
        pass


def test_a_draft_the_store_refuses_is_said_once_and_saved_when_it_accepts_again():
    store = Refusing()
    host = FakeHost(SimpleNamespace(store=store, agent=SimpleNamespace(id=1)))
    drafts = DraftSaver(host)

    drafts.save(7, "Bonjour", False)
    drafts.save(7, "Bonjour Léa", False)

    ((severity, notice),) = host.notices  # said once, for both
    assert severity == "warning" and notice.startswith("Draft not saved")
    assert drafts.unsaved.pending
    retry = host.timers[-1]
    store.refuse = False
    retry.callback()
    assert store.saved == ["Bonjour Léa"] and not drafts.unsaved.pending
    assert host.notices[-1][1] == "Draft saved: the store accepts changes again."
    assert retry.stopped


# -- live updates --------------------------------------------------------------------------


def test_the_poll_says_what_changed(desk_store):
    store, ids = desk_store
    host = FakeHost(fake_desk(store, ids["camille"]))
    host.shown_id = ids["bread"]
    live = LiveUpdates(host)

    live.poll()
    live.poll()

    first, second = host.messages
    assert isinstance(first, Polled) and first.changed and not second.changed
    assert second.fresh is not None and second.fresh.id == ids["bread"]
    assert median_interval(0.01) == MEDIAN_SECONDS
    assert median_interval(0.5) == MEDIAN_SLOW_SECONDS


# -- layout and the inbox's reads ----------------------------------------------------------


def test_a_narrow_terminal_shows_the_pane_the_agent_is_on():
    from deskterm.screens.workstation.layout import panes_on_screen

    assert panes_on_screen("customer", narrow=False, very_narrow=False) == (True, True, True)
    assert panes_on_screen("customer", narrow=True, very_narrow=False) == (False, True, True)
    assert panes_on_screen("inbox", narrow=True, very_narrow=False) == (True, True, False)
    assert panes_on_screen("conversation", narrow=True, very_narrow=True) == (False, True, False)


def test_an_inbox_page_is_read_from_its_neighbour_when_one_is_loaded():
    from deskterm.widgets.inbox_reads import PAGE, how_to_read

    def rows(n: int) -> list[Any]:
        return [SimpleNamespace(sort_value=i, id=1000 + i) for i in range(n)]

    assert how_to_read({0: rows(PAGE)}, 1, 10 * PAGE) == ("after", (PAGE - 1, 1000 + PAGE - 1))
    assert how_to_read({3: rows(PAGE)}, 2, 10 * PAGE) == ("before", (0, 1000))
    assert how_to_read({}, 9, 10 * PAGE - 5) == ("last", PAGE - 5)
    assert how_to_read({}, 4, 10 * PAGE) == ("offset",)
