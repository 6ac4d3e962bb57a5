"""Inbox-zero triage: done, reopen, snooze, take, assign, tags, priority, and their undo.

Each action works on the selected conversations, or on the one under the cursor; each runs
in a store worker, is recorded as events under one undo group, and can be taken back with
``u``. An action on a field another agent changed since the agent saw it is refused (the
store's "changed meanwhile"): the agent is told who did what, and the same key again
applies it anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from deskterm.backend.rows import InboxRow
from deskterm.backend.writes import ChangedMeanwhile, new_key
from deskterm.domain.fuzzy import near_duplicates
from deskterm.domain.models import UNTIL_REPLY, Conversation, Priority, Status
from deskterm.domain.safety import one_line
from deskterm.domain.snooze import SnoozeTarget
from deskterm.keymap import keys_for
from deskterm.screens import changed_meanwhile
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.snooze import WAKE, SnoozeScreen
from deskterm.screens.workstation.host import Host
from deskterm.screens.workstation.undo import DoneAction

if TYPE_CHECKING:
    from deskterm.backend.context import ConversationBundle
    from deskterm.widgets.inbox_list import InboxList


class TriageHost(Host, Protocol):
    """What triage needs of the workstation."""

    @property
    def inbox(self) -> InboxList: ...

    @property
    def inbox_focused(self) -> bool: ...

    @property
    def shown(self) -> Conversation | None:
        """The conversation whose thread is on screen, as last read."""

    @property
    def bundle(self) -> ConversationBundle | None:
        """The open conversation as last read, with what the sync kept of it."""

    def load_conversation(self, conversation_id: int) -> object: ...

    @property
    def put_away(self) -> set[int]:
        """Conversations closed or snoozed by the agent: the next row opens when they leave."""


class Triage:
    """The triage actions. ``remember`` puts each on the screen's undo stack."""

    def __init__(self, host: TriageHost, remember: Callable[[DoneAction], None]) -> None:
        self.host = host
        self.remember = remember
        self.told: dict[tuple[int, str], Any] = {}
        """What the agent was told another agent changed: (conversation, field) → value.
        The same action again is then checked against that value, so it applies anyway."""

    # -- which conversations -------------------------------------------------------------

    def targets(self) -> list[int]:
        """The selected conversations, or the one the agent put the cursor on, or the one on
        screen: never a row the cursor only landed on when another left the view."""
        inbox = self.host.inbox
        selected = sorted(inbox.selected_ids)
        if selected:
            return selected
        chosen = inbox.chosen_id
        if self.host.inbox_focused and chosen is not None:
            return [chosen]
        shown = self.host.shown
        if shown is not None:
            return [shown.id]
        if chosen is not None:
            return [chosen]
        return []

    # -- undo ------------------------------------------------------------------------------

    def undo_group(self, group: str, message: str) -> None:
        """Take back the store's events of ``group`` (in a store worker), then say ``message``."""
        self.host.in_thread(
            partial(self._undo_group, group, message), group="store", name="_undo_group"
        )

    def _undo_group(self, group: str, message: str) -> None:
        host = self.host
        touched = host.desk.store.undo(
            group, agent_id=host.desk.agent.id, outbox=host.desk.outbox_for("undo")
        )
        text = message if touched else "Nothing left to undo there (it changed since)."
        host.from_thread(self._undone, touched, text)

    def _undone(self, touched: list[int], text: str) -> None:
        host = self.host
        host.inbox.refresh_rows()
        shown = host.shown
        if shown is not None and shown.id in touched:
            # A link to a problem leaves the conversation's version as it was: the poll
            # would not see its header change.
            host.load_conversation(shown.id)
        host.notify(text)

    # -- applying a change -----------------------------------------------------------------

    def apply(self, description: str, kind: str, value: Any, ids: list[int] | None = None) -> None:
        """Apply one change to ``ids`` (or the targets) in a store worker, under one undo."""
        ids = ids if ids is not None else self.targets()
        if not ids:
            self.host.notify("No conversation here.")
            return
        group = new_key()
        if kind == "snooze" or (kind == "status" and value == Status.DONE):
            self.host.put_away.update(ids)
        elif kind == "status":
            self.host.put_away.difference_update(ids)  # reopened: the agent stays on it
        self.remember(
            DoneAction(group, f"{description} ({len(ids)})" if len(ids) > 1 else description)
        )
        seen = {cid: self.seen(cid, kind) for cid in ids}
        work = partial(self._run_apply, ids, kind, value, group, description, seen)
        self.host.in_thread(work, group="store", name="_run_apply")

    def _shown(self, cid: int) -> InboxRow | Conversation | None:
        """The freshest of what the agent has on screen for a conversation."""
        row = self.host.inbox.row_for(cid)
        shown = self.host.shown
        conv = shown if shown is not None and shown.id == cid else None
        if row is not None and conv is not None:
            return conv if conv.version >= row.version else row
        return row or conv

    def seen(self, cid: int, kind: str) -> dict[str, Any] | None:
        """What the agent saw of the field ``kind`` changes, or was told of since."""
        seen = changed_meanwhile.seen_values(kind, self._shown(cid))
        field = changed_meanwhile.FIELD_OF.get(kind)
        if field is not None and (cid, field) in self.told:
            seen = {field: self.told.pop((cid, field))}
        return seen

    def _run_apply(
        self,
        ids: list[int],
        kind: str,
        value: Any,
        group: str,
        description: str,
        seen: dict[int, dict[str, Any] | None],
    ) -> None:
        failed = []
        refused: list[ChangedMeanwhile] = []
        for cid in ids:
            try:
                self.host.desk.apply_change(cid, kind, value, undo_group=group, seen=seen.get(cid))
            except ChangedMeanwhile as exc:  # another agent got there first: say so
                refused.append(exc)
            except Exception as exc:  # one refused conversation must not stop the others
                failed.append(f"#{self._number(cid)}: {exc}")
        again = self.again(kind, value, refused)
        self.host.from_thread(self.applied, ids, description, failed, refused, again)

    def _number(self, cid: int) -> int:
        """The conversation's number as the agent knows it (the remote's, when mirrored)."""
        conversation = self.host.desk.store.conversation(cid)
        return conversation.number if conversation is not None else cid

    def again(self, kind: str, value: Any, refused: list[ChangedMeanwhile]) -> str:
        """How to apply a refused action anyway: "press i again to take it anyway"."""
        if not refused:
            return ""
        desk = self.host.desk
        key_id, verb = {
            "assign": ("desk.assign", "assign"),
            "group": ("desk.assign", "move"),
            "status": ("desk.reopen", "reopen"),
            "priority": ("desk.priority", "set"),
            "snooze": ("desk.snooze", "snooze"),
        }.get(kind, ("desk.assign", "apply"))
        if kind == "assign" and value == desk.agent.id:
            key_id, verb = "desk.take", "take"
        elif kind == "status" and value == Status.DONE:
            key_id, verb = "desk.done", "close"
        key = keys_for(key_id, desk.keymap_overrides).split(",")[0]
        return f"press {key} again to {verb} {'it' if len(refused) == 1 else 'them'} anyway"

    def applied(
        self,
        ids: list[int],
        description: str,
        failed: list[str],
        refused: list[ChangedMeanwhile],
        again: str = "",
    ) -> None:
        """On the event loop, after a change: the list and thread read again, and a notice
        that says what was done, what failed and what another agent changed first."""
        host = self.host
        inbox = host.inbox
        inbox.clear_selection()
        inbox.refresh_rows()
        shown = host.shown
        if shown is not None and shown.id in ids:
            host.load_conversation(shown.id)
        self.told = {(exc.conversation_id, exc.field): exc.found for exc in refused}
        if len(refused) > 1 or (refused and len(ids) > 1):
            # The skipped ones stay selected: the same key again is for them.
            inbox.select_ids(exc.conversation_id for exc in refused)
        told = ""
        if refused:
            told = changed_meanwhile.notice(
                refused,
                len(ids),
                name=host.desk.agent_name,
                now=host.desk.clock(),
                again=again,
            )
        n = len(ids) - len(failed) - len(refused)
        if refused and n == 0 and not failed:
            host.notify(one_line(told, 300), severity="warning", timeout=10, markup=False)
            return
        what = f"{description}" + (f" — {n} conversations" if len(ids) > 1 else "")
        if failed:
            what += "; failed: " + "; ".join(failed[:3])
        if refused:
            what += f"; {told}"
        # Names and tags in it come from customers and remotes: plain text, one bounded line.
        host.notify(
            one_line(f"{what} · u to undo" if not (failed or refused) else what, 300),
            severity="warning" if (failed or refused) else "information",
            timeout=10 if refused else None,
            markup=False,
        )

    # -- the actions -----------------------------------------------------------------------

    def done(self) -> None:
        self.apply("Done", "status", Status.DONE)

    def reopen(self) -> None:
        self.apply("Reopened", "status", Status.OPEN)

    def take(self) -> None:
        self.apply("Assigned to you", "assign", self.host.desk.agent.id)

    def snooze(self) -> None:
        ids = self.targets()
        if not ids:
            return
        desk = self.host.desk

        def chosen(target: SnoozeTarget | None) -> None:
            if target is WAKE:
                self.apply("Woken: back in the inbox", "wake", None, ids)
            elif target is not None:
                label = (
                    "until the customer replies" if target.until == UNTIL_REPLY else target.label
                )
                self.apply(f"Snoozed {label}", "snooze", target, ids)

        shown = self.host.bundle
        kept = (
            shown.kept_snooze
            if shown is not None and len(ids) == 1 and shown.conversation.id == ids[0]
            else None
        )
        self.host.ask(SnoozeScreen(now=desk.clock(), tz=desk.tz, count=len(ids), kept=kept), chosen)

    def assign(self) -> None:
        ids = self.targets()
        if not ids:
            return
        desk = self.host.desk
        choices = [
            Choice(f"agent:{desk.agent.id}", "Me", desk.agent.name),
            Choice("none", "Nobody", "unassign"),
        ]
        choices += [
            Choice(f"agent:{a.id}", a.name, a.email) for a in desk.agents if a.id != desk.agent.id
        ]
        choices += [Choice(f"group:{g.id}", f"Group: {g.name}") for g in desk.groups]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            if value == "none":
                self.apply("Unassigned", "assign", None, ids)
            elif value.startswith("agent:"):
                aid = int(value.split(":")[1])
                self.apply(f"Assigned to {desk.agent_name(aid)}", "assign", aid, ids)
            else:
                gid = int(value.split(":")[1])
                name = next((g.name for g in desk.groups if g.id == gid), "group")
                self.apply(f"Moved to {name}", "group", gid, ids)

        self.host.ask(
            PickerScreen(
                "Assign to…",
                choices,
                hint="enter assign · esc cancel · n after it to leave a note for the new owner",
            ),
            chosen,
        )

    def tag(self) -> None:
        ids = self.targets()
        if not ids:
            return
        seen = self._shown(ids[0]) if len(ids) == 1 else None
        has = list(seen.tags) if seen is not None else []
        current = set(has)
        desk = self.host.desk
        # The conversation's own tags first (enter removes one), then every tag in use,
        # those made in this session included.
        choices = [Choice(t, f"− {t}", "on this conversation: enter removes it") for t in has]
        choices += [
            Choice(t, f"+ {t}", f"{n} conversations") for t, n in desk.tags if t not in current
        ]

        def chosen(tag: str | None) -> None:
            if not tag:
                return
            tag = tag.strip().lower().replace(" ", "-")
            if tag in current:
                self.apply(f"Tag −{tag}", "remove_tags", [tag], ids)
            else:
                near = near_duplicates(tag, (t for t, _ in desk.tags))
                close = f" (close to {', '.join(near)})" if near else ""
                desk.remember_tag(tag, len(ids))
                self.apply(f"Tag +{tag}{close}", "add_tags", [tag], ids)

        self.host.ask(
            PickerScreen("Tag (enter adds, or removes a tag it has)", choices, allow_new=True),
            chosen,
        )

    def priority(self) -> None:
        ids = self.targets()
        if not ids:
            return
        choices = [Choice(p.value, p.value.capitalize()) for p in Priority]

        def chosen(value: str | None) -> None:
            if value:
                self.apply(f"Priority {value}", "priority", Priority(value), ids)

        self.host.ask(PickerScreen("Priority", choices), chosen)
