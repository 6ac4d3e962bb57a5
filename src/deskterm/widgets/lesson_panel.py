"""The lesson's line at the top of the workstation: the step, what to do, and how far."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class LessonPanel(Static):
    """Shows one step of the guided lesson; plain text (names come from the store)."""

    DEFAULT_CSS = """
    LessonPanel {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $boost;
        border-left: thick $accent;
    }
    LessonPanel.-done { border-left: thick $success; }
    """

    step: reactive[int] = reactive(0)
    """The step on screen, from 0; ``total`` when the lesson is finished."""
    total: reactive[int] = reactive(7)
    """How many steps the lesson has."""
    # layout: a longer text takes more lines (up to max-height), measured again as it changes.
    said: reactive[str] = reactive("", layout=True)
    """What the step asks for (or the closing words)."""
    praise: reactive[str] = reactive("", layout=True)
    """A word on the step just done, shown before the next one."""

    def render(self) -> Text:
        finished = self.step >= self.total
        head = "Lesson finished" if finished else f"Lesson · step {self.step + 1} of {self.total}"
        line = Text(head, style="bold")
        if self.praise:
            line.append(f"   ✓ {self.praise}", style="italic")
        line.append("\n")
        line.append(self.said)
        return line

    def watch_step(self, step: int) -> None:
        self.set_class(step >= self.total, "-done")
