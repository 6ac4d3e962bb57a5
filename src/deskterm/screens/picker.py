"""A small fuzzy picker: type to filter, arrows or ctrl+j/k to move, enter to choose.

Used for assigning, tagging and anything else that picks one item from a short list (well
under 10,000 items, the size where built-in list widgets stay fast).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from deskterm.domain import fuzzy
from deskterm.domain.safety import one_line
from deskterm.screens.modal import DeskModal


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    detail: str = ""


def filter_choices(query: str, choices: Sequence[Choice], limit: int = 200) -> list[Choice]:
    scored = []
    for i, c in enumerate(choices):
        s = fuzzy.score(query, f"{c.label} {c.detail}")
        if s is not None:
            scored.append((-s, i, c))
    scored.sort()
    return [c for _, _, c in scored[:limit]]


class PickerScreen(DeskModal[str | None]):
    """Pick one of ``choices``; dismisses with its value, or with the typed text when
    ``allow_new`` (for tags).

    With ``allow_new``, enter on typed text that is not exactly a choice's value takes the
    text as it is (as Zendesk's tag field does): "+ new: …" comes first and is highlighted,
    flagged when it nearly repeats a choice ("bug-notifs-4.13" beside "bug-notifs"), and the
    choices it resembles are one arrow away below it. Enter used to take the first
    fuzzy match, so typing the new tag ``late`` toggled the existing ``late-delivery``."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down,ctrl+j", "move(1)", "Next", show=False),
        Binding("up,ctrl+k", "move(-1)", "Previous", show=False),
    ]

    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 80%;
        background: $panel; border: round $primary; padding: 0 1;
    }
    PickerScreen #picker-title { text-style: bold; }
    PickerScreen #picker-hint { color: $text-muted; }
    PickerScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(
        self,
        title: str,
        choices: Sequence[Choice],
        *,
        allow_new: bool = False,
        hint: str = "",
        narrow: Callable[[str, Sequence[Choice]], list[Choice]] = filter_choices,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        #: What typing keeps of the choices (fuzzy by default; the slot picker reads a time).
        self.narrow = narrow
        self.allow_new = allow_new
        self.hint = hint
        self._shown: list[Choice] = []
        self._new: str | None = None  # the typed text, when it is offered first as new

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="picker-title", markup=False)
            yield Input(placeholder="type to filter", id="picker-input")
            yield OptionList(id="picker-options")
            yield Static(self.hint or "enter choose · esc cancel", id="picker-hint")

    def on_mount(self) -> None:
        self._refill("")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def _refill(self, query: str) -> None:
        typed = query.strip()
        shown = self.narrow(typed, self.choices)
        exact = [c for c in shown if typed and c.value.lower() == typed.lower()]
        self._shown = exact[:1] + [c for c in shown if c not in exact[:1]]
        self._new = typed if self.allow_new and typed and not exact else None
        options = self.query_one(OptionList)
        options.clear_options()
        if self._new is not None:
            new = Text(f"+ new: {one_line(typed, 50)}", style="italic")
            near = fuzzy.near_duplicates(typed, (c.value for c in self.choices))
            if near:
                new.append(f"  ≈ close to {one_line(', '.join(near), 40)}", style="bold yellow")
            options.add_option(Option(new))
        for c in self._shown:
            label = Text(one_line(c.label, 50))
            if c.detail:
                label.append("  " + one_line(c.detail, 40), style="dim")
            options.add_option(Option(label))
        if options.option_count:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._choose(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is None:
            return
        if self._new is not None:
            if index == 0:
                self.dismiss(self._new)
                return
            index -= 1
        if index < len(self._shown):
            self.dismiss(self._shown[index].value)

    def action_cancel(self) -> None:
        self.dismiss(None)
