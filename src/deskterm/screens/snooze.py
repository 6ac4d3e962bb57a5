"""The snooze picker: a preset's digit, or a time typed in English or French, then enter.

The parse is shown as it is typed ("until Tue 24 Nov 09:00") so the agent confirms what
deskterm understood, never a guess. A digit alone is its preset; followed by anything it is
free text ("14h30", "2h", "1er janvier"), so nothing is snoozed before enter. "now" (or
"wake", "réveiller") wakes a snoozed conversation: the picker then answers :data:`WAKE`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from deskterm.domain.snooze import (
    PRESETS,
    SnoozeError,
    SnoozeTarget,
    describe,
    parse_snooze,
    preset_for,
    wants_wake,
)
from deskterm.screens.modal import DeskModal

#: The picker's answer to "now" / "wake": out of snooze, back in the inbox.
WAKE = SnoozeTarget(datetime.min.replace(tzinfo=UTC), "now (woken)")


class SnoozeScreen(DeskModal[SnoozeTarget | None]):
    """Choose when the conversation comes back."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="snooze.cancel")]

    DEFAULT_CSS = """
    SnoozeScreen { align: center middle; }
    SnoozeScreen > Vertical {
        width: 64; max-width: 95%; height: auto; background: $panel;
        border: round $primary; padding: 0 1;
    }
    SnoozeScreen #snooze-title { text-style: bold; }
    SnoozeScreen #snooze-preview { height: 1; }
    """

    def __init__(
        self, *, now: datetime, tz: ZoneInfo, count: int = 1, kept: datetime | None = None
    ) -> None:
        super().__init__()
        self.now = now
        self.tz = tz
        self.count = count
        self._target: SnoozeTarget | None = None
        self.kept = (
            SnoozeTarget(kept, describe(kept, now, tz)) if kept is not None and kept > now else None
        )
        """The agent's own snooze a conflict held back: ``0`` snoozes until it again."""

    def compose(self) -> ComposeResult:
        presets = Text()
        for key, label, expression in PRESETS:
            presets.append(f" {key} ", style="bold reverse")
            presets.append(f" {label}")
            try:
                target = parse_snooze(expression, self.now, self.tz)
                presets.append(f"  {target.label}", style="dim")
            except SnoozeError:
                pass
            presets.append("\n")
        if self.kept is not None:
            presets.append(" 0 ", style="bold reverse")
            presets.append(" as before")
            presets.append(f"  {self.kept.label}", style="dim")
        what = "this conversation" if self.count == 1 else f"{self.count} conversations"
        with Vertical():
            yield Static(f"Snooze {what} until…", id="snooze-title")
            yield Static(presets)
            yield Input(
                placeholder="a digit, or: 2h · 14h30 · demain 9h · dec 1 · until reply · now",
                id="snooze-input",
            )
            yield Static(id="snooze-preview")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        preview = self.query_one("#snooze-preview", Static)
        text = event.value.strip()
        self._target = None
        if not text:
            preview.update("")
            return
        if text == "0" and self.kept is not None:  # as before the conflict line
            self._target = self.kept
            preview.update(Text(f"→ {self.kept.label}   enter to confirm", style="bold green"))
            return
        if wants_wake(text):
            self._target = WAKE
            preview.update(Text("→ wake it now   enter to confirm", style="bold green"))
            return
        try:
            self._target = parse_snooze(preset_for(text) or text, self.now, self.tz)
        except SnoozeError as exc:
            preview.update(Text(str(exc), style="red"))
            return
        preview.update(Text(f"→ {self._target.label}   enter to confirm", style="bold green"))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self._target is not None:
            self.dismiss(self._target)

    def action_cancel(self) -> None:
        self.dismiss(None)
