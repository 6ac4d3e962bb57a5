"""Ask for one line of text (a title, a name), with what it is for shown below."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from deskterm.domain.safety import to_text
from deskterm.screens.modal import DeskModal


class TextPromptScreen(DeskModal[str | None]):
    """Dismisses with the text typed (enter), or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    DEFAULT_CSS = """
    TextPromptScreen { align: center middle; }
    TextPromptScreen > Vertical {
        width: 80; max-width: 95%; height: auto; max-height: 80%;
        background: $panel; border: round $primary; padding: 0 1;
    }
    TextPromptScreen #prompt-detail { max-height: 14; overflow-y: auto; color: $text-muted; }
    """

    def __init__(self, question: str, value: str = "", *, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question, style="bold"))
            yield Input(value=self.value, id="prompt-input")
            if self.detail:
                yield Static(to_text(self.detail), id="prompt-detail")
            yield Static(Text("enter save · esc cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
