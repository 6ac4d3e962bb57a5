"""Inbox-zero actions of the workstation: send (with undo), done, snooze, assign, tags, undo.

Each action works on the selected conversations, or on the one under the cursor; each runs
in a store worker, is recorded as events under one undo group, and can be taken back with
``u``. A reply is held for a few seconds before it is committed, so "undo send" really
un-sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import work
from textual.timer import Timer

from deskterm.backend.rows import InboxRow
from deskterm.backend.writes import ChangedMeanwhile, new_key
from deskterm.domain.models import UNTIL_REPLY, AuthorKind, Conversation, Message, Priority, Status
from deskterm.domain.safety import NAME_CELLS, one_line
from deskterm.domain.snooze import SnoozeTarget
from deskterm.keymap import keys_for
from deskterm.screens import changed_meanwhile
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.order_actions import OrderActionDone
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.snooze import SnoozeScreen
from deskterm.widgets.composer import Composer

if TYPE_CHECKING:
    from deskterm.screens.workstation import WorkstationScreen


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


@dataclass
class DoneAction:
    """A committed action that ``u`` can take back."""

    undo_group: str
    description: str


class TriageMixin:
    """Mixed into the workstation screen; ``self`` is a WorkstationScreen.

    Message handlers here use the ``on_<widget>_<message>`` names: Textual collects ``@on``
    handlers only from message-pump classes, never from a plain mixin.
    """

    _held: HeldReply | None = None
    _undo_stack: list[DoneAction | HeldReply | OrderActionDone]
    _told: dict[tuple[int, str], Any]
    """What the agent was told another agent changed: (conversation, field) → value. The
    same action again is then checked against that value, so it applies anyway."""

    # -- which conversations -------------------------------------------------------------

    def _targets(self: WorkstationScreen) -> list[int]:
        selected = sorted(self.inbox.selected_ids)
        if selected:
            return selected
        focused = self.focused
        if focused is self.inbox and self.inbox.cursor_id is not None:
            return [self.inbox.cursor_id]
        if self.bundle is not None:
            return [self.bundle.conversation.id]
        if self.inbox.cursor_id is not None:
            return [self.inbox.cursor_id]
        return []

    def _undo_push(self: WorkstationScreen, item: DoneAction | HeldReply | OrderActionDone) -> None:
        if not hasattr(self, "_undo_stack"):
            self._undo_stack = []
        self._undo_stack.append(item)
        del self._undo_stack[:-50]

    # -- send ------------------------------------------------------------------------------

    def on_composer_send_requested(self: WorkstationScreen, event: Composer.SendRequested) -> None:
        after = self.macro_changes(event.actions)
        # Until it is committed, the reply is also the conversation's draft (the composer
        # is emptied at once): a closed terminal during the undo delay loses nothing.
        self.save_draft(event.conversation_id, event.body, event.note)
        self._check_then_send(
            event.conversation_id, event.body, event.note, event.done, after, event.macro_ids
        )

    @work(thread=True, group="store", exit_on_error=False)
    def _check_then_send(
        self: WorkstationScreen,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        after: list[tuple[str, Any]] | None = None,
        macro_ids: tuple[int, ...] = (),
    ) -> None:
        """Refuse to answer a stale thread blindly: show what arrived, then ask."""
        fresh = self.desk.store.conversation(cid)
        shown = self._shown_count
        seen = fresh.message_count if fresh is not None else shown
        if fresh is not None and not note and fresh.message_count > shown:
            newer = self.desk.store.messages(cid, limit=fresh.message_count - shown)
            if any(m.author_kind is not AuthorKind.SYSTEM for m in newer):
                self.app.call_from_thread(
                    self._confirm_stale, cid, body, note, done, newer, after, macro_ids, seen
                )
                return
        self.app.call_from_thread(
            self._hold_reply, cid, body, note, done, after, macro_ids, seen=seen
        )

    def _confirm_stale(
        self: WorkstationScreen,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        newer,
        after: list[tuple[str, Any]] | None = None,
        macro_ids: tuple[int, ...] = (),
        seen: int = 0,
    ) -> None:
        self.load_conversation(cid)
        who = ", ".join(
            dict.fromkeys(one_line(m.author_name, NAME_CELLS) or "Someone" for m in newer)
        )
        question = (
            f"{who} wrote {len(newer)} new message(s) since you opened this "
            "conversation. Send your reply anyway?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._hold_reply(cid, body, note, done, after, macro_ids, seen=seen)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _hold_reply(
        self: WorkstationScreen,
        cid: int,
        body: str,
        note: bool,
        done: bool,
        after: list[tuple[str, Any]] | None = None,
        macro_ids: tuple[int, ...] = (),
        *,
        seen: int,
    ) -> None:
        self._flush_held()
        held = HeldReply(cid, body, note, done, new_key(), after or [], macro_ids, seen=seen)
        if self.composer.conversation_id == cid:
            held.raw_actions = tuple(self.composer.used_macros)
            held.target = self.composer._target
        delay = self.desk.settings.undo_send_seconds
        self._held = held
        self.composer.clear()
        what = "Note" if note else "Reply"
        if delay > 0:
            held.timer = self.set_timer(delay, self._flush_held)
            self.notify(f"{what} sending in {delay:g}s — u to undo", timeout=delay)
        self._undo_push(held)
        if delay <= 0:
            self._flush_held()
        if done or not note:
            self._advance_after(cid)

    def _advance_after(self: WorkstationScreen, cid: int) -> None:
        """After a reply: move on to the next most urgent conversation."""
        if self.desk.settings.auto_advance:
            self.inbox.focus()
            self.narrow_pane = "inbox"
            self.inbox.step_past(cid)

    def _flush_held(self: WorkstationScreen) -> None:
        held = self._held
        if held is None:
            return
        self._held = None
        if held.timer is not None:
            held.timer.stop()
        self._commit_reply(held)

    def commit_held_now(self: WorkstationScreen) -> None:
        """On quit: a held reply is committed at once, never dropped."""
        held = self._held
        if held is None:
            return
        self._held = None
        if held.timer is not None:
            held.timer.stop()
        if self._write_reply(held):
            self._back_in_composer(held)  # so that quitting saves it as the draft again

    @work(thread=True, group="store", exit_on_error=False)
    def _commit_reply(self: WorkstationScreen, held: HeldReply) -> None:
        newer = self._write_reply(held)
        if newer:
            self.app.call_from_thread(self._came_back, held, newer)
        self.app.call_from_thread(self.inbox.refresh_rows)

    def _write_reply(self: WorkstationScreen, held: HeldReply) -> list[Message]:
        """Commit a held reply, unless someone else wrote in the conversation since it was
        sent (two agents answering in the same undo delay): then it stays the draft, and the
        messages that stopped it are returned. Checked and written in one transaction."""
        desk = self.desk
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

    def _written_since(self: WorkstationScreen, held: HeldReply) -> list[Message]:
        """Messages by someone else (customer, agent) added after the reply was sent."""
        store = self.desk.store
        fresh = store.conversation(held.conversation_id)
        if fresh is None or fresh.message_count <= held.seen:
            return []
        me = self.desk.agent.id
        return [
            m
            for m in store.messages(held.conversation_id, limit=fresh.message_count - held.seen)
            if m.author_kind is not AuthorKind.SYSTEM
            and not (m.author_kind is AuthorKind.AGENT and m.author_id == me)
        ]

    def _came_back(self: WorkstationScreen, held: HeldReply, newer: list[Message]) -> None:
        """A held reply was not sent (someone wrote first): say so; it is the draft now."""
        who = ", ".join(
            dict.fromkeys(one_line(m.author_name, NAME_CELLS) or "Someone" for m in newer)
        )
        self.notify(
            one_line(
                f"Not sent: {who} wrote in #{held.conversation_id} meanwhile; "
                "your reply is its draft, read and send again.",
                300,
            ),
            severity="warning",
            timeout=15,
            markup=False,
        )
        self._back_in_composer(held)
        if self.bundle is not None and self.bundle.conversation.id == held.conversation_id:
            self.load_conversation(held.conversation_id)

    def _back_in_composer(self: WorkstationScreen, held: HeldReply) -> None:
        """The composer still on the conversation gets the reply back, before what was typed
        since; elsewhere, opening the conversation brings it back from the draft."""
        composer = self.composer
        if composer.conversation_id != held.conversation_id:
            return
        typed = composer.text
        composer.insert(held.body + (f"\n\n{typed}" if typed.strip() else ""), replace=True)
        composer.note = held.note
        composer.restore_macros(held.raw_actions)

    # -- undo ------------------------------------------------------------------------------

    def action_undo(self: WorkstationScreen) -> None:
        stack = getattr(self, "_undo_stack", [])
        while stack:
            item = stack.pop()
            if isinstance(item, HeldReply):
                if self._held is item:
                    self._held = None
                    if item.timer is not None:
                        item.timer.stop()
                    # Back in the composer now, focused: keys typed right after `u` (a
                    # priority binding, run as the app takes it from its queue) go after
                    # the text. The thread follows; its loading leaves the composer alone.
                    self.restore_held(item)
                    self.restore_on_show = item
                    self.save_draft(item.conversation_id, item.body, item.note)
                    self.inbox.move_to(item.conversation_id)
                    self.load_conversation(item.conversation_id)
                    self.notify("Not sent: your text is back in the composer.")
                    return
                # Already committed: undo what it changed (status, tags…), not the words.
                self._undo_group(
                    item.undo_group,
                    "Status after the reply undone (the message itself was already sent)",
                )
                return
            if isinstance(item, OrderActionDone):
                self.undo_order_action(item)  # the shop's change goes back through its provider
                return
            self._undo_group(item.undo_group, f"Undone: {item.description}")
            return
        self.notify("Nothing to undo.")

    def restore_held(self: WorkstationScreen, held: HeldReply) -> None:
        """Put a reply taken back by undo into the composer, with its macro and actions."""
        target = held.target or f"#{held.conversation_id}"
        self.composer.load(held.conversation_id, target, held.body, note=held.note)
        self.composer.restore_macros(held.raw_actions)
        self.composer.display = True
        self.focus_now(self.composer.area)
        self.narrow_pane = "conversation"

    @work(thread=True, group="store", exit_on_error=False)
    def _undo_group(self: WorkstationScreen, group: str, message: str) -> None:
        touched = self.desk.store.undo(
            group, agent_id=self.desk.agent.id, outbox=self.desk.outbox_for("undo")
        )
        self.app.call_from_thread(self.inbox.refresh_rows)
        text = message if touched else "Nothing left to undo there (it changed since)."
        self.app.call_from_thread(self.notify, text)

    # -- actions on conversations ------------------------------------------------------------

    def _apply(
        self: WorkstationScreen,
        description: str,
        kind: str,
        value: Any,
        ids: list[int] | None = None,
    ) -> None:
        ids = ids if ids is not None else self._targets()
        if not ids:
            self.notify("No conversation here.")
            return
        group = new_key()
        self._undo_push(
            DoneAction(group, f"{description} ({len(ids)})" if len(ids) > 1 else description)
        )
        seen = {cid: self._seen(cid, kind) for cid in ids}
        self._run_apply(ids, kind, value, group, description, seen)

    def _shown(self: WorkstationScreen, cid: int) -> InboxRow | Conversation | None:
        """The freshest of what the agent has on screen for a conversation."""
        row = self.inbox.row_for(cid)
        conv = None
        if self.bundle is not None and self.bundle.conversation.id == cid:
            conv = self.bundle.conversation
        if row is not None and conv is not None:
            return conv if conv.version >= row.version else row
        return row or conv

    def _seen(self: WorkstationScreen, cid: int, kind: str) -> dict[str, Any] | None:
        """What the agent saw of the field ``kind`` changes, or was told of since."""
        seen = changed_meanwhile.seen_values(kind, self._shown(cid))
        told = getattr(self, "_told", {})
        field = changed_meanwhile.FIELD_OF.get(kind)
        if field is not None and (cid, field) in told:
            seen = {field: told.pop((cid, field))}
        return seen

    @work(thread=True, group="store", exit_on_error=False)
    def _run_apply(
        self: WorkstationScreen,
        ids: list[int],
        kind: str,
        value: Any,
        group: str,
        description: str,
        seen: dict[int, dict[str, Any] | None] | None = None,
    ) -> None:
        failed = []
        refused: list[ChangedMeanwhile] = []
        for cid in ids:
            try:
                self.desk.apply_change(
                    cid, kind, value, undo_group=group, seen=(seen or {}).get(cid)
                )
            except ChangedMeanwhile as exc:  # another agent got there first: say so
                refused.append(exc)
            except Exception as exc:  # one refused conversation must not stop the others
                failed.append(f"#{cid}: {exc}")
        self.app.call_from_thread(
            self._applied, ids, description, failed, refused, self._again(kind, value, refused)
        )

    def _again(self: WorkstationScreen, kind: str, value: Any, refused: list) -> str:
        """How to apply a refused action anyway: "press i again to take it anyway"."""
        if not refused:
            return ""
        key_id, verb = {
            "assign": ("desk.assign", "assign"),
            "group": ("desk.assign", "move"),
            "status": ("desk.reopen", "reopen"),
            "priority": ("desk.priority", "set"),
            "snooze": ("desk.snooze", "snooze"),
        }.get(kind, ("desk.assign", "apply"))
        if kind == "assign" and value == self.desk.agent.id:
            key_id, verb = "desk.take", "take"
        elif kind == "status" and value == Status.DONE:
            key_id, verb = "desk.done", "close"
        key = keys_for(key_id, self.desk.keymap_overrides).split(",")[0]
        return f"press {key} again to {verb} {'it' if len(refused) == 1 else 'them'} anyway"

    def _applied(
        self: WorkstationScreen,
        ids: list[int],
        description: str,
        failed: list[str],
        refused: list[ChangedMeanwhile] | None = None,
        again: str = "",
    ) -> None:
        refused = refused or []
        self.inbox.clear_selection()
        self.inbox.refresh_rows()
        if self.bundle is not None and self.bundle.conversation.id in ids:
            self.load_conversation(self.bundle.conversation.id)
        self._told = {(exc.conversation_id, exc.field): exc.found for exc in refused}
        if len(refused) > 1 or (refused and len(ids) > 1):
            # The skipped ones stay selected: the same key again is for them.
            self.inbox.select_ids(exc.conversation_id for exc in refused)
        told = ""
        if refused:
            told = changed_meanwhile.notice(
                refused,
                len(ids),
                name=self.desk.agent_name,
                now=self.desk.clock(),
                again=again,
            )
        n = len(ids) - len(failed) - len(refused)
        if refused and n == 0 and not failed:
            self.notify(one_line(told, 300), severity="warning", timeout=10, markup=False)
            return
        what = f"{description}" + (f" — {n} conversations" if len(ids) > 1 else "")
        if failed:
            what += "; failed: " + "; ".join(failed[:3])
        if refused:
            what += f"; {told}"
        # Names and tags in it come from customers and remotes: plain text, one bounded line.
        self.notify(
            one_line(f"{what} · u to undo" if not (failed or refused) else what, 300),
            severity="warning" if (failed or refused) else "information",
            timeout=10 if refused else None,
            markup=False,
        )

    def action_done(self: WorkstationScreen) -> None:
        self._apply("Done", "status", Status.DONE)

    def action_reopen(self: WorkstationScreen) -> None:
        self._apply("Reopened", "status", Status.OPEN)

    def action_snooze(self: WorkstationScreen) -> None:
        ids = self._targets()
        if not ids:
            return

        def chosen(target: SnoozeTarget | None) -> None:
            if target is not None:
                label = (
                    "until the customer replies" if target.until == UNTIL_REPLY else target.label
                )
                self._apply(f"Snoozed {label}", "snooze", target, ids)

        self.app.push_screen(
            SnoozeScreen(now=self.desk.clock(), tz=self.desk.tz, count=len(ids)), chosen
        )

    def action_take(self: WorkstationScreen) -> None:
        self._apply("Assigned to you", "assign", self.desk.agent.id)

    def action_assign(self: WorkstationScreen) -> None:
        ids = self._targets()
        if not ids:
            return
        choices = [
            Choice(f"agent:{self.desk.agent.id}", "Me", self.desk.agent.name),
            Choice("none", "Nobody", "unassign"),
        ]
        choices += [
            Choice(f"agent:{a.id}", a.name, a.email)
            for a in self.desk.agents
            if a.id != self.desk.agent.id
        ]
        choices += [Choice(f"group:{g.id}", f"Group: {g.name}") for g in self.desk.groups]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            if value == "none":
                self._apply("Unassigned", "assign", None, ids)
            elif value.startswith("agent:"):
                aid = int(value.split(":")[1])
                self._apply(f"Assigned to {self.desk.agent_name(aid)}", "assign", aid, ids)
            else:
                gid = int(value.split(":")[1])
                name = next((g.name for g in self.desk.groups if g.id == gid), "group")
                self._apply(f"Moved to {name}", "group", gid, ids)

        self.app.push_screen(
            PickerScreen(
                "Assign to…",
                choices,
                hint="enter assign · esc cancel · n after it to leave a note for the new owner",
            ),
            chosen,
        )

    def action_tag(self: WorkstationScreen) -> None:
        ids = self._targets()
        if not ids:
            return
        current = set(self.bundle.conversation.tags) if self.bundle and len(ids) == 1 else set()
        choices = [
            Choice(t, ("− " if t in current else "+ ") + t, f"{n} conversations")
            for t, n in self.desk.tags
        ]

        def chosen(tag: str | None) -> None:
            if not tag:
                return
            tag = tag.strip().lower().replace(" ", "-")
            if tag in current:
                self._apply(f"Tag −{tag}", "remove_tags", [tag], ids)
            else:
                self._apply(f"Tag +{tag}", "add_tags", [tag], ids)

        self.app.push_screen(
            PickerScreen("Tag (enter adds, or removes a tag it has)", choices, allow_new=True),
            chosen,
        )

    def action_priority(self: WorkstationScreen) -> None:
        ids = self._targets()
        if not ids:
            return
        choices = [Choice(p.value, p.value.capitalize()) for p in Priority]

        def chosen(value: str | None) -> None:
            if value:
                self._apply(f"Priority {value}", "priority", Priority(value), ids)

        self.app.push_screen(PickerScreen("Priority", choices), chosen)

    def action_select_all(self: WorkstationScreen) -> None:
        self.inbox.select_visible()
