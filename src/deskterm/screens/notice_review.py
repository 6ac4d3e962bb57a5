"""Reviewing fix notices before they go: one line per customer, space skips one, ``e`` edits
one, enter sends the rest in one action, escape sends none."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from deskterm.domain.safety import NAME_CELLS, one_line, to_text
from deskterm.screens.modal import DeskModal


@dataclass
class Notice:
    """One reply telling a customer their problem is fixed."""

    conversation_id: int
    customer_name: str
    language: str
    body: str
    was_done: bool
    skip: bool = False
    missing: tuple[str, ...] = ()
    """Placeholders the macro could not fill: not sent until the agent edits them out."""


class NoticeEditScreen(DeskModal[str | None]):
    """Edit one notice: ctrl+s keeps the text, escape leaves it as it was."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Keep", id="notice.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="notice.cancel", priority=True),
    ]

    DEFAULT_CSS = """
    NoticeEditScreen { align: center middle; }
    NoticeEditScreen > Vertical {
        width: 90; max-width: 95%; height: 20; background: $panel;
        border: round $primary; padding: 0 1;
    }
    NoticeEditScreen TextArea { height: 1fr; }
    """

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield TextArea(self.body, id="notice-text")
            yield Static(Text("ctrl+s keep · esc cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoticeReviewScreen(DeskModal[list[Notice] | None]):
    """The notices drafted for a fixed problem; dismisses with those to send (None: none)."""

    BINDINGS = [
        Binding("space", "skip", "Skip / keep", id="review.toggle"),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("enter,ctrl+s", "send", "Send", id="review.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="review.cancel"),
        Binding("down,j", "move(1)", "Next", show=False),
        Binding("up,k", "move(-1)", "Previous", show=False),
    ]

    DEFAULT_CSS = """
    NoticeReviewScreen { align: center middle; }
    NoticeReviewScreen > Vertical {
        width: 100; max-width: 95%; height: auto; max-height: 90%;
        background: $panel; border: round $primary; padding: 0 1;
    }
    NoticeReviewScreen OptionList { height: auto; max-height: 12; }
    NoticeReviewScreen #review-body { height: auto; max-height: 10; color: $text-muted;
        border-top: solid $primary; }
    """

    def __init__(self, title: str, notices: list[Notice]) -> None:
        super().__init__()
        self.title_text = title
        self.notices = notices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), id="review-title")
            yield OptionList(id="review-list")
            yield Static(id="review-body")
            yield Static(
                Text("space skip/keep · e edit · enter send the kept ones · esc cancel", "dim")
            )

    def on_mount(self) -> None:
        self._refill(0)
        self.query_one(OptionList).focus()

    def _line(self, n: Notice) -> Text:
        text = Text("[ ] " if n.skip else "[x] ", style="dim" if n.skip else "bold")
        text.append(one_line(n.customer_name, NAME_CELLS), style="dim" if n.skip else "")
        text.append(f"  #{n.conversation_id} · {n.language}", style="dim")
        if n.was_done:
            text.append(" · done", style="dim")
        if n.missing:
            text.append(f"  ⚠ fill {', '.join(n.missing)}", style="bold yellow")
        return text

    def _refill(self, highlighted: int) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for n in self.notices:
            options.add_option(Option(self._line(n)))
        if self.notices:
            options.highlighted = min(highlighted, len(self.notices) - 1)
        self._show_body()

    @property
    def current(self) -> int | None:
        return self.query_one(OptionList).highlighted

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_body()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_send()

    def _show_body(self) -> None:
        i = self.current
        body = self.notices[i].body if i is not None and i < len(self.notices) else ""
        self.query_one("#review-body", Static).update(to_text(body))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    def action_skip(self) -> None:
        i = self.current
        if i is not None:
            self.notices[i].skip = not self.notices[i].skip
            self._refill(i)

    def action_edit(self) -> None:
        i = self.current
        if i is None:
            return
        n = self.notices[i]

        def edited(text: str | None) -> None:
            if text is not None and text.strip():
                n.body = text
                n.missing = ()
                n.skip = False
                self._refill(i)

        self.app.push_screen(
            NoticeEditScreen(f"Notice to {one_line(n.customer_name, NAME_CELLS)}", n.body),
            edited,
        )

    def action_send(self) -> None:
        kept = [n for n in self.notices if not n.skip]
        blocked = [n for n in kept if n.missing]
        if blocked:
            self.notify(
                f"Fill in or skip the notice to {one_line(blocked[0].customer_name, 40)} first "
                f"({', '.join(blocked[0].missing)}).",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(kept)

    def action_cancel(self) -> None:
        self.dismiss(None)
