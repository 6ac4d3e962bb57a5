"""The thread of one conversation: newest at the bottom, notes set apart, long threads lazy.

Only the newest messages are mounted when a conversation opens; older ones are mounted in
batches when the agent scrolls to the top (or presses ``[`` there), so a thread of 500
messages opens as fast as one of five. Customer text goes through ``safety`` and is shown as
plain ``Text``: never markup, never escape codes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message as TMessage
from textual.widgets import Static

from deskterm.models import AuthorKind, Conversation, Message
from deskterm.safety import html_to_text, to_text

FIRST_BATCH = 40
OLDER_BATCH = 60


def _when(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    if local.year == now.astimezone(tz).year:
        return local.strftime("%a %d %b %H:%M")
    return local.strftime("%d %b %Y %H:%M")


class MessageBlock(Static):
    """One message of the thread."""

    DEFAULT_CSS = """
    MessageBlock { padding: 0 1; margin: 0 0 1 0; }
    MessageBlock.customer { border-left: outer $secondary; }
    MessageBlock.agent { border-left: outer $primary; }
    MessageBlock.note { border-left: outer $warning; background: $warning 10%; }
    MessageBlock.system { color: $text-muted; }
    """

    def __init__(self, message: Message, *, now: datetime, tz: ZoneInfo) -> None:
        kind = "note" if not message.public else str(message.author_kind)
        super().__init__(classes=kind)
        self.message = message
        self._now = now
        self._tz = tz

    def on_mount(self) -> None:
        m = self.message
        head = Text()
        name = m.author_name or ("Customer" if m.author_kind is AuthorKind.CUSTOMER else "Agent")
        head.append(to_text(name, style="bold"))
        if not m.public:
            head.append("  internal note", style="italic")
        head.append(f"  {_when(m.created_at, self._now, self._tz)}", style="dim")
        body_text = m.body if m.body.strip() or not m.html else html_to_text(m.html)
        parts: list[Text] = [head, to_text(body_text)]
        if m.attachments:
            names = ", ".join(a.filename for a in m.attachments)
            parts.append(to_text(f"📎 {names}", style="dim"))
        self.update(Group(*parts))


class ThreadView(VerticalScroll, can_focus=True):
    """The messages of the open conversation."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Scroll down", show=False),
        Binding("k,up", "scroll_up", "Scroll up", show=False),
        Binding("left_square_bracket", "load_older", "Older messages", show=False),
    ]

    DEFAULT_CSS = """
    ThreadView { height: 1fr; padding: 0 1; }
    ThreadView .older { color: $text-muted; text-style: italic; padding: 0 1; }
    ThreadView .empty { color: $text-muted; padding: 1 2; }
    """

    class NeedOlder(TMessage):
        """The agent asked for messages older than ``before_id``."""

        def __init__(self, conversation_id: int, before_id: int) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.before_id = before_id

    def __init__(self, *, tz: ZoneInfo, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz = tz
        self.conversation: Conversation | None = None
        self._oldest_id: int | None = None
        self._remaining = 0
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static("Open a conversation with enter.", classes="empty")

    async def show(
        self, conversation: Conversation, messages: list[Message], *, now: datetime
    ) -> None:
        """Replace the thread with the newest ``messages`` of ``conversation``."""
        self.conversation = conversation
        self._now = now
        await self.remove_children()
        self._remaining = max(0, conversation.message_count - len(messages))
        self._oldest_id = messages[0].id if messages else None
        blocks: list[Static] = []
        if self._remaining:
            blocks.append(self._older_marker())
        blocks += [MessageBlock(m, now=now, tz=self.tz) for m in messages]
        if not messages:
            blocks.append(Static("No messages yet.", classes="empty"))
        await self.mount_all(blocks)
        self.scroll_end(animate=False, immediate=True)

    async def clear(self, text: str = "Open a conversation with enter.") -> None:
        self.conversation = None
        await self.remove_children()
        await self.mount(Static(text, classes="empty"))

    async def prepend_older(self, messages: list[Message]) -> None:
        """Mount older messages above the current ones, keeping the view where it was."""
        self._loading = False
        if not messages or self.conversation is None:
            return
        markers = self.query(".older")
        await markers.remove()
        self._remaining = max(0, self._remaining - len(messages))
        self._oldest_id = messages[0].id
        blocks: list[Static] = []
        if self._remaining:
            blocks.append(self._older_marker())
        blocks += [MessageBlock(m, now=self._now, tz=self.tz) for m in messages]
        before = self.virtual_size.height
        await self.mount_all(blocks, before=0 if self.children else None)
        self.call_after_refresh(self._keep_position, before)

    def _keep_position(self, before: int) -> None:
        self.scroll_to(y=self.scroll_y + self.virtual_size.height - before, animate=False)

    def _older_marker(self) -> Static:
        return Static(
            f"↑ {self._remaining} older messages — scroll up or press [",
            classes="older",
        )

    def action_load_older(self) -> None:
        if self.conversation is None or not self._remaining or self._loading:
            return
        if self._oldest_id is None:
            return
        self._loading = True
        self.post_message(self.NeedOlder(self.conversation.id, self._oldest_id))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and old > 0:
            self.action_load_older()
