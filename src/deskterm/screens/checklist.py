"""Pick several items of a short list at once: type to filter, space ticks, enter takes them.

Used where one action covers several things (the items of an order to send again or to
refund): one pick, one confirmation, one undo. Enter with nothing ticked takes the
highlighted item alone, so picking one item is the same keys as in the one-item picker.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from deskterm.domain.safety import one_line
from deskterm.screens.modal import DeskModal
from deskterm.screens.picker import Choice, filter_choices

TICKED, UNTICKED = "☑", "☐"


#: The keys the filter box hands to the list: to tick and to move.
_LIST_KEYS = {"space": 0, "down": 1, "ctrl+j": 1, "up": -1, "ctrl+k": -1}


class _Filter(Input):
    """The filter box, which hands space (tick) and the arrows (move) to the list.

    They are acted on here, in the box's own turn, so keys typed in one burst ("tira",
    space, down, space) apply in the order typed: as screen bindings they reached the list
    before the letters typed just ahead of them (a priority binding) or after the next
    space (a binding reached by bubbling)."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return key not in _LIST_KEYS and super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if event.key in _LIST_KEYS and isinstance(screen, ChecklistScreen):
            event.stop()
            event.prevent_default()
            step = _LIST_KEYS[event.key]
            screen.action_move(step) if step else screen.action_tick()
            return
        await super()._on_key(event)


class ChecklistScreen(DeskModal[list[str] | None]):
    """Dismisses with the values ticked, in the order of ``choices`` (the highlighted one
    alone when none is ticked), or None on escape."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="checklist.cancel"),
        # While the filter box has focus, it acts on these itself (see _Filter).
        Binding("space", "tick", "Tick", show=False),
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
        self._query: str | None = None  # what the list shown is filtered by

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
        if event.value.strip() != self._query:  # a key after it may have filtered already
            self._refill(event.value)

    def _follow_the_box(self) -> None:
        """Filter by what the box holds now, if the list is not already (letters typed just
        before a space or an arrow, whose change is still on its way)."""
        typed = self.query_one(Input).value
        if typed.strip() != self._query:
            self._refill(typed)

    def _label(self, choice: Choice) -> Text:
        mark = TICKED if choice.value in self.ticked else UNTICKED
        label = Text(f"{mark} {one_line(choice.label, 50)}")
        if choice.detail:
            label.append("  " + one_line(choice.detail, 40), style="dim")
        return label

    def _refill(self, query: str, highlight: int = 0) -> None:
        self._query = query.strip()
        self._shown = filter_choices(self._query, self.choices)
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
        self._follow_the_box()
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def action_tick(self) -> None:
        """Tick or untick the highlighted item."""
        self._follow_the_box()
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or index >= len(self._shown):
            return
        value = self._shown[index].value
        self.ticked ^= {value}
        self._refill(self._query or "", highlight=index)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._follow_the_box()
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
