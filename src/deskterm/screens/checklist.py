"""Pick several items of a short list at once: type to filter, space ticks, enter takes them.

Used where one action covers several things (the items of an order to send again or to
refund): one pick, one confirmation, one undo. Enter with nothing ticked takes the
highlighted item alone, so picking one item is the same keys as in the one-item picker.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from deskterm.domain.safety import one_line
from deskterm.screens.modal import DeskModal
from deskterm.screens.picker import Choice, filter_choices

TICKED, UNTICKED = "☑", "☐"


class _Filter(Input):
    """The filter box, which leaves space to the list: space ticks, it never types (names
    filter well without spaces: "pain" finds "Pain de campagne")."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        # Textual drops a screen's binding for a key the focused box would type.
        return key != "space" and super().check_consume_key(key, character)


class ChecklistScreen(DeskModal[list[str] | None]):
    """Dismisses with the values ticked, in the order of ``choices`` (the highlighted one
    alone when none is ticked), or None on escape."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="checklist.cancel"),
        # Priority: space ticks while the filter box has focus (see _Filter).
        Binding("space", "tick", "Tick", priority=True, show=False),
        Binding("down,ctrl+j", "move(1)", "Next", show=False),
        Binding("up,ctrl+k", "move(-1)", "Previous", show=False),
    ]

    DEFAULT_CSS = """
    ChecklistScreen { align: center middle; }
    ChecklistScreen > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 80%;
        background: $panel; border: round $primary; padding: 0 1;
    }
    ChecklistScreen #checklist-title { text-style: bold; }
    ChecklistScreen #checklist-hint { color: $text-muted; }
    ChecklistScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, title: str, choices: Sequence[Choice]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.ticked: set[str] = set()
        self._shown: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="checklist-title", markup=False)
            yield _Filter(placeholder="type to filter", id="checklist-input")
            yield OptionList(id="checklist-options")
            yield Static("", id="checklist-hint")

    def on_mount(self) -> None:
        self._refill("")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def _label(self, choice: Choice) -> Text:
        mark = TICKED if choice.value in self.ticked else UNTICKED
        label = Text(f"{mark} {one_line(choice.label, 50)}")
        if choice.detail:
            label.append("  " + one_line(choice.detail, 40), style="dim")
        return label

    def _refill(self, query: str, highlight: int = 0) -> None:
        self._shown = filter_choices(query.strip(), self.choices)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._label(c)) for c in self._shown])
        if options.option_count:
            options.highlighted = min(highlight, options.option_count - 1)
        n = len(self.ticked)
        ticked = f"{n} ticked · " if n else ""
        self.query_one("#checklist-hint", Static).update(
            f"{ticked}space tick · enter confirm · esc cancel"
        )

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def action_tick(self) -> None:
        """Tick or untick the highlighted item."""
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or index >= len(self._shown):
            return
        value = self._shown[index].value
        self.ticked ^= {value}
        self._refill(self.query_one(Input).value, highlight=index)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._take(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._take(event.option_index)

    def _take(self, index: int | None) -> None:
        if self.ticked:
            self.dismiss([c.value for c in self.choices if c.value in self.ticked])
        elif index is not None and index < len(self._shown):
            self.dismiss([self._shown[index].value])

    def action_cancel(self) -> None:
        self.dismiss(None)
