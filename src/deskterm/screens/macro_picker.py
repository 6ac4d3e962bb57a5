"""The macro picker (``m``): type to filter titles and bodies, see the reply rendered for
this customer, enter to insert it at the cursor, ctrl+r to replace the draft with it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from deskterm.domain import fuzzy
from deskterm.domain.macros import Rendered, claim_warning, describe_actions, pick_title
from deskterm.domain.models import Macro
from deskterm.domain.safety import one_line, to_text
from deskterm.screens.modal import DeskModal


@dataclass(frozen=True)
class MacroChoice:
    """What the picker returns: which macro, and whether it replaces the draft."""

    macro_id: int
    replace: bool


def rank_macros(
    query: str, macros: Sequence[Macro], limit: int = 300, *, language: str = "en"
) -> list[Macro]:
    """Title matches first (the title in ``language``, or the default one), then body
    matches; most used first among equals."""
    query = query.strip()
    if not query:
        return list(macros)[:limit]
    scored = []
    for i, m in enumerate(macros):
        title = fuzzy.score(query, pick_title(m, language))
        if title is None and m.titles:
            title = fuzzy.score(query, m.title)
        body = fuzzy.score(query, m.body[:400]) if title is None else None
        if title is not None:
            scored.append((0, -title, -m.usage_count, i, m))
        elif body is not None and len(query) >= 3:
            scored.append((1, -body, -m.usage_count, i, m))
    scored.sort(key=lambda t: t[:4])
    return [t[-1] for t in scored[:limit]]


class MacroPickerScreen(DeskModal[MacroChoice | None]):
    """Pick a macro with a live preview for the open conversation."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="macros.cancel"),
        Binding("down,ctrl+j", "move(1)", "Next", show=False),
        Binding("up,ctrl+k", "move(-1)", "Previous", show=False),
        Binding("ctrl+r", "choose(True)", "Replace draft", id="macros.replace"),
    ]

    DEFAULT_CSS = """
    MacroPickerScreen { align: center middle; }
    MacroPickerScreen > Vertical {
        width: 95%; max-width: 150; height: 80%;
        background: $panel; border: round $primary; padding: 0 1;
    }
    MacroPickerScreen #macro-title { text-style: bold; height: 1; }
    MacroPickerScreen Horizontal { height: 1fr; }
    MacroPickerScreen OptionList { width: 2fr; height: 1fr; }
    MacroPickerScreen #macro-preview {
        width: 3fr; height: 1fr; padding: 0 1; border-left: solid $primary 30%;
        overflow-y: auto;
    }
    MacroPickerScreen #macro-hint { height: 1; color: $text-muted; }
    """

    def __init__(
        self,
        macros: Sequence[Macro],
        render: Callable[[Macro], Rendered],
        *,
        me: int | None = None,
        title: str = "Macros",
        language: str = "en",
    ) -> None:
        super().__init__()
        self.macros = list(macros)
        self.language = language
        self._warnings = {m.id: claim_warning(m) for m in self.macros}
        self.render_macro = render
        self.me = me
        self.title_text = title
        self._shown: list[Macro] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="macro-title", markup=False)
            yield Input(placeholder="type to filter macros by title or text", id="macro-input")
            with Horizontal():
                yield OptionList(id="macro-options")
                yield Static(id="macro-preview")
            yield Static(
                "enter insert at cursor · ctrl+r replace the draft · esc cancel", id="macro-hint"
            )

    def on_mount(self) -> None:
        self._refill("")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def _refill(self, query: str) -> None:
        self._shown = rank_macros(query, self.macros, language=self.language)
        options = self.query_one(OptionList)
        options.clear_options()
        for m in self._shown:
            label = Text(one_line(pick_title(m, self.language), 60))
            warning = self._warnings.get(m.id)
            if warning:
                label.append(f"  ⚠ {warning}", style="bold yellow")
            if m.owner_agent_id is not None:
                label.append("  personal", style="italic dim")
            if m.usage_count:
                label.append(f"  ×{m.usage_count}", style="dim")
            options.add_option(Option(label))
        if self._shown:
            options.highlighted = 0
        self._preview()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._preview()

    def _current(self) -> Macro | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self._shown):
            return None
        return self._shown[index]

    def _preview(self) -> None:
        preview = self.query_one("#macro-preview", Static)
        macro = self._current()
        if macro is None:
            preview.update(Text("No macro matches.", style="dim"))
            return
        rendered = self.render_macro(macro)
        parts: list[Text] = [Text(pick_title(macro, self.language), style="bold")]
        warning = self._warnings.get(macro.id)
        if warning:
            parts.append(Text(f"⚠ {warning}", style="bold yellow"))
        if rendered.error:
            parts.append(Text(rendered.error, style="red"))
        parts.append(to_text(rendered.text))
        if rendered.missing:
            parts.append(Text("No value for: " + ", ".join(rendered.missing), style="yellow"))
        actions = describe_actions(macro.actions)
        if actions:
            parts.append(Text("On send: " + " · ".join(actions), style="italic"))
        preview.update(Group(*parts))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_choose(False)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_choose(False)

    def action_choose(self, replace: bool) -> None:
        macro = self._current()
        if macro is not None:
            self.dismiss(MacroChoice(macro.id, replace))

    def action_cancel(self) -> None:
        self.dismiss(None)
