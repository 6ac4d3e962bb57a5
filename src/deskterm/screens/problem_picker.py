"""The picker ``b`` opens: open problems, the suggested ones first, and a new problem.

Unlike the tag picker, typed text searches first: enter takes the best matching problem
(accents and case aside), and the typed text becomes a new problem's title only when no
problem matches, or when the agent moves down to "+ New problem: …" at the end of the list.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from deskterm.domain.safety import one_line
from deskterm.screens.picker import Choice, PickerScreen, filter_choices


class ProblemPickerScreen(PickerScreen):
    """Dismisses with a problem's value, ``new_value`` (the prefilled new problem), or a
    typed title."""

    def __init__(self, title: str, new: Choice, problems: list[Choice], *, hint: str = "") -> None:
        super().__init__(title, [new, *problems], hint=hint)
        self.new = new
        self.problems = problems

    def _refill(self, query: str) -> None:
        typed = query.strip()
        if typed:
            self._shown = filter_choices(typed, self.problems)
            self._new = typed
        else:
            self._shown = [self.new, *self.problems]
            self._new = None
        options = self.query_one(OptionList)
        options.clear_options()
        for c in self._shown:
            label = Text(one_line(c.label, 50))
            if c.detail:
                label.append("  " + one_line(c.detail, 40), style="dim")
            options.add_option(Option(label))
        if self._new is not None:
            options.add_option(Option(Text(f"+ New problem: {one_line(typed, 50)}", "italic")))
        if options.option_count:
            options.highlighted = 0

    def _choose(self, index: int | None) -> None:
        if index is None:
            return
        if index < len(self._shown):
            self.dismiss(self._shown[index].value)
        elif self._new is not None:
            self.dismiss(self._new)
