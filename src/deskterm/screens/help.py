"""The ``?`` cheat sheet: every key, grouped, as remapped by the config, with its id."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from deskterm import keymap
from deskterm.backend.views import GOTO
from deskterm.screens.modal import DeskModal
from deskterm.widgets.inbox_row import LEGEND


def pretty_keys(keys: str) -> str:
    names = {
        "question_mark": "?",
        "slash": "/",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "enter": "⏎",
        "escape": "esc",
    }
    return " / ".join(names.get(k, k) for k in keys.split(","))


def cheat_sheet(custom: Mapping[str, str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(style="dim")
    group = None
    for k in sorted(keymap.KEYS, key=lambda k: (keymap.GROUP_ORDER.index(k.group), 0)):
        if k.group != group:
            group = k.group
            table.add_row(Text(group, style="bold underline"), "", "")
        table.add_row(pretty_keys(keymap.keys_for(k.id, custom)), k.description, k.id)
    table.add_row(Text("Go to (g then…)", style="bold underline"), "", "")
    for letter, (_, title) in GOTO.items():
        table.add_row(f"g {letter}", title, "")
    table.add_row(Text("An inbox row", style="bold underline"), "", "")
    for mark, meaning in LEGEND:
        table.add_row(Text(mark), Text(meaning), "")
    return table


class HelpScreen(DeskModal[None]):
    """All keys at a glance. Remap any of them by id in the config's [keymap] section."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", show=False),
        Binding("k,up", "scroll('up')", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: 90%;
        background: $panel; border: round $primary; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, custom: Mapping[str, str]) -> None:
        super().__init__()
        self.custom = custom

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                "Keys — remap any action by id in the config file's [keymap] section; "
                "ctrl+p finds every command by name. esc closes.",
                id="help-title",
                markup=False,  # "[keymap]" is the section's name, not a style
            )
            yield Static(cheat_sheet(self.custom))

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one(VerticalScroll)
        if direction == "down":
            scroller.scroll_down()
        else:
            scroller.scroll_up()
