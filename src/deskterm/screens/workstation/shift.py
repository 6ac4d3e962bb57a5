"""Shift mode on the workstation: the next step in words above the footer, a confirmation
before a reply leaves, and the day's summary. Nothing here writes to the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Protocol

from textual.widget import Widget

from deskterm import keymap
from deskterm.backend import shift
from deskterm.backend.context import ConversationBundle
from deskterm.domain.closing_words import only_thanks
from deskterm.domain.models import AuthorKind
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.help import pretty_keys
from deskterm.screens.shift_summary import ShiftSummaryScreen
from deskterm.screens.workstation.host import Host
from deskterm.widgets.composer import Composer
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.next_step import NextStep

GUIDE_SECONDS = 0.3


class ShiftHost(Host, Protocol):
    @property
    def focused(self) -> Widget | None: ...

    @property
    def bundle(self) -> ConversationBundle | None: ...

    @property
    def composer(self) -> Composer: ...

    @property
    def next_step(self) -> NextStep: ...

    @property
    def suggestion_titles(self) -> list[str]: ...


class ShiftGuide:
    """Says, in words, what usually comes next where the agent is."""

    def __init__(self, host: ShiftHost) -> None:
        self.host = host

    def key(self, binding_id: str) -> str:
        keys = keymap.keys_for(binding_id, self.host.desk.keymap_overrides).split(",")
        usable = [k for k in keys if k not in ("ctrl+enter", "alt+enter")] or keys
        return "enter" if usable[0] == "enter" else pretty_keys(usable[0])

    def next_step(self) -> str:
        k = self.key
        focused = self.host.focused
        within = focused.ancestors_with_self if focused is not None else []
        if any(isinstance(w, Composer) for w in within):
            if not self.host.composer.text.strip():
                return "Write your reply (a suggested answer: esc, then 1) · esc leaves it"
            return (
                f"{k('composer.send')} sends it · {k('composer.send_done')} sends and closes "
                "the conversation · esc keeps it as a draft"
            )
        if any(isinstance(w, CustomerPanel) for w in within):
            return (
                f"{k('customer.resend')} sends missing items again · {k('customer.slot')} moves "
                f"the delivery · {k('customer.gesture')} gives a gesture · each asks first"
            )
        bundle = self.host.bundle
        if bundle is None:
            return f"{k('inbox.open')} opens the conversation under the cursor (↑ ↓ to move)"
        last = bundle.messages[-1] if bundle.messages else None
        if (
            last is not None
            and last.author_kind is AuthorKind.CUSTOMER
            and bundle.conversation.first_response_at is not None
            and only_thanks(last.body)
        ):
            return (
                f"The customer only says thanks: {k('desk.done')} closes it, nothing to answer · "
                f"{k('desk.reply')} to reply anyway"
            )
        titles = self.host.suggestion_titles
        if titles:
            return (
                f"After reading: {k('desk.reply')} to reply, or {k('desk.suggestion_1')} for "
                f"the suggested answer “{titles[0]}” · {k('desk.snooze')} snoozes · "
                "? lists every key"
            )
        return (
            f"After reading: {k('desk.reply')} to reply, {k('desk.macro')} for a macro, "
            f"{k('desk.snooze')} to snooze · ? lists every key"
        )

    def always(self) -> str:
        """What a newcomer may look for at any moment: the day's summary (a letter, so not
        while writing), and how to leave."""
        k = self.key
        focused = self.host.focused
        writing = focused is not None and any(
            isinstance(w, Composer) for w in focused.ancestors_with_self
        )
        summary = "" if writing else f"{k('desk.shift_summary')} my day's summary · "
        return f"{summary}{k('app.quit')} quit"

    def show(self) -> None:
        self.host.next_step.say(self.next_step(), self.always())

    # -- a confirmation before a reply leaves -------------------------------------------------

    def confirm_send(self, name: str, *, done: bool, send: Callable[[], None]) -> None:
        question = f"Send this reply to {name}" + (" and close the conversation?" if done else "?")
        detail = "It goes to the customer. You can still take it back for a few seconds (u)."

        def answered(yes: bool | None) -> None:
            if yes:
                send()
            else:
                self.host.composer.area.focus()

        self.host.ask(ConfirmScreen(question, detail), answered)

    # -- the end of the shift -----------------------------------------------------------------

    def summary(self) -> None:
        self.host.in_thread(self._read_summary, group="store", name="shift_summary")

    def _read_summary(self) -> None:
        desk = self.host.desk
        now = desk.clock().astimezone(desk.tz)
        since = datetime.combine(now.date(), time(0), tzinfo=desk.tz)
        found = shift.shift_summary(
            desk.store.conn, desk.agent.id, since, since + timedelta(days=1)
        )
        self.host.from_thread(
            self.host.ask, ShiftSummaryScreen(desk.agent.name, found), lambda _: None
        )
