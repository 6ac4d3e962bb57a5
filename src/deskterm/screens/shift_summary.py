"""The end-of-shift summary: what the agent did today, and what customers wrote about most
(the list an engineer on their monthly shift leaves with)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from deskterm.backend.shift import ShiftSummary, describe
from deskterm.screens.modal import DeskModal


class ShiftSummaryScreen(DeskModal[None]):
    """Closes on escape, enter or q."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="shift_summary.close")]

    DEFAULT_CSS = """
    ShiftSummaryScreen { align: center middle; }
    ShiftSummaryScreen > Vertical {
        width: 64; max-width: 95%; height: auto; background: $panel;
        border: round $accent; padding: 0 1;
    }
    """

    def __init__(self, name: str, summary: ShiftSummary) -> None:
        super().__init__()
        self.agent_name = name
        self.summary = summary

    def compose(self) -> ComposeResult:
        text = Text(f"Today, {self.agent_name}", style="bold")
        text.append("\n\n")
        text.append("\n".join(describe(self.summary)))
        text.append("\n\nThe same on the command line: deskterm report --me --today", style="dim")
        with Vertical():
            yield Static(text)
