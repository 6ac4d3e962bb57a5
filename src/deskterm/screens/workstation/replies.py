"""Sending a reply, and un-sending it: the reply is held for a few seconds before it is
committed, so "undo send" really un-sends.

A reply to a thread that changed since it was opened is not sent blindly: what arrived is
shown and the agent asked first. A held reply that someone else answered first (two agents
in the same undo delay) is not committed: it stays the draft, and the agent is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.timer import Timer

from deskterm.backend.drafts import UnsavedDrafts
from deskterm.backend.writes import new_key
from deskterm.domain.models import AuthorKind, Message, Status
from deskterm.domain.safety import NAME_CELLS, one_line
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.workstation.host import Host
from deskterm.screens.workstation.undo import OrderActionDone

if TYPE_CHECKING:
    from deskterm.widgets.composer import Composer
    from deskterm.widgets.inbox_list import InboxList


@dataclass
class HeldReply:
    """A reply waiting out its undo delay before it is committed."""

    conversation_id: int
    body: str
    note: bool
    done: bool
    undo_group: str
    after: list[tuple[str, Any]] = field(default_factory=list)  # macro actions to apply
    macro_ids: tuple[int, ...] = ()
    raw_actions: tuple[Any, ...] = ()  # the composer's macros, put back by undo-send
    timer: Timer | None = None
    seen: int = 0  # messages in the conversation when it was sent: it goes only if none came
    target: str = ""  # the composer's title for the conversation, to put the reply back
    orders: list[OrderActionDone] = field(default_factory=list)  # its macros' order actions


#: Run before a reply is held (its macros' order actions); calls back with what it did, or
#: never when the agent said no or an action could not be done (the reply stays unsent).
BeforeHold = Callable[[Callable[[list[OrderActionDone]], None]], None]


class ReplyHost(Host, Protocol):
    """What sending needs of the workstation."""

    @property
    def composer(self) -> Composer: ...

    @property
    def inbox(self) -> InboxList: ...

    @property
    def shown_id(self) -> int | None:
        """The conversation whose thread is on screen."""

    @property
    def shown_count(self) -> int:
        """How many messages of it the agent has seen."""

    def load_conversation(self, conversation_id: int) -> object: ...

    def save_draft(self, conversation_id: int, body: str, note: bool) -> None: ...

    def move_on_from(self, conversation_id: int, *, closed: bool) -> None:
        """After a reply: back to the list; on to the most urgent other conversation when the
        reply ``closed`` it (if the agent wants it)."""

    def focus_composer(self) -> None:
        """The composer on screen and focused now, before keys already queued."""


def who_wrote(messages: list[Message]) -> str:
    return ", ".join(
        dict.fromkeys(one_line(m.author_name, NAME_CELLS) or "Someone" for m in messages)
    )


class HeldReplies:
    """Send with undo. ``remember`` puts a held reply on the screen's undo stack."""

    def __init__(
        self,
        host: ReplyHost,
        unsaved: UnsavedDrafts,
        remember: Callable[[HeldReply], None],
        orders_back: Callable[[HeldReply], None] | None = None,
    ) -> None:
        self.host = host
        self.unsaved = unsaved
        self.remember = remember
        #: Takes back a reply's order actions when the reply itself did not go.
        self.orders_back = orders_back
        self.held: HeldReply | None = None
        """The reply waiting out its undo delay, if any."""
        self.restore_on_show: HeldReply | None = None
        """A reply taken back by undo: opening its thread must leave the composer alone."""

    def sending_to(self, conversation_id: int) -> bool:
        held = self.held
        return held is not None and held.conversation_id == conversation_id

    # -- send ------------------------------------------------------------------------------

    def send(
        self,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        after: list[tuple[str, Any]],
        macro_ids: tuple[int, ...],
        before: BeforeHold | None = None,
    ) -> None:
        """Check the thread in a store worker, then hold the reply (or ask first);
        ``before`` runs once the agent is sure to send, before the reply is held."""
        work = partial(self._check_then_send, cid, body, note, done, after, macro_ids, before)
        self.host.in_thread(work, group="store", name="_check_then_send")

    def _hold_after(self, cid: int, body: str, note: bool, done: bool, after, macro_ids,
                    seen: int, before: BeforeHold | None) -> None:  # fmt: skip
        if before is None:
            self.hold(cid, body, note, done, after, macro_ids, seen=seen)
            return
        before(lambda orders: self.hold(cid, body, note, done, after, macro_ids, seen=seen,
                                        orders=orders))  # fmt: skip

    def _check_then_send(
        self,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        after: list[tuple[str, Any]],
        macro_ids: tuple[int, ...],
        before: BeforeHold | None = None,
    ) -> None:
        """Refuse to answer a stale thread blindly: show what arrived, then ask."""
        host = self.host
        store = host.desk.store
        fresh = store.conversation(cid)
        shown = host.shown_count
        seen = fresh.message_count if fresh is not None else shown
        if fresh is not None and not note and fresh.message_count > shown:
            newer = store.messages(cid, limit=fresh.message_count - shown)
            if any(m.author_kind is not AuthorKind.SYSTEM for m in newer):
                host.from_thread(
                    self._confirm_stale, cid, body, note, done, newer, after, macro_ids, seen,
                    before,
                )  # fmt: skip
                return
        host.from_thread(self._hold_after, cid, body, note, done, after, macro_ids, seen, before)

    def _confirm_stale(
        self,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        newer: list[Message],
        after: list[tuple[str, Any]],
        macro_ids: tuple[int, ...],
        seen: int,
        before: BeforeHold | None = None,
    ) -> None:
        self.host.load_conversation(cid)
        question = (
            f"{who_wrote(newer)} wrote {len(newer)} new message(s) since you opened this "
            "conversation. Send your reply anyway?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._hold_after(cid, body, note, done, after, macro_ids, seen, before)

        self.host.ask(ConfirmScreen(question), answered)

    def hold(
        self,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        after: list[tuple[str, Any]] | None = None,
        macro_ids: tuple[int, ...] = (),
        *,
        seen: int,
        orders: list[OrderActionDone] | None = None,
    ) -> None:
        """Hold the reply for the undo delay (the setting), then commit it."""
        host = self.host
        self.flush()
        held = HeldReply(cid, body, note, done, new_key(), after or [], macro_ids, seen=seen)
        held.orders = list(orders or [])
        composer = host.composer
        if composer.conversation_id == cid:
            held.raw_actions = tuple(composer.used_macros)
            held.target = composer.target
        delay = host.desk.settings.undo_send_seconds
        self.held = held
        composer.clear()
        what = "Note" if note else "Reply"
        if delay > 0:
            held.timer = host.set_timer(delay, self.flush)
            host.notify(f"{what} sending in {delay:g}s — u to undo", timeout=delay)
        self.remember(held)
        if delay <= 0:
            self.flush()
        if done or not note:
            host.move_on_from(cid, closed=done)

    def flush(self) -> None:
        """Commit the held reply now (in a store worker)."""
        held = self.held
        if held is None:
            return
        self.held = None
        if held.timer is not None:
            held.timer.stop()
        self.host.in_thread(partial(self._commit_reply, held), group="store", name="_commit_reply")

    def commit_now(self) -> None:
        """On quit: a held reply is committed at once, never dropped."""
        held = self.held
        if held is None:
            return
        self.held = None
        if held.timer is not None:
            held.timer.stop()
        if self.write(held):
            self._back_in_composer(held)  # so that quitting saves it as the draft again

    def _commit_reply(self, held: HeldReply) -> None:
        newer = self.write(held)
        if newer:
            conversation = self.host.desk.store.conversation(held.conversation_id)
            number = conversation.number if conversation else held.conversation_id
            self.host.from_thread(self._came_back, held, newer, number)
        self.host.from_thread(self.host.inbox.refresh_rows)

    def write(self, held: HeldReply) -> list[Message]:
        """Commit a held reply, unless someone else wrote in the conversation since it was
        sent (two agents answering in the same undo delay): then it stays the draft, and the
        messages that stopped it are returned. Checked and written in one transaction."""
        desk = self.host.desk
        store = desk.store
        cid, me = held.conversation_id, desk.agent.id
        # The reply's own draft, offered when it was sent, is written before, never after.
        self.unsaved.save(store, me)
        with store.transaction():
            newer = [] if held.note else self._written_since(held)
            if newer:
                store.save_draft(cid, me, held.body, note=held.note)
                return newer
            store.add_message(
                cid,
                author_kind=AuthorKind.AGENT,
                author_id=me,
                author_name=desk.agent.name,
                body=held.body,
                public=not held.note,
                status_after=Status.DONE if held.done else None,
                undo_group=held.undo_group,
                outbox=desk.outbox_for(
                    "note" if held.note else "reply", body=held.body, done=held.done
                ),
            )
            draft = store.draft(cid, me)
            if draft is not None and draft.body == held.body:  # not one typed since
                store.save_draft(cid, me, "")
        for kind, value in held.after:
            desk.apply_change(held.conversation_id, kind, value, undo_group=held.undo_group)
        for macro_id in held.macro_ids:
            store.record_macro_use(
                macro_id, agent_id=desk.agent.id, conversation_id=held.conversation_id
            )
        return []

    def _written_since(self, held: HeldReply) -> list[Message]:
        """Messages by someone else (customer, agent) added after the reply was sent."""
        desk = self.host.desk
        store = desk.store
        fresh = store.conversation(held.conversation_id)
        if fresh is None or fresh.message_count <= held.seen:
            return []
        me = desk.agent.id
        return [
            m
            for m in store.messages(held.conversation_id, limit=fresh.message_count - held.seen)
            if m.author_kind is not AuthorKind.SYSTEM
            and not (m.author_kind is AuthorKind.AGENT and m.author_id == me)
        ]

    def _came_back(self, held: HeldReply, newer: list[Message], number: int) -> None:
        """A held reply was not sent (someone wrote first): say so; it is the draft now.
        ``number`` is the conversation's as the agent knows it (the remote's ticket number)."""
        self.host.notify(
            one_line(
                f"Not sent: {who_wrote(newer)} wrote in #{number} meanwhile; "
                "your reply is its draft, read and send again.",
                300,
            ),
            severity="warning",
            timeout=15,
            markup=False,
        )
        self._back_in_composer(held)
        if held.orders and self.orders_back is not None:
            self.orders_back(held)  # not sent: what its macros did goes back too
        if self.host.shown_id == held.conversation_id:
            self.host.load_conversation(held.conversation_id)

    def _back_in_composer(self, held: HeldReply) -> None:
        """The composer still on the conversation gets the reply back, before what was typed
        since; elsewhere, opening the conversation brings it back from the draft."""
        composer = self.host.composer
        if composer.conversation_id != held.conversation_id:
            return
        typed = composer.text
        composer.insert(held.body + (f"\n\n{typed}" if typed.strip() else ""), replace=True)
        composer.note = held.note
        composer.restore_macros(held.raw_actions)

    # -- undo send -------------------------------------------------------------------------

    def take_back(self, item: HeldReply) -> bool:
        """``u`` on a reply: un-send it if it is still held. False when it was committed
        already (then only what it changed can be undone, not the words)."""
        if self.held is not item:
            return False
        host = self.host
        self.held = None
        if item.timer is not None:
            item.timer.stop()
        # Back in the composer now, focused: keys typed right after `u` (a priority binding,
        # run as the app takes it from its queue) go after the text. The thread follows; its
        # loading leaves the composer alone.
        self.restore(item)
        self.restore_on_show = item
        host.save_draft(item.conversation_id, item.body, item.note)
        host.inbox.move_to(item.conversation_id)
        host.load_conversation(item.conversation_id)
        host.notify("Not sent: your text is back in the composer.")
        return True

    def restore(self, held: HeldReply) -> None:
        """Put a reply taken back by undo into the composer, with its macro and actions."""
        composer = self.host.composer
        if composer.conversation_id == held.conversation_id and not composer.text:
            # Still on it, emptied by the send: loading must not offer that emptiness as its
            # draft, after the reply saved as the draft.
            composer.conversation_id = None
        target = held.target or f"#{held.conversation_id}"
        composer.load(held.conversation_id, target, held.body, note=held.note)
        composer.restore_macros(held.raw_actions)
        self.host.focus_composer()
