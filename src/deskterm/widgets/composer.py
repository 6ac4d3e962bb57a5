"""The composer: where a reply or an internal note is written, and saved as it is typed.

The composer never loses text: every change is offered to the screen as a draft (debounced),
and the screen writes it to the store in a worker. It names the conversation it will send to,
so nobody answers the wrong customer, and it refuses to send while macro placeholders are
still unfilled.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea

from deskterm import keymap
from deskterm.macros import describe_actions
from deskterm.models import MacroAction
from deskterm.safety import clean_outgoing, one_line

DRAFT_DEBOUNCE = 0.4
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"


def missing_markers(text: str) -> list[str]:
    """Names of the unfilled ``⟦placeholder⟧`` markers a macro left in the text."""
    found = []
    start = text.find(MARK_OPEN)
    while start != -1:
        end = text.find(MARK_CLOSE, start + 1)
        if end == -1:
            break
        found.append(text[start + 1 : end])
        start = text.find(MARK_OPEN, end + 1)
    return found


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
        self.macro_ids: list[int] = []
        self.macro_actions: list[MacroAction] = []

    def compose(self) -> ComposeResult:
        yield Static(id="composer-suggestions")
        yield Static(id="composer-title")
        yield ReplyArea(id="composer-text", soft_wrap=True, show_line_numbers=False)
        yield Static(id="composer-hint")

    @property
    def area(self) -> ReplyArea:
        return self.query_one(ReplyArea)

    @property
    def text(self) -> str:
        return self.area.text

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
        self.macro_ids, self.macro_actions = [], []
        self._render_title()
        self._hint("")

    def retarget(self, target: str) -> None:
        """Name the conversation the composer writes to, keeping what is typed."""
        self._target = target
        self._render_title()

    def insert(self, text: str, *, replace: bool = False, cursor: int | None = None) -> None:
        """Put text into the composer (a macro), at the cursor or in place of the draft."""
        if replace:
            self.area.load_text(text)
            start = (0, 0)
        else:
            start = self.area.cursor_location
            self.area.insert(text)
        if cursor is not None:
            before = text[:cursor]
            row = start[0] + before.count("\n")
            col = len(before.rsplit("\n", 1)[-1]) + (start[1] if "\n" not in before else 0)
            self.area.move_cursor((row, col))
        self._changed()

    def clear(self) -> None:
        with self.area.prevent(TextArea.Changed):
            self.area.load_text("")
        self.macro_ids, self.macro_actions = [], []
        self._hint("")

    def add_macro(self, macro_id: int, actions: list[MacroAction], missing: list[str]) -> None:
        """Remember a macro used in this reply: its actions run when the reply is sent."""
        self.macro_ids.append(macro_id)
        self.macro_actions.extend(actions)
        notes = []
        if self.macro_actions:
            notes.append("On send: " + " · ".join(describe_actions(self.macro_actions)))
        if missing:
            notes.append("Fill in: " + ", ".join(dict.fromkeys(missing)))
        self._hint("   ".join(notes), warn=bool(missing))

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

    def replace_token(self, token: str, text: str, cursor: int | None) -> None:
        """Replace the ``::token`` just before the cursor with a macro's text."""
        row, col = self.area.cursor_location
        start = (row, max(0, col - len(token)))
        self.area.delete(start, (row, col))
        self.area.move_cursor(start)
        self.insert(text, cursor=cursor)

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
        send = keymap.keys_for("composer.send").split(",")[-1]
        done = keymap.keys_for("composer.send_done").split(",")[-1]
        title.append(f"   {send} send · {done} send & done · ctrl+n reply/note", style="dim")
        self.query_one("#composer-title", Static).update(title)

    def _hint(self, text: str, *, warn: bool = True) -> None:
        if self.is_mounted:
            self.query_one("#composer-hint", Static).update(
                Text(text, style="" if warn else "italic")
            )

    @on(TextArea.Changed)
    def _on_text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._changed()

    def _changed(self) -> None:
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
