"""How the workstation is laid out: the three panes side by side, and on a narrow terminal
the one or two of them the agent is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from deskterm.widgets.composer import Composer
from deskterm.widgets.conversation_view import ThreadView
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.key_footer import KeyFooter
from deskterm.widgets.lesson_panel import LessonPanel
from deskterm.widgets.next_step import NextStep
from deskterm.widgets.search_box import SearchBox
from deskterm.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from deskterm.app import DeskApp

PANES = ("inbox", "conversation", "customer")
#: Below this many columns, two panes; below VERY_NARROW, one.
NARROW = 120
VERY_NARROW = 90


def compose_panes(app: DeskApp) -> ComposeResult:
    """The workstation's widgets: status bar, the three panes, the key footer."""
    yield StatusBar(id="status")
    if app.lesson is not None:
        yield LessonPanel(id="lesson")
    with Horizontal(id="panes"):
        with Vertical(id="inbox-pane", classes="pane"):
            yield SearchBox(
                placeholder='Search: words "phrase" status: channel: tag: from: is:',
                id="search",
            )
            yield Static(id="search-error")
            yield InboxList(
                store=app.store,
                me=app.agent.id,
                clock=app.clock,
                agents={a.id: a.initials for a in app.agents},
                tz=app.tz,
                first_run=app.first_run,
                id="inbox",
            )
        with Vertical(id="conversation-pane", classes="pane"):
            yield Static(id="conversation-header")
            yield ThreadView(tz=app.tz, id="thread")
            yield Composer(id="composer")
        yield CustomerPanel(
            tz=app.tz,
            shop_tz=app.shop_tz,
            clock=app.clock,
            keymap_overrides=app.keymap_overrides,
            id="customer",
            classes="pane",
        )
    if app.settings.shift:
        yield NextStep(id="next-step")
    yield KeyFooter()


def panes_on_screen(pane: str, *, narrow: bool, very_narrow: bool) -> tuple[bool, bool, bool]:
    """Which of inbox, conversation and customer are displayed, ``pane`` being the one the
    agent is on: all three when wide, two when narrow, one when very narrow."""
    if very_narrow:
        return pane == "inbox", pane == "conversation", pane == "customer"
    if narrow:
        return pane != "customer", True, pane == "customer"
    return True, True, True
