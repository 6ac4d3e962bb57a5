"""The composer: where a reply or an internal note is written, and saved as it is typed.

The composer never loses text: every change is offered to the screen as a draft (debounced),
and the screen writes it to the store in a worker. It names the conversation it will send to,
so nobody answers the wrong customer, and it refuses to send while macro placeholders are
still unfilled.

Inserted text (a macro, an order action's sentence) is placed as a paragraph of its own,
before the signature (:mod:`deskterm.domain.reply_text`). A macro's actions follow its text: the
"On send" line lists the actions of the macros whose text is still in the reply, merged so
that the macro inserted last wins; replacing the draft with a macro, or deleting or
rewriting all of a macro's text, drops its actions for good: text typed or inserted
afterwards never brings them back, even when it says what the macro said (an order action's
sentence), only undoing that deletion (ctrl+z) does, or picking the macro again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Edit as TextEdit
from textual.widgets.text_area import EditResult

from deskterm import keymap
from deskterm.domain.macros import describe_merged, merge_actions
from deskterm.domain.models import MacroAction
from deskterm.domain.reply_text import Edit, keeps_text_of, place_paragraph
from deskterm.domain.safety import clean_outgoing, one_line
from deskterm.widgets.key_line import KeyLine
from deskterm.widgets.reply_marks import UsedMacro, location_of, missing_markers, offset_of

DRAFT_DEBOUNCE = 0.4


class ReplyArea(TextArea):
    """The text area itself; its keys come from the keymap so they can be remapped."""

    BINDINGS = keymap.bindings("composer")

    # A send is a step in this area's own queue of events, taken after every key and paste
    # typed before it. Send keys are priority bindings: the app runs them as it takes the key
    # from its queue, while the keys before it, forwarded one by one to this focused area,
    # may still wait in this area's queue (typed in a burst while the app was busy). Posted
    # here (``call_later`` queues a callback behind them), the send reads the text once they
    # are all in, and before any key typed after it. The mode is the one of that moment.
    def action_send(self) -> None:
        self.call_later(
            self.parent_composer.request_send, done=False, note=self.parent_composer.note
        )

    def action_send_done(self) -> None:
        self.call_later(
            self.parent_composer.request_send, done=True, note=self.parent_composer.note
        )

    def edit(self, edit: TextEdit) -> EditResult:
        # Every typed key, paste, deletion and insertion comes through here: the macros whose
        # text it takes out are dropped now, before any later edit could bring words back.
        result = super().edit(edit)
        self.parent_composer.drop_gone_macros()
        return result

    def undo(self) -> None:
        before = self.text
        super().undo()
        self.parent_composer.drop_gone_macros(undone_from=before)

    def redo(self) -> None:
        before = self.text
        super().redo()
        self.parent_composer.drop_gone_macros(undone_from=before)

    def action_cursor_line_start(self, select: bool = False) -> None:
        """Home: to the start of the line as wrapped on screen; from there, to the start of
        the paragraph (a long paragraph wraps over several screen lines)."""
        here = self.cursor_location
        target = self.get_cursor_line_start_location()
        if target == here:
            target = (here[0], 0)
        self.move_cursor(target, select=select)

    def action_cursor_line_end(self, select: bool = False) -> None:
        """End: to the end of the line as wrapped on screen, then of the paragraph."""
        here = self.cursor_location
        target = self.get_cursor_line_end_location()
        if target == here:
            target = (here[0], len(self.document[here[0]]))
        self.move_cursor(target, select=select)

    async def _on_paste(self, event: events.Paste) -> None:
        # Pasted escape sequences would scramble the box and go out with the reply.
        event.prevent_default()  # instead of TextArea's paste of the raw text
        await super()._on_paste(events.Paste(clean_outgoing(event.text)))

    def action_toggle_note(self) -> None:
        self.parent_composer.note = not self.parent_composer.note

    def action_leave(self) -> None:
        self.parent_composer.post_message(Composer.Left())

    def action_save_macro(self) -> None:
        self.call_later(self._save_macro)  # in order with the keys, as a send (see above)

    def _save_macro(self) -> None:
        if self.text.strip():
            self.parent_composer.post_message(Composer.SaveAsMacro(self.text))

    def action_quick_insert(self) -> None:
        """``::word`` then tab inserts a macro; otherwise tab leaves the composer."""
        row, col = self.cursor_location
        line = self.document.get_line(row)[:col]
        token = line.rsplit(" ", 1)[-1] if line else ""
        if token.startswith("::") and len(token) > 2:
            self.parent_composer.post_message(Composer.QuickInsert(token))
        else:
            self.screen.focus_next()

    @property
    def parent_composer(self) -> Composer:
        return self.query_ancestor(Composer)


class Composer(Vertical):
    """Reply or note box for the open conversation."""

    DEFAULT_CSS = """
    Composer { height: auto; max-height: 50%; border-top: solid $primary 40%; }
    Composer.note { border-top: solid $warning; }
    Composer #composer-title { height: 1; padding: 0 1; color: $text-muted; }
    Composer #composer-hint { height: auto; padding: 0 1; color: $warning; }
    Composer #composer-suggestions { height: auto; padding: 0 1; color: $text-muted; }
    Composer ReplyArea { height: auto; min-height: 4; max-height: 16; border: none; }
    Composer.-disabled { display: none; }
    """

    note: reactive[bool] = reactive(False)
    """True when writing an internal note rather than a public reply."""

    @dataclass
    class SendRequested(Message):
        """The agent asked to send what is in the composer."""

        conversation_id: int
        body: str
        note: bool
        done: bool
        macro_ids: tuple[int, ...] = ()
        actions: tuple[MacroAction, ...] = ()

    @dataclass
    class DraftChanged(Message):
        """The text changed; the screen saves it as the conversation's draft."""

        conversation_id: int
        body: str
        note: bool

    class Left(Message):
        """The agent left the composer (escape)."""

    @dataclass
    class QuickInsert(Message):
        """The agent typed ``::word`` then tab: insert the macro that best matches ``word``."""

        token: str

    @dataclass
    class SaveAsMacro(Message):
        """The agent wants the text in the composer kept as a personal macro."""

        body: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation_id: int | None = None
        self._target = ""
        self._timer: Timer | None = None
        self.used_macros: list[UsedMacro] = []
        self._hint_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="composer-suggestions")
        yield KeyLine(id="composer-title")
        yield ReplyArea(id="composer-text", soft_wrap=True, show_line_numbers=False)
        yield Static(id="composer-hint")

    @property
    def area(self) -> ReplyArea:
        return self.query_one(ReplyArea)

    @property
    def target(self) -> str:
        """The title naming the conversation the reply goes to."""
        return self._target

    @property
    def text(self) -> str:
        return self.area.text

    @property
    def active_macros(self) -> list[UsedMacro]:
        """The macros whose text is still in the reply: the ones whose actions will run."""
        text = self.text
        return [m for m in self.used_macros if not m.dropped and keeps_text_of(text, m.text)]

    def drop_gone_macros(self, *, undone_from: str | None = None) -> None:
        """After an edit: drop, for good, the macros whose text is no longer in the reply.
        After an undo or redo (``undone_from``, the text before it), a dropped macro whose
        text that step brought back is applied again."""
        text = self.text
        changed = False
        kept = []
        for used in self.used_macros:
            there = keeps_text_of(text, used.text)
            if used.dropped:
                back = undone_from is not None and there
                if back and not keeps_text_of(undone_from or "", used.text):
                    used, changed = dataclasses.replace(used, dropped=False), True
            elif not there:
                used, changed = dataclasses.replace(used, dropped=True), True
            kept.append(used)
        if changed:
            self.used_macros = kept

    @property
    def macro_ids(self) -> list[int]:
        return [m.macro_id for m in self.active_macros]

    @property
    def macro_actions(self) -> list[MacroAction]:
        """The actions to apply on send, merged: the last macro wins (see the On send line)."""
        actions = [a for m in self.active_macros for a in m.actions]
        return merge_actions(actions).actions

    def load(
        self, conversation_id: int, target: str, body: str = "", *, note: bool = False
    ) -> None:
        """Point the composer at a conversation, with its saved draft."""
        self.flush()
        self.conversation_id = conversation_id
        self._target = target
        self.note = note
        with self.area.prevent(TextArea.Changed):
            self.area.load_text(body)
        self.area.move_cursor(self.area.document.end)
        self.used_macros = []
        self._render_title()
        self._hint("")

    def retarget(self, target: str) -> None:
        """Name the conversation the composer writes to, keeping what is typed."""
        self._target = target
        self._render_title()

    def insert(
        self,
        text: str,
        *,
        replace: bool = False,
        cursor: int | None = None,
        names: Iterable[str] = (),
    ) -> str:
        """Put text into the composer (a macro): in place of the draft, or as a paragraph of
        its own after the cursor's paragraph and before the signature (``names`` are the
        agent's, to find it). ``cursor`` is where to type in ``text``. Returns the text as
        placed (a macro's own signature is dropped when the draft is already signed)."""
        if replace:
            # One edit, not a reload: ctrl+z gives the draft back (the replaced macros stay
            # replaced), and the text area redraws every wrapped line.
            self.used_macros = []
            self.apply_edit(Edit(0, len(self.text), text))
            placed, at = text, 0
        else:
            draft = self.text
            here = offset_of(draft, self.area.cursor_location)
            edit = place_paragraph(draft, here, text, names)
            self.apply_edit(edit)
            placed, at = edit.text[edit.at - edit.start :][: edit.length], edit.at
            if cursor is not None:
                cursor = max(0, min(cursor - (len(text) - len(text.lstrip())), len(placed)))
        offset = at + (cursor if cursor is not None else len(placed))
        self.area.move_cursor(location_of(self.text, offset))
        self._changed()
        return placed

    def apply_edit(self, edit: Edit) -> None:
        """Change the text as ``edit`` says, in one step the agent can undo with ctrl+z."""
        draft = self.text
        self.area.replace(edit.text, location_of(draft, edit.start), location_of(draft, edit.end))
        self._changed()

    def clear(self) -> None:
        with self.area.prevent(TextArea.Changed):
            self.area.load_text("")
        self.used_macros = []
        self._hint("")

    def add_macro(
        self,
        macro_id: int,
        actions: list[MacroAction],
        missing: list[str],
        *,
        text: str = "",
        title: str = "",
    ) -> None:
        """Remember a macro used in this reply (``text`` as inserted): its actions run when
        the reply is sent, as long as its text is still there."""
        self.used_macros.append(UsedMacro(macro_id, tuple(actions), text, title))
        self._render_hint()

    def forget_order_actions(self, kinds: set[str]) -> None:
        """Drop the macros' order actions of these kinds (done already, for good)."""
        kept = []
        for used in self.used_macros:
            actions = []
            for action in used.actions:
                if action.field == "order" and isinstance(action.value, list):
                    left = [a for a in action.value if a.get("do") not in kinds]
                    if not left:
                        continue
                    action = MacroAction(field="order", value=left)
                actions.append(action)
            kept.append(dataclasses.replace(used, actions=tuple(actions)))
        self.used_macros = kept
        self._render_hint()

    def restore_macros(self, used: Iterable[UsedMacro]) -> None:
        """Put back the macros of a reply taken back by undo-send."""
        self.used_macros = list(used)
        self.drop_gone_macros()
        self._render_hint()

    def _render_hint(self) -> None:
        """The On send line: what the macros still in the reply will do, and what was left out."""
        notes = []
        active = self.active_macros
        merged = merge_actions([a for m in active for a in m.actions])
        if merged.actions:
            notes.append("On send: " + " · ".join(describe_merged(merged)))
        if merged.skipped:
            notes.append(f"Ignored: {merged.skipped[0]}")
        dropped = [m for m in self.used_macros if m.actions and m not in active]
        if dropped:
            names = ", ".join(dict.fromkeys(m.title or f"#{m.macro_id}" for m in dropped))
            notes.append(f"Not applied (its text is gone): {names}")
        missing = missing_markers(self.text)
        if missing:
            notes.append("Fill in: " + ", ".join(dict.fromkeys(missing)))
        text = "   ".join(notes)
        if text != self._hint_text:
            self._hint(text, warn=bool(missing or dropped or merged.skipped))

    def show_suggestions(self, suggestions: list[tuple[int, str]]) -> None:
        """The macros most likely to fit, each with its key."""
        line = Text()
        if suggestions:
            line.append("Suggested  ", style="bold")
            for i, (_, title) in enumerate(suggestions, start=1):
                line.append(f" {i} ", style="reverse")
                line.append(f" {one_line(title, 36)}   ")
            line.append("m all macros · ::word tab", style="dim")
        if self.is_mounted:
            self.query_one("#composer-suggestions", Static).update(line)

    def replace_token(
        self, token: str, text: str, cursor: int | None, *, names: Iterable[str] = ()
    ) -> str:
        """Replace the ``::token`` just before the cursor with a macro's text, placed as
        :meth:`insert` places it; returns the text as placed."""
        row, col = self.area.cursor_location
        start = (row, max(0, col - len(token)))
        self.area.delete(start, (row, col))
        self.area.move_cursor(start)
        return self.insert(text, cursor=cursor, names=names)

    def watch_note(self, note: bool) -> None:
        self.set_class(note, "note")
        self._render_title()
        if self.conversation_id is not None and self.is_mounted:
            self._changed()

    def _render_title(self) -> None:
        if not self.is_mounted:
            return
        title = Text()
        if self.note:
            title.append("Internal note", style="bold")
            title.append(" (not sent to the customer)")
        else:
            title.append("Reply", style="bold")
        if self._target:
            title.append(" to ")
            title.append(one_line(self._target, 60))
        send = keymap.keys_for("composer.send").split(",")[0]
        done = keymap.keys_for("composer.send_done").split(",")[0]
        switch = "reply" if self.note else "note"
        keys = [f"{send} send", f"{done} send & done", f"ctrl+n {switch}"]
        self.query_one("#composer-title", KeyLine).show(title, keys)

    def _hint(self, text: str, *, warn: bool = True) -> None:
        self._hint_text = text
        if self.is_mounted:
            self.query_one("#composer-hint", Static).update(
                Text(text, style="" if warn else "italic")
            )

    @on(TextArea.Changed)
    def _on_text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._changed()

    def _changed(self) -> None:
        if self.used_macros:
            self._render_hint()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DRAFT_DEBOUNCE, self.flush)

    def flush(self) -> None:
        """Offer the current text as a draft now (on switch, on quit)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.conversation_id is not None and self.is_mounted:
            self.post_message(self.DraftChanged(self.conversation_id, self.text, self.note))

    def request_send(self, *, done: bool, note: bool | None = None) -> None:
        """Send what is in the composer, as a note or a reply (``note``, default: its mode)."""
        note = self.note if note is None else note
        if self.conversation_id is None:
            self._hint("Open a conversation first.")
            return
        body = clean_outgoing(self.text)  # every reply and note is sent from here
        if not body.strip():
            self._hint("Nothing to send yet.")
            return
        missing = missing_markers(body)
        if missing:
            names = ", ".join(dict.fromkeys(missing))
            self._hint(f"Fill in {names} before sending (it has no value for this customer).")
            return
        self._hint("")
        self.post_message(
            self.SendRequested(
                self.conversation_id,
                body,
                note,
                done,
                tuple(self.macro_ids),
                tuple(self.macro_actions),
            )
        )
