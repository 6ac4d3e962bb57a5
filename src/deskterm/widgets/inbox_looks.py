"""How the inbox list looks: its component classes and their default styles, read once
into :class:`Looks` (reading a widget's style walks its ancestors: too slow for every line
of every frame), and what an empty view says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from rich.style import Style

from deskterm.widgets.inbox_row import RowStyles

COMPONENT_CLASSES = {
    "inbox-list--cursor",
    "inbox-list--selected",
    "inbox-list--unread",
    "inbox-list--dim",
    "inbox-list--breached",
    "inbox-list--due-soon",
    "inbox-list--ok",
    "inbox-list--tag",
    "inbox-list--vip",
    "inbox-list--snoozed",
    "inbox-list--channel",
    "inbox-list--empty",
}

DEFAULT_CSS = """
InboxList { height: 1fr; background: $surface; overflow-x: hidden; }
InboxList > .inbox-list--cursor { background: $block-cursor-blurred-background; }
InboxList:focus > .inbox-list--cursor {
    background: $block-cursor-background;
    color: $block-cursor-foreground;
}
InboxList > .inbox-list--selected { background: $accent 20%; }
InboxList > .inbox-list--unread { text-style: bold; }
InboxList > .inbox-list--dim { color: $text-muted; }
InboxList > .inbox-list--breached { color: $error; text-style: bold; }
InboxList > .inbox-list--due-soon { color: $warning; text-style: bold; }
InboxList > .inbox-list--ok { color: $success; }
InboxList > .inbox-list--tag { color: $secondary; text-style: italic; }
InboxList > .inbox-list--vip { color: $accent; }
InboxList > .inbox-list--snoozed { color: $secondary; text-style: italic; }
InboxList > .inbox-list--channel { color: $primary; text-style: bold; }
InboxList > .inbox-list--empty { color: $text-muted; text-style: italic; }
"""


EMPTY_TEXT = {
    "inbox": "Inbox zero — nothing waits on you.",
    "mine": "Nothing assigned to you is waiting.",
    "unassigned": "Every conversation has someone.",
    "snoozed": "Nothing snoozed.",
    "search": "No conversation matches.",
}

#: What an empty new store's inbox says instead of "Inbox zero": how to start.
FIRST_RUN_LINES = (
    "No conversations in this store yet.",
    "",
    "Try the demo:",
    "  deskterm demo",
    "Work a helpdesk's queue (README):",
    "  deskterm --remote rt --url URL",
    "  deskterm --remote zendesk …",
    "Bring your team's macros:",
    "  deskterm macros import FILE",
    "",
    "q quits · ? lists every key",
)


class Looks(NamedTuple):
    plain: RowStyles
    cursor: RowStyles
    selected: RowStyles
    dim: Style
    empty: Style


def looks_of(get: Callable[..., Style], base: Style) -> Looks:
    """The list's styles: ``get`` reads a component class's style, ``base`` the list's."""
    rows = RowStyles(
        base=base,
        unread=get("inbox-list--unread", partial=True),
        dim=get("inbox-list--dim", partial=True),
        breached=get("inbox-list--breached", partial=True),
        due_soon=get("inbox-list--due-soon", partial=True),
        ok=get("inbox-list--ok", partial=True),
        tag=get("inbox-list--tag", partial=True),
        vip=get("inbox-list--vip", partial=True),
        snoozed=get("inbox-list--snoozed", partial=True),
        channel=get("inbox-list--channel", partial=True),
    )
    cursor = base + get("inbox-list--cursor")
    selected = base + get("inbox-list--selected")
    return Looks(
        rows,
        replace(rows, base=cursor),
        replace(rows, base=selected),
        get("inbox-list--dim"),
        get("inbox-list--empty"),
    )
