"""A yes/no question answered in one key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from deskterm.screens.modal import DeskModal


class ConfirmScreen(DeskModal[bool]):
    """Dismisses True on ``y`` or enter, False on ``n`` or escape."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 70; max-width: 95%; height: auto; background: $panel;
        border: round $warning; padding: 0 1;
    }
    """

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        text = Text(self.question, style="bold")
        if self.detail:
            text.append("\n\n")
            text.append(self.detail)
        text.append("\n\n")
        text.append(" y ", style="bold reverse")
        text.append(" yes   ")
        text.append(" n ", style="bold reverse")
        text.append(" no")
        with Vertical():
            yield Static(text)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
