"""Shift mode's line above the footer: what the next step usually is, in words, and at its
right end what is always there to do (the day's summary, quitting)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static


class NextStep(Widget):
    """One line of advice; plain text, set by the workstation's shift guide. The right end
    (``always``) stays whole when the advice is too long for the line."""

    DEFAULT_CSS = """
    NextStep {
        layout: horizontal;
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    NextStep > #next-step-advice { width: 1fr; height: 1; }
    NextStep > #next-step-always { width: auto; height: 1; padding-left: 2; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.said = ""
        self.always = ""

    def compose(self) -> ComposeResult:
        yield Static("", markup=False, id="next-step-advice")
        yield Static("", markup=False, id="next-step-always")

    def say(self, text: str, always: str = "") -> None:
        if text != self.said:
            self.said = text
            self.query_one("#next-step-advice", Static).update(text)
        if always != self.always:
            self.always = always
            self.query_one("#next-step-always", Static).update(always)
