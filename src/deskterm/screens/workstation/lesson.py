"""The guided lesson on the workstation: shows the step, checks twice a second whether it
was done (in the store, read in a thread; on the screen for the reading step), saves the
progress, and moves on. See :mod:`deskterm.backend.lesson` for the steps."""

from __future__ import annotations

import time
from typing import Protocol

from textual.widget import Widget

from deskterm import keymap
from deskterm.backend import lesson
from deskterm.backend.context import ConversationBundle
from deskterm.screens.help import pretty_keys
from deskterm.screens.workstation.host import Host
from deskterm.widgets.conversation_view import ThreadView
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.lesson_panel import LessonPanel

CHECK_SECONDS = 0.5
_PRAISE = {
    "open": "Opened: its customer and order are on the right.",
    "customer": "That is the customer pane.",
    "macro": "Sent, with the macro's words in the customer's language.",
    "resend": "Sent again.",
    "resend_reply": "Sent: the customer knows the item is on its way.",
    "snooze": "Snoozed until the customer answers.",
    "send_done": "Answered and closed in one key.",
    "undo": "Undone.",
}


class LessonHost(Host, Protocol):
    @property
    def focused(self) -> Widget | None: ...

    @property
    def lesson_panel(self) -> LessonPanel: ...

    @property
    def bundle(self) -> ConversationBundle | None:
        """The conversation on screen."""


class Lesson:
    """One lesson being played on the screen."""

    def __init__(self, host: LessonHost, progress: lesson.Progress) -> None:
        self.host = host
        self.progress = progress
        self._checking = False

    def keys(self, binding_id: str) -> str:
        """The key to teach: the first one bound, passing over those many terminals never
        send (ctrl+enter, alt+enter)."""
        keys = keymap.keys_for(binding_id, self.host.desk.keymap_overrides).split(",")
        usable = [k for k in keys if k not in ("ctrl+enter", "alt+enter")] or keys
        return "enter" if usable[0] == "enter" else pretty_keys(usable[0])

    def show(self, praise: str = "") -> None:
        panel = self.host.lesson_panel
        panel.total = len(lesson.STEPS)
        panel.praise = praise
        panel.step = self.progress.step
        if self.progress.finished:
            took = (self.progress.finished_at or time.time()) - self.progress.started_at
            minutes, seconds = divmod(int(took), 60)
            panel.said = (
                f"Done in {minutes} min {seconds:02d} s. That is the day's work: open, read, "
                "answer, act, snooze, close. Next: deskterm demo --shift, shift mode on the demo "
                "inbox. ? lists every key; ctrl+p finds any action by name."
            )
        else:
            step = lesson.STEPS[self.progress.step]
            panel.said = step.say(self.progress.targets, self.keys)

    def check(self) -> None:
        """Called twice a second: is the step on screen done?"""
        if self.progress.finished or self._checking:
            return
        step = lesson.STEPS[self.progress.step]
        if step.done is None:
            if self._on_screen(step.id):
                self.advance()
            return
        self._checking = True
        self.host.in_thread(self._check_store, group="lesson", name="lesson_check")

    def _check_store(self) -> None:
        try:
            step = lesson.STEPS[self.progress.step]
            done = step.done is not None and step.done(self.host.desk.store, self.progress.targets)
        finally:
            self._checking = False
        if done:
            self.host.from_thread(self.advance, step.id)

    def _on_screen(self, step_id: str) -> bool:
        if step_id == "open":
            bundle = self.host.bundle
            focused = self.host.focused
            return (
                bundle is not None
                and bundle.conversation.id == self.progress.targets.promo
                and focused is not None
                and any(isinstance(w, ThreadView) for w in focused.ancestors_with_self)
            )
        if step_id == "customer":
            focused = self.host.focused
            return focused is not None and any(
                isinstance(w, CustomerPanel) for w in focused.ancestors_with_self
            )
        return False

    def advance(self, step_id: str | None = None) -> None:
        current = lesson.STEPS[self.progress.step].id if not self.progress.finished else None
        if step_id is not None and step_id != current:
            return  # a late answer for a step already passed
        self.progress.step += 1
        if self.progress.finished:
            self.progress.finished_at = time.time()
        saved = lesson.Progress(**vars(self.progress))
        self.host.in_thread(lambda: lesson.save(saved), group="lesson", name="lesson_save")
        self.show(_PRAISE.get(current or "", ""))
