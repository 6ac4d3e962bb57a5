"""``g`` then a letter: jump to a view, as in Gmail. Shows the letters while it waits."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from deskterm.backend.views import GOTO
from deskterm.screens.modal import DeskModal

#: letter -> (view key, title)


class GotoScreen(DeskModal[str | None]):
    """Waits for one letter and dismisses with the view key (None on anything else)."""

    DEFAULT_CSS = """
    GotoScreen { align: left bottom; background: $background 30%; }
    GotoScreen > Vertical {
        width: auto; height: auto; padding: 0 2; margin: 0 0 1 1;
        background: $panel; border: round $primary;
    }
    GotoScreen Static { width: auto; height: auto; }
    """

    def __init__(self, saved: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.saved = saved or []

    def compose(self) -> ComposeResult:
        text = Text("Go to…\n", style="bold")
        for letter, (_, title) in GOTO.items():
            text.append(f" {letter} ", style="bold reverse")
            text.append(f" {title}\n")
        for i, (_, title) in enumerate(self.saved[:9], start=1):
            text.append(f" {i} ", style="bold reverse")
            text.append(" ")
            text.append(title)
            text.append("\n")
        text.append("esc cancel", style="dim")
        with Vertical():
            yield Static(text)

    def target(self, char: str) -> str | None:
        """The view key a letter (or a saved view's digit) goes to."""
        if char in GOTO:
            return GOTO[char][0]
        if char.isdigit() and 1 <= int(char) <= len(self.saved):
            return self.saved[int(char) - 1][0]
        return None

    def on_key(self, event: events.Key) -> None:
        if self.leaving:
            self.hand_back(event)  # typed after the letter, for the workstation
            return
        event.stop()
        event.prevent_default()
        self.dismiss(self.target(event.character or ""))
