"""Shift mode's line above the footer: what the next step usually is, in words."""

from __future__ import annotations

from textual.widgets import Static


class NextStep(Static):
    """One line of advice; plain text, set by the workstation's shift guide."""

    DEFAULT_CSS = """
    NextStep {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.said = ""

    def say(self, text: str) -> None:
        if text != self.said:
            self.said = text
            self.update(text)
